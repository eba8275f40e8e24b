// No green run on no data. k6 judges a threshold on a metric (or a tag-filtered submetric) that
// got no sample as passed: p(95) of nothing is 0, a rate of nothing is 0. Each Trend and Rate
// threshold therefore gets a guard, `k6socketio_samples{threshold:<key>}: count>0`, which this
// module feeds with 1 the first time a VU sees a sample matching the threshold's metric and tags.
// A guard left at 0 fails the run, and the verdict reports the guarded threshold as "no data".
// A threshold naming a tag value nothing recorded (`socketio_ack_duration{event:add_usr}`) fails
// the same way. Count thresholds are not guarded (an error counter is at 0 by rights), except on
// counters of a check's findings (guardCounts): "0 lost updates" means something only once judged.
import { Counter } from "k6/metrics";
import { LIBRARY_METRICS, observeSamples } from "../socketio";
import { GUARD_METRIC, guardId, parseThresholdKey } from "./threshold-key";

const guardCounter = new Counter(GUARD_METRIC);

interface Guard {
  key: string;
  id: string;
  metric: string;
  filter: [string, string][];
  seen: boolean;
}

const byMetric = new Map<string, Guard[]>();
let unseen = 0;
/** Metrics whose samples this module sees: the library's, and those made with the kit's classes. */
const visible = new Set<string>(LIBRARY_METRICS);

/** Trend aggregates and a Rate's rate: the expressions whose metric must have samples to mean anything. */
const NEEDS_DATA = /^\s*(avg|min|max|med|p\(\d+(?:\.\d+)?\)|rate)\s*(<=|>=|==|!=|<|>)/;
/** k6's own metrics: their samples are k6's, not seen here. */
const K6_BUILTIN = /^(checks|data_received|data_sent|iteration_duration|iterations|vus|vus_max|dropped_iterations|group_duration|http_|ws_|grpc_|browser_|k6socketio_)/;

const guardedCounts = new Set<string>();

/**
 * At init, before the options: counters whose count thresholds need a sample (the check adds
 * its finding, 0 included, each time it judges). Such a counter must not be seeded by prepareRun().
 */
export function guardCounts(...metrics: string[]): void {
  for (const m of metrics) guardedCounts.add(m);
}

/** The thresholds plus a guard for each one that means nothing without data. */
export function withDataGuards(thresholds: Record<string, string[]>): Record<string, string[]> {
  const out = { ...thresholds };
  for (const [key, expressions] of Object.entries(thresholds)) {
    const { metric, filter } = parseThresholdKey(key);
    const needsData = (e: string) => NEEDS_DATA.test(e) || (guardedCounts.has(metric) && /^\s*count\s*(<=|>=|==|!=|<|>)/.test(e));
    if (K6_BUILTIN.test(metric) || !expressions.some(needsData)) continue;
    const guard: Guard = { key, id: guardId(key), metric, filter, seen: false };
    const list = byMetric.get(metric);
    if (list) list.push(guard);
    else byMetric.set(metric, [guard]);
    unseen++;
    out[`${GUARD_METRIC}{threshold:${guard.id}}`] = ["count>0"];
  }
  return out;
}

/**
 * Called with every sample: the first one a VU sees for a guard feeds it. Once a VU has fed all
 * its guards (at its first sample, when there are none), the library stops calling it: the
 * samples of the per-message path then cost nothing here.
 */
export function observe(metric: string, tags: Record<string, string> | undefined): void {
  if (unseen === 0) {
    observeSamples(null);
    return;
  }
  const guards = byMetric.get(metric);
  if (!guards) return;
  for (const g of guards) {
    if (g.seen || !g.filter.every(([k, v]) => tags?.[k] === v)) continue;
    g.seen = true;
    unseen--;
    guardCounter.add(1, { threshold: g.id });
  }
}
observeSamples(observe);

export function noteCreated(metric: string): void {
  visible.add(metric);
}

/**
 * In setup(): one sample on the guard metric, so that k6 judges every guard (a guard with no
 * sample of its own then counts 0 and fails). Guards of thresholds this run cannot judge (their
 * scenario does not run), or on metrics made with k6/metrics directly (their samples are not
 * seen here), are fed at once, and the latter named in a warning.
 */
export function armDataGuards(notJudged: ReadonlyMap<string, string>, splitRun: boolean): void {
  guardCounter.add(0);
  const blind: string[] = [];
  for (const guards of byMetric.values()) {
    for (const g of guards) {
      // One instance of a split run may hold none of a scenario's VUs: its share is legitimately
      // empty, and only the whole run's samples can tell "no data".
      const skip = splitRun || notJudged.has(g.key) || notJudged.has(g.metric);
      if (!skip && visible.has(g.metric)) continue;
      if (!skip) blind.push(g.metric);
      guardCounter.add(1, { threshold: g.id });
    }
  }
  if (blind.length > 0) {
    console.warn(
      `k6-socketio: cannot tell whether ${[...new Set(blind)].join(", ")} got samples (made with k6/metrics, not the kit's Trend/Rate/Counter): ` +
        "their thresholds pass on no data, as k6's do. Import Trend, Rate and Counter from k6-socketio/kit to have them checked.",
    );
  }
}
