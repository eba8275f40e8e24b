// What every scenario's k6 options share: no `url` system tag (polling URLs carry sids), and
// the percentiles the scenarios' thresholds talk about in the summary.
import exec from "k6/execution";
import { systemTagsWithoutUrl, touchLibraryCounters } from "../socketio";
import { armDataGuards, withDataGuards } from "./data-guard";
import { announceDefaultRun } from "./default-scenario";
import { EnvReader } from "./env";
import { runIdFrom } from "./run-id";
import { recordRunFacts } from "./record-run";
import { notJudgedThresholds } from "./summary/not-judged";
import type { Thresholds } from "./thresholds";

export function scenarioOptions(scenarios: Record<string, Record<string, unknown>>, thresholds: Thresholds) {
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
