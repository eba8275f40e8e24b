// What a run as k6's "default" scenario means for a scenario file, as pure functions (no k6
// imports, unit-tested in Node). `k6 run --vus 10 --duration 30s` (also --iterations, K6_VUS,
// K6_DURATION…) makes k6 drop the script's own `scenarios` and run one scenario named
// "default" that calls the exported `default` function. See src/kit/default-scenario.ts.

/** What a scenario file's `default` export plays, declared next to the export. */
export interface DefaultPlan {
  /** The script scenario whose flow `default` plays, for messages ("queue", "members"). */
  plays: string;
  /**
   * For flows that play a fixed population numbered by exec.scenario.iterationInTest (a chat
   * room's members, a team's two players): how many seats, and the -e options that set the
   * number. Iterations past the seats (and the `then` functions) wait for the end instead of
   * spinning, and a run whose VUs cannot hold every seat at once stops at setup.
   */
  seats?: { count: number; setBy: string };
  /** Other scenarios that `default` also plays, once each, on the iterations after the seats. */
  then?: Record<string, (data: any) => unknown>;
  /**
   * Scenarios that `default` does not play, each with the metrics only it feeds: their
   * thresholds have no data in a default run, and are reported as not judged.
   */
  skips?: Record<string, string[]>;
  /**
   * How long one play of the flow may run past the scenario's end (a session under way
   * finishes, within its own bounds): said at setup, so that `--duration 10s` ending later is
   * expected, not a surprise. k6 itself stops whatever still runs at --duration + 30 s.
   */
  graceMs?: number;
}

/** A scenario as exec.test.options.scenarios describes it. */
export interface ScenarioConfig {
  executor?: string;
  vus?: number | null;
  iterations?: number | null;
  duration?: string | null;
  startVUs?: number | null;
  stages?: { duration?: string; target?: number }[] | null;
  maxVUs?: number | null;
  preAllocatedVUs?: number | null;
}

/** True when k6 runs its own "default" scenario instead of the script's. */
export function isDefaultRun(scenarios: Record<string, unknown> | undefined): boolean {
  const names = Object.keys(scenarios ?? {});
  return names.length === 1 && names[0] === "default";
}

/** How many VUs the scenario can run at once. */
export function maxVus(s: ScenarioConfig): number {
  switch (s.executor) {
    case "ramping-vus":
      return Math.max(s.startVUs ?? 1, ...(s.stages ?? []).map((st) => st.target ?? 0));
    case "constant-arrival-rate":
    case "ramping-arrival-rate":
      return Math.max(s.maxVUs ?? 0, s.preAllocatedVUs ?? 0);
    default:
      return s.vus ?? 1;
  }
}

/** How many iterations the scenario runs in all, or Infinity when its duration bounds it. */
export function totalIterations(s: ScenarioConfig): number {
  if (s.executor === "shared-iterations") return s.iterations ?? 1;
  if (s.executor === "per-vu-iterations") return (s.vus ?? 1) * (s.iterations ?? 1);
  return Infinity;
}

/** Milliseconds from the scenario's start to its end, for duration-bound executors. */
export function scenarioLengthMs(s: ScenarioConfig, parseMs: (text: string) => number | null): number | undefined {
  if (s.executor === "constant-vus" && s.duration) return parseMs(s.duration) ?? undefined;
  if (s.executor === "ramping-vus" && s.stages) {
    let total = 0;
    for (const st of s.stages) total += parseMs(st.duration ?? "0s") ?? 0;
    return total;
  }
  return undefined;
}

/** Iterations that play the flow's seats and `then` functions. */
export function neededIterations(plan: DefaultPlan): number {
  return (plan.seats?.count ?? 0) + Object.keys(plan.then ?? {}).length;
}

/** What iteration `index` of the default scenario plays. */
export function roleOf(plan: DefaultPlan, index: number): { kind: "flow" } | { kind: "then"; name: string } | { kind: "idle" } {
  if (!plan.seats) return { kind: "flow" };
  if (index < plan.seats.count) return { kind: "flow" };
  const then = Object.keys(plan.then ?? {});
  const name = then[index - plan.seats.count];
  return name === undefined ? { kind: "idle" } : { kind: "then", name };
}

/**
 * Why a default run cannot play a fixed population (fewer VUs or iterations than seats), as
 * one message naming what to pass instead; null when it can.
 */
export function capacityProblem(plan: DefaultPlan, s: ScenarioConfig): string | null {
  if (!plan.seats) return null;
  const needed = neededIterations(plan);
  const then = Object.keys(plan.then ?? {});
  const what = `${plan.seats.count} ${plan.plays} (${plan.seats.setBy})${then.length ? ` + ${then.join(" + ")}` : ""}`;
  const vus = maxVus(s);
  if (vus < needed) {
    return `k6-socketio: the "default" scenario (k6 run --vus/--duration/--iterations) has ${vus} VU${vus === 1 ? "" : "s"}, but this scenario plays ${what} at once: use --vus ${needed}, or fewer ${plan.plays} via ${plan.seats.setBy}, or run without --vus/--duration for the script's own scenarios`;
  }
  const iterations = totalIterations(s);
  if (iterations < needed) {
    return `k6-socketio: the "default" scenario runs ${iterations} iteration${iterations === 1 ? "" : "s"}, but this scenario plays ${what}, one iteration each: use --iterations ${needed} (or --duration), or run without --vus/--iterations for the script's own scenarios`;
  }
  return null;
}

/**
 * The thresholds a default run cannot judge, by threshold key, with the reason: those on the
 * metrics of skipped scenarios, and submetrics filtered on a scenario that is not running.
 */
export function notJudged(plan: DefaultPlan | undefined, running: string[], thresholdKeys: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const skippedMetrics = new Map<string, string>();
  for (const [scenario, metrics] of Object.entries(plan?.skips ?? {})) {
    if (running.includes(scenario)) continue;
    for (const m of metrics) skippedMetrics.set(m, scenario);
  }
  for (const key of thresholdKeys) {
    const metric = key.split("{")[0]!;
    const scenario = skippedMetrics.get(metric) ?? /[{,]\s*scenario\s*:\s*([^,}]+?)\s*[,}]/.exec(key)?.[1];
    if (scenario !== undefined && !running.includes(scenario)) out.set(key, `scenario ${scenario} did not run`);
  }
  return out;
}

/** The one line a default run prints at setup. */
export function describeDefaultRun(plan: DefaultPlan | undefined, skipped: Map<string, string>): string {
  const plays = plan ? `it plays the "${plan.plays}" flow${plan.then ? ` and ${Object.keys(plan.then).join(", ")}` : ""}` : "it plays the default function";
  let line = `k6-socketio: running as k6's "default" scenario (--vus/--duration/--iterations replace the script's scenarios): ${plays}.`;
  if (plan?.graceMs !== undefined) {
    const grace = Math.ceil(plan.graceMs / 1000);
    line += ` A play under way at the end of --duration finishes within its own bounds, up to ${grace} s${grace > 30 ? " (k6 stops what still runs at --duration + 30 s: lower the -e options that lengthen a play)" : ""}.`;
  }
  if (skipped.size > 0) {
    const scenarios = [...new Set([...skipped.values()].map((r) => r.replace(/^scenario (.*) did not run$/, "$1")))];
    line +=
      ` NOT JUDGED in this run, because scenario${scenarios.length > 1 ? "s" : ""} ${scenarios.join(", ")} did not run (the verdict lists them as not judged):` +
      ` ${[...skipped.keys()].join(", ")}. Run without --vus/--duration (set the load with -e options) for the full test.`;
  }
  return line;
}
