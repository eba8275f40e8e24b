// What every scenario's k6 options share: no `url` system tag (polling URLs carry sids), and
// the percentiles the scenarios' thresholds talk about in the summary.
import exec from "k6/execution";
import { systemTagsWithoutUrl, touchLibraryCounters } from "../socketio";
import { armDataGuards, withDataGuards } from "./data-guard";
import { announceDefaultRun } from "./default-scenario";
import { EnvReader, parseDurationMs } from "./env";
import { runIdFrom } from "./run-id";
import { recordRunFacts } from "./record-run";
import { notJudgedThresholds } from "./summary/not-judged";
import type { Thresholds } from "./thresholds";

/** The scenarios this init computed from its -e options, to compare with the ones k6 runs. */
let planned: Record<string, Record<string, unknown>> = {};

export function scenarioOptions(scenarios: Record<string, Record<string, unknown>>, thresholds: Thresholds) {
  planned = scenarios;
  return {
    scenarios,
    // Each Trend and Rate threshold gets a guard that fails the run when its metric got no sample.
    thresholds: withDataGuards(thresholds),
    systemTags: systemTagsWithoutUrl,
    summaryTrendStats: ["avg", "min", "med", "p(90)", "p(95)", "p(99)", "max"],
  };
}

/**
 * Run once per k6 instance, from setup(). Records a 0 on the library's and the scenario's
 * counters (k6 passes a threshold on a metric with no samples, so `count==0` and `count>=N`
 * need a real 0), and says so plainly when this instance was given no VUs at all: its
 * thresholds then pass without data. In k6's "default" scenario (`--vus`/`--duration`), says
 * what it plays and which thresholds it cannot judge. Records the run's facts for reports.
 */
export function prepareRun(...counters: { add(value: number): void }[]): void {
  announceDefaultRun();
  warnFrozenOptions();
  recordRunFacts(__ENV, runIdFrom(new EnvReader(__ENV)), notJudgedThresholds());
  armDataGuards(notJudgedThresholds(), exec.test.options.executionSegment !== undefined && exec.test.options.executionSegment !== null);
  touchLibraryCounters();
  for (const c of counters) c.add(0);
  if (exec.instance.vusInitialized > 0) return;
  const segment = exec.test.options.executionSegment;
  console.warn(
    `k6-socketio: this k6 instance runs no VUs${segment ? ` (execution segment ${String(segment)})` : ""}: it sends no traffic ` +
      "and its thresholds pass without data. Give every instance at least one VU: fewer instances or more VUs.",
  );
}

/** Equal as k6 means them: "2s" and "2000ms" are one duration. */
function same(a: unknown, b: unknown): boolean {
  if (String(a) === String(b)) return true;
  const da = typeof a === "string" ? parseDurationMs(a) : undefined;
  const db = typeof b === "string" ? parseDurationMs(b) : undefined;
  return da != null && da === db;
}

const SHAPE = ["executor", "vus", "iterations", "duration", "maxDuration", "startTime", "exec"] as const;

/**
 * `k6 run archive.tar -e VUS=50`: k6 runs the scenarios the archive was made with, while the
 * script sees the new -e values. Said once, naming what differs, instead of a run whose flows and
 * VUs disagree in silence. (A `--vus/--duration` run replaces the scenarios: said by announceDefaultRun.)
 */
function warnFrozenOptions(): void {
  const actual = (exec.test.options.scenarios ?? {}) as unknown as Record<string, Record<string, unknown>>;
  if ("default" in actual && !("default" in planned)) return;
  const differences: string[] = [];
  for (const [name, want] of Object.entries(planned)) {
    const got = actual[name];
    if (!got) {
      differences.push(`scenario ${name} is not in it`);
      continue;
    }
    for (const k of SHAPE) if (want[k] !== undefined && !same(want[k], got[k])) differences.push(`${name}.${k} is ${String(got[k])}, the -e options now ask for ${String(want[k])}`);
  }
  for (const name of Object.keys(actual)) if (!(name in planned)) differences.push(`it runs scenario ${name}, which the -e options now leave out`);
  if (differences.length === 0) return;
  console.warn(
    `k6-socketio: k6 runs scenarios fixed before this run (an archive, or options given to k6 another way): ${differences.slice(0, 6).join("; ")}. ` +
      "-e values the flows read at run time (TARGET_URL, timeouts…) apply, but the VUs and scenarios do not: make the archive again with these -e options (docs/distributed.md)",
  );
}
