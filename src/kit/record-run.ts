// The run's facts in its recorded output: one sample of `k6socketio_run` per k6 instance, from
// setup(), whose tags carry the facts. A run's output (k6 --out json) then says by itself which
// scenario and run id it belongs to and which thresholds judge it, so that the outputs of a
// split run can be merged and judged on their union (src/report).
import exec from "k6/execution";
import { Counter } from "k6/metrics";
import { runFacts } from "./run-facts";

export const RUN_METRIC = "k6socketio_run";
const runCounter = new Counter(RUN_METRIC);

/**
 * From setup(): one sample whose tags are this instance's facts, its execution segment, the
 * thresholds (k6's JSON output lists only those on whole metrics) and the thresholds this run
 * cannot judge. One sample per instance: no cardinality to speak of.
 */
export function recordRunFacts(env: Record<string, string | undefined>, runId: string, notJudged: ReadonlyMap<string, string>): void {
  const facts = runFacts(env, runId);
  const segment = exec.test.options.executionSegment;
  const tags: Record<string, string> = {
    run_id: runId,
    scenario: facts.scenario,
    started_at: new Date().toISOString(),
    vus: String(exec.instance.vusInitialized),
    segment: segment ? String(segment) : "0:1",
    thresholds: JSON.stringify(thresholdExpressions(exec.test.options.thresholds as unknown)),
    not_judged: JSON.stringify([...notJudged]),
  };
  if (facts.target) tags.target = facts.target;
  if (facts.contract) tags.contract = facts.contract;
  if (facts.k6Version) tags.k6_version = facts.k6Version;
  if (facts.libraryVersion) tags.library_version = facts.libraryVersion;
  if (facts.socketsPerVu) tags.sockets_per_vu = String(facts.socketsPerVu);
  if (facts.gitCommit) tags.git_commit = facts.gitCommit;
  runCounter.add(1, tags);
}

/** k6's thresholds option ({ key: ["p(95)<250", { threshold, abortOnFail }] }) as { key: expressions }. */
function thresholdExpressions(raw: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!raw || typeof raw !== "object") return out;
  for (const [key, list] of Object.entries(raw as Record<string, unknown>)) {
    if (!Array.isArray(list)) continue;
    out[key] = list.map((t) => (typeof t === "string" ? t : String((t as { threshold?: unknown }).threshold))).filter((t) => t !== "undefined");
  }
  return out;
}
