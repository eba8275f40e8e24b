// `k6 run --vus 10 --duration 30s dist/<name>.js` (also --iterations, K6_VUS, K6_DURATION…)
// makes k6 drop the script's `scenarios` and run one scenario named "default" that calls the
// exported `default` function. Every scenario file exports one, next to its other exports:
//   export default mainFlow(queue, { plays: "queue", skips: { rate_limit: [...metrics] } });
// setup() data still flows to it. A default run says at setup what it plays and which
// thresholds it cannot judge, and stops there (exit 108) when its VUs cannot hold a fixed
// population; idle iterations wait for the end instead of spinning.
import { sleep } from "k6";
import exec from "k6/execution";
import { capacityProblem, type DefaultPlan, describeDefaultRun, isDefaultRun, notJudged, roleOf, type ScenarioConfig, scenarioLengthMs } from "./default-run";
import { parseDurationMs } from "./env";
import { setNotJudgedSource } from "./summary/not-judged";

let registered: DefaultPlan | undefined;

function scenarios(): Record<string, ScenarioConfig> {
  return (exec.test.options.scenarios ?? {}) as unknown as Record<string, ScenarioConfig>;
}

function thresholdKeys(): string[] {
  return Object.keys((exec.test.options as { thresholds?: Record<string, unknown> }).thresholds ?? {});
}

/** The thresholds this run cannot judge (empty unless k6 runs its "default" scenario). */
function currentlyNotJudged(): Map<string, string> {
  const all = scenarios();
  if (!isDefaultRun(all)) return new Map();
  return notJudged(registered, Object.keys(all), thresholdKeys());
}

setNotJudgedSource(currentlyNotJudged);

/**
 * The function to export as `default`: `flow` (the scenario's main player flow), played by
 * the iterations of k6's "default" scenario as `plan` says.
 */
export function mainFlow<D, R>(flow: (data: D) => R, plan: DefaultPlan): (data: D) => R | unknown {
  registered = plan;
  return (data: D) => {
    const role = roleOf(plan, exec.scenario.iterationInTest);
    if (role.kind === "flow") return flow(data);
    // Returned, not dropped: an async flow's Promise is what k6 waits for.
    if (role.kind === "then") return plan.then![role.name]!(data);
    idleUntilEnd();
    return undefined;
  };
}

/**
 * A `default` that plays nothing, for scenarios whose work runs in setup() (the doctor, the
 * conformance checklist): it waits for the end of a duration-bound scenario instead of spinning.
 */
export function idleUntilEnd(): void {
  const s = scenarios()[exec.scenario.name];
  const length = s ? scenarioLengthMs(s, parseDurationMs) : undefined;
  if (length === undefined) {
    // Iteration-bound: the count bounds the run. Anything else: a second at a time.
    if (s?.executor === "shared-iterations" || s?.executor === "per-vu-iterations") return;
    sleep(1);
    return;
  }
  const left = exec.scenario.startTime + length - Date.now();
  sleep(Math.max(0.05, left / 1000));
}

/**
 * Called by prepareRun() in setup(): in a default run, prints what it plays and which
 * thresholds it cannot judge, and stops the test when its VUs cannot hold the population.
 */
export function announceDefaultRun(): void {
  const all = scenarios();
  if (!isDefaultRun(all)) return;
  const problem = registered ? capacityProblem(registered, all.default!) : null;
  if (problem) exec.test.abort(problem);
  console.warn(describeDefaultRun(registered, currentlyNotJudged()));
}
