// Reads threshold results out of the data k6 hands to handleSummary(): for each threshold,
// whether it held and the value it was judged on.
import { guardedId, guardId } from "../threshold-key";

export interface SummaryMetric {
  type: "counter" | "gauge" | "rate" | "trend";
  contains?: "default" | "time" | "data";
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface SummaryData {
  metrics: Record<string, SummaryMetric>;
  state?: { testRunDurationMs?: number };
  /** What setup() returned (the scenarios return their run id there). */
  setup_data?: unknown;
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  /** The aggregate the expression tests: p(95), avg, rate, count… */
  stat: string;
  /** Its value in this run, when k6 reported it. */
  observed: number | undefined;
  /** Milliseconds, bytes or a plain number, for display. */
  unit: "ms" | "B" | "";
  /** Set when this run could not judge the threshold (why), e.g. its scenario did not run. */
  notJudged?: string;
  /** What a failure of this threshold means, in words (from the scenario), when it failed. */
  cause?: string;
  /** The threshold's metric got no sample matching it: it fails instead of passing on nothing. */
  noData?: boolean;
}

const EXPRESSION = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)\s*(?:<=|>=|===|==|!=|<|>)\s*-?[\d.]+\s*$/;

export function thresholdResults(data: SummaryData, notJudged: Map<string, string> = new Map(), causes: Record<string, string> = {}): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  // The no-data guards: not shown themselves, they mark the threshold they guard.
  const starved = new Set<string>();
  for (const [name, metric] of Object.entries(data.metrics)) {
    const id = guardedId(name);
    if (id !== undefined && Object.values(metric.thresholds ?? {}).some((r) => !r.ok)) starved.add(id);
  }
  for (const name of Object.keys(data.metrics).sort()) {
    if (guardedId(name) !== undefined) continue;
    const metric = data.metrics[name]!;
    const noData = starved.has(guardId(name)) && !notJudged.has(name);
    for (const [expression, result] of Object.entries(metric.thresholds ?? {})) {
      const stat = EXPRESSION.exec(expression)?.[1] ?? expression;
      // k6 reports a Rate's value as `rate`; a threshold on `value` means the same.
      const observed = metric.values[stat] ?? (stat === "value" ? metric.values.rate : undefined);
      const why = notJudged.get(name);
      const ok = result.ok && !noData;
      const base = name.split("{")[0]!;
      const cause = noData ? "no data: no sample of this metric (with these tags) was recorded, so the threshold cannot hold" : !ok && !why ? (causes[base] ?? plainCause(base, metric, stat)) : undefined;
      out.push({ metric: name, expression, ok, stat, observed: noData ? undefined : observed, unit: unitOf(metric, stat), ...(why ? { notJudged: why } : {}), ...(cause ? { cause } : {}), ...(noData ? { noData } : {}) });
    }
  }
  // A guarded threshold whose metric k6 did not report at all still gets its row.
  for (const id of starved) {
    if (!out.some((t) => guardId(t.metric) === id) && !notJudged.has(id)) {
      out.push({ metric: id, expression: "(any)", ok: false, stat: "", observed: undefined, unit: "", noData: true, cause: "no data: no sample of this metric (with these tags) was recorded" });
    }
  }
  return out;
}

/** A failed threshold's line when the scenario gave none: what the numbers say, never silence. */
export function plainCause(base: string, metric: Pick<SummaryMetric, "type" | "contains">, stat: string): string {
  if (base.endsWith("_login_failures")) return "the HTTP login step failed for some players (tag reason; the login lines above say why)";
  if (metric.type === "trend") return `${base} was past its limit: ${stat} measured ${metric.contains === "time" ? "slower" : "higher"} than the threshold allows`;
  if (metric.type === "rate") return `${base}: the share of its samples that were true is outside the limit`;
  return `${base} counted more than its limit allows`;
}

function unitOf(metric: SummaryMetric, stat: string): ThresholdResult["unit"] {
  if (stat === "count" || stat === "rate" || stat === "passes" || stat === "fails") return "";
  return metric.contains === "time" ? "ms" : metric.contains === "data" ? "B" : "";
}

export function formatValue(value: number | undefined, unit: ThresholdResult["unit"], stat = ""): string {
  if (value === undefined) return "no data";
  if (stat === "rate" || stat === "value") return `${(value * 100).toFixed(2)}%`;
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(2);
  return unit ? `${rounded} ${unit}` : rounded;
}

/** "p(95)=412.30 ms" */
export function describeObserved(t: ThresholdResult): string {
  return `${t.stat}=${formatValue(t.observed, t.unit, t.stat)}`;
}

/** "p(95)=412.30 ms, limit p(95)<250" */
export function describeThreshold(t: ThresholdResult): string {
  return `${describeObserved(t)}, limit ${t.expression}`;
}
