// What every scenario's k6 options share: no `url` system tag (polling URLs carry sids), and
// the percentiles the README's thresholds talk about in the summary.
import type { Counter } from "k6/metrics";
import { systemTagsWithoutUrl, touchLibraryCounters } from "../socketio";
import type { Thresholds } from "./thresholds";

export function scenarioOptions(scenarios: Record<string, Record<string, unknown>>, thresholds: Thresholds) {
  return {
    scenarios,
    thresholds,
    systemTags: systemTagsWithoutUrl,
    summaryTrendStats: ["avg", "min", "med", "p(90)", "p(95)", "p(99)", "max"],
  };
}

/**
 * Records a 0 on the library's and the scenario's counters (call in setup()): k6 passes a
 * threshold on a metric that has no samples, so `count==0` and `count>=N` need a real 0.
 */
export function zeroCounters(...counters: Counter[]): void {
  touchLibraryCounters();
  for (const c of counters) c.add(0);
}
