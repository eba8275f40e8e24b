// handleSummary() for the scenarios: it prints the verdict block (the root cause first, every
// threshold with its observed value and, when failed, what it means; each metric's main values)
// instead of k6's own summary; with `-e SUMMARY_DIR=out` it also writes
// out/<scenario>-summary.json and out/<scenario>-junit.xml.
// Grafana Cloud k6 does not run handleSummary(): there the cloud's own reports apply.
import { noteScenario, runFacts } from "../run-facts";
import { type RunSummary, SUMMARY_FORMAT, SUMMARY_VERSION } from "./format";
import { junitXml } from "./junit";
import { notJudgedThresholds } from "./not-judged";
import { textSummary } from "./text";
import { type SummaryData, thresholdResults } from "./verdict";
import { aboutTheCause, rootCauseLine, rootCauseOf } from "./root-cause";
import { guardedId } from "../threshold-key";

/** What a failed threshold on one of the library's own metrics means, for every scenario. */
const LIBRARY_CAUSES: Record<string, string> = {
  socketio_connect_duration: "connects were slow: the Engine.IO handshake and namespace CONNECT took longer than the limit (slower than connectTimeout counts as a connect timeout instead)",
  socketio_connect_success: "connects failed (socketio_connect_errors{reason} says how; the \"connect … failed\" lines above give the doctor's cause and fix)",
  socketio_ack_timeouts: "acks did not come within their timeout (tag event): a handler that never acks, a slow or blocked server; an event the server acked before and then stopped acking points at the server, not at the event name",
  socketio_ack_duration: "acks were slower than the limit (tag event)",
  socketio_decode_errors: "the server sent frames the library could not decode (tag reason: docs/metrics.md lists them)",
  socketio_generator_lag:
    "the load generator itself was overloaded: its event loop ran late, so its latencies and timeouts are suspect; give each VU fewer sockets (SOCKETS_PER_VU) or run more k6 instances",
};

/**
 * `causes` says, per metric, what its threshold failing means ("acks stopped after queued
 * players disconnected: …"); the verdict prints it under the failed threshold. `contractSteps`:
 * every contract step of the flow runs through exchange()/awaitRecognised(), so "no reply ever
 * matched" can be told (a root cause).
 */
export function makeHandleSummary(scenario: string, env: Record<string, string | undefined>, scenarioCauses: Record<string, string> = {}, options: { contractSteps?: boolean } = {}) {
  noteScenario(scenario);
  const staticCauses = { ...LIBRARY_CAUSES, ...scenarioCauses };
  return (data: SummaryData): Record<string, string> => {
    const dir = env.SUMMARY_DIR;
    const causes = { ...staticCauses, socketio_stalls: stallCause(data) };
    const cause = rootCauseOf(data, scenario, options.contractSteps === true);
    const notJudged = notJudgedThresholds();
    if (cause) {
      // Everything that needs what failed is not judged because of it: no accusation without evidence.
      const because = cause.kind === "connect" ? "nothing connected: the root cause above" : "the contract never matched: the root cause above";
      for (const [name, m] of Object.entries(data.metrics)) {
        if (m.thresholds && guardedId(name) === undefined && !aboutTheCause(name, cause, scenario) && !notJudged.has(name)) notJudged.set(name, because);
      }
    }
    const opening = cause ? rootCauseLine(scenario, cause) : undefined;
    // A plain `k6 run` gets the same verdict block as a run that writes files, instead of k6's own
    // list (which shows the no-data guards and passes what was not judged).
    const thresholds = thresholdResults(data, notJudged, causes);
    if (!dir) return { stdout: textSummary(scenario, data, thresholds, [], opening) };
    const base = dir.replace(/\/+$/, "");
    const jsonPath = `${base}/${scenario}-summary.json`;
    const junitPath = `${base}/${scenario}-junit.xml`;
    const durationMs = data.state?.testRunDurationMs ?? 0;
    const setupRunId = (data.setup_data as { runId?: unknown } | undefined)?.runId;
    const vus = data.metrics.vus_max?.values.max ?? data.metrics.vus_max?.values.value;
    const json: RunSummary = {
      format: SUMMARY_FORMAT,
      version: SUMMARY_VERSION,
      run: {
        ...runFacts(env, typeof setupRunId === "string" ? setupRunId : env.RUN_ID),
        ...(vus !== undefined ? { vus } : {}),
        durationMs,
        startedAt: new Date(Date.now() - durationMs).toISOString(),
      },
      passed: !cause && thresholds.every((t) => t.ok || t.notJudged),
      ...(cause ? { rootCause: { kind: cause.kind, cause: cause.cause, fix: cause.fix, doctor: cause.doctor } } : {}),
      judgedBy: "k6",
      thresholds,
      metrics: Object.fromEntries(Object.entries(data.metrics).map(([name, m]) => [name, { type: m.type, ...(m.contains ? { contains: m.contains } : {}), values: m.values }])),
    };
    return {
      stdout: textSummary(scenario, data, thresholds, [jsonPath, junitPath], opening),
      [jsonPath]: `${JSON.stringify(json, null, 2)}\n`,
      [junitPath]: junitXml(scenario, thresholds, durationMs),
    };
  };
}

/** A stall said with the evidence: did the rest of the run still get answers? */
function stallCause(data: SummaryData): string {
  const v = (m: string, stat: string) => data.metrics[m]?.values[stat] ?? 0;
  const stalls = v("socketio_stalls", "count");
  const received = v("socketio_messages_received", "count");
  const acks = v("socketio_ack_duration", "count");
  const head = `STALL: ${stalls} time${stalls === 1 ? "" : "s"} a VU waited STALL_AFTER_MS for an answer (a connect or an ack) and got nothing back on any of its connections (the "STALL" lines above say which VU and when)`;
  if (received + acks > 0) {
    return `${head}; meanwhile the run received ${received} messages and ${acks} acks in all: the server kept answering other connections, so it stopped answering some of them (a blocked handler, a room or worker that hangs), not all`;
  }
  return `${head}; nothing at all came back in the run: the server (or the network to it) stopped answering`;
}
