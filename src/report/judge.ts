// Judges thresholds on recorded samples: the verdict of a run split over several k6 instances,
// on the union of their samples. A Trend or Rate threshold with no sample fails as "no data"
// (k6 would pass it on nothing); a count threshold judges a real 0.
import { parseThresholdKey, guardedId } from "../kit/threshold-key";
import { plainCause, type ThresholdResult } from "../kit/summary/verdict";
import { aggregate } from "./aggregate";
import type { MetricInfo, Sample } from "./recording";

export interface SampleSource {
  metrics: Map<string, MetricInfo>;
  /** All samples of a metric, over every instance. */
  samples(metric: string): readonly Sample[];
  durationMs: number;
}

const EXPRESSION = /^\s*([a-z]+(?:\((\d+(?:\.\d+)?)\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?[\d.]+(?:e[+-]?\d+)?)\s*$/i;

export function judge(source: SampleSource, thresholds: Record<string, string[]>, notJudged: Map<string, string>): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const key of Object.keys(thresholds).sort()) {
    if (guardedId(key) !== undefined) continue; // the kit's no-data guards: judged here directly
    const { metric, filter } = parseThresholdKey(key);
    const info = source.metrics.get(metric);
    const all = source.samples(metric);
    const matching = filter.length ? all.filter((s) => filter.every(([k, v]) => s.tags[k] === v)) : all;
    const why = notJudged.get(key) ?? notJudged.get(metric);
    for (const expression of thresholds[key]!) {
      const m = EXPRESSION.exec(expression);
      if (!m) throw new Error(`threshold ${key}: cannot judge "${expression}" (expected stat op number, e.g. p(95)<250)`);
      const [, stat, pct, op, limit] = m as unknown as [string, string, string | undefined, string, string];
      const type = info?.type ?? (stat === "count" ? "counter" : stat === "rate" ? "rate" : "trend");
      const needsData = type === "trend" || type === "rate";
      const values = aggregate(type, matching, source.durationMs, pct ? [Number(pct)] : []);
      const observed = values[stat] ?? (stat === "value" ? values.rate : undefined);
      const unit: ThresholdResult["unit"] = stat === "count" || stat === "rate" || stat === "passes" || stat === "fails" ? "" : info?.contains === "time" ? "ms" : info?.contains === "data" ? "B" : "";
      const base = { metric: key, expression, stat, unit };
      if (why) {
        out.push({ ...base, ok: true, observed, notJudged: why });
      } else if (needsData && matching.length === 0) {
        out.push({ ...base, ok: false, observed: undefined, noData: true, cause: "no data: no sample of this metric (with these tags) was recorded, so the threshold cannot hold" });
      } else {
        const ok = observed !== undefined && compare(observed, op, Number(limit));
        // The scenario's own words live in its script; judged from samples, the numbers' plain meaning.
        out.push({ ...base, ok, observed, ...(ok ? {} : { cause: plainCause(metric, { type, ...(info?.contains ? { contains: info.contains } : {}) }, stat) }) });
      }
    }
  }
  return out;
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "==":
    case "===":
      return a === b;
    default:
      return a !== b;
  }
}
