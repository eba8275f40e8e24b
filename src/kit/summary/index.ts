// handleSummary() for the scenarios: with `-e SUMMARY_DIR=out` it writes
// out/<scenario>-summary.json and out/<scenario>-junit.xml and prints a console summary of its
// own; without it, it returns nothing and k6 prints its usual summary.
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
  socketio_stalls:
    "STALL: a VU waited STALL_AFTER_MS for an answer (a connect or an ack) and got nothing back, no connect, ack or event: the server (or the network to it) stopped answering",
  socketio_connect_duration: "connects were slow: the Engine.IO handshake and namespace CONNECT took longer than the limit (slower than connectTimeout counts as a connect timeout instead)",
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
  const causes = { ...LIBRARY_CAUSES, ...scenarioCauses };
  return (data: SummaryData): Record<string, string> | undefined => {
    const dir = env.SUMMARY_DIR;
    const cause = rootCauseOf(data, scenario, options.contractSteps === true);
    const notJudged = notJudgedThresholds();
    if (cause) {
      // Everything that needs what failed is not judged because of it: no accusation without evidence.
      const because = cause.kind === "connect" ? "nothing connected: the root cause above" : "the contract never matched: the root cause above";
      for (const [name, m] of Object.entries(data.metrics)) {
        if (m.thresholds && guardedId(name) === undefined && !aboutTheCause(name, cause, scenario) && !notJudged.has(name)) notJudged.set(name, because);
      }
    }
    if (!dir) {
      if (cause) console.warn(rootCauseLine(scenario, cause));
      // k6's own summary lists these as passed (no data): say so next to it.
      const skipped = notJudged;
      const byReason = new Map<string, string[]>();
      for (const [k, why] of skipped) byReason.set(why, [...(byReason.get(why) ?? []), k]);
      for (const [why, keys] of byReason) {
        if (cause && why.endsWith("the root cause above")) console.warn(`k6-socketio ${scenario}: NOT JUDGED because ${why} (k6 lists them below as failed or as passed, without evidence either way): ${keys.join(", ")}`);
      }
      const plain = [...skipped].filter(([, why]) => !(cause && why.endsWith("the root cause above")));
      if (plain.length > 0) console.warn(`k6-socketio ${scenario}: NOT JUDGED in this run (listed as passed below, without data): ${plain.map(([k, why]) => `${k} (${why})`).join(", ")}`);
      for (const t of thresholdResults(data, skipped, causes)) if (t.cause) console.warn(`k6-socketio ${scenario}: FAILED ${t.metric} ${t.expression}: ${t.cause}`);
      return undefined;
    }
    const base = dir.replace(/\/+$/, "");
    const thresholds = thresholdResults(data, notJudged, causes);
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
      stdout: textSummary(scenario, data, thresholds, [jsonPath, junitPath], cause ? rootCauseLine(scenario, cause) : undefined),
      [jsonPath]: `${JSON.stringify(json, null, 2)}\n`,
      [junitPath]: junitXml(scenario, thresholds, durationMs),
    };
  };
}
