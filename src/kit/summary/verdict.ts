// Reads threshold results out of the data k6 hands to handleSummary(): for each threshold,
// whether it held and the value it was judged on.

export interface SummaryMetric {
  type: "counter" | "gauge" | "rate" | "trend";
  contains?: "default" | "time" | "data";
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface SummaryData {
  metrics: Record<string, SummaryMetric>;
  state?: { testRunDurationMs?: number };
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
}

const EXPRESSION = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)\s*(?:<=|>=|===|==|!=|<|>)\s*-?[\d.]+\s*$/;

export function thresholdResults(data: SummaryData, notJudged: Map<string, string> = new Map(), causes: Record<string, string> = {}): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const name of Object.keys(data.metrics).sort()) {
    const metric = data.metrics[name]!;
    for (const [expression, result] of Object.entries(metric.thresholds ?? {})) {
      const stat = EXPRESSION.exec(expression)?.[1] ?? expression;
      // k6 reports a Rate's value as `rate`; a threshold on `value` means the same.
      const observed = metric.values[stat] ?? (stat === "value" ? metric.values.rate : undefined);
      const why = notJudged.get(name);
      const cause = !result.ok && !why ? causes[name.split("{")[0]!] : undefined;
      out.push({ metric: name, expression, ok: result.ok, stat, observed, unit: unitOf(metric, stat), ...(why ? { notJudged: why } : {}), ...(cause ? { cause } : {}) });
    }
  }
  return out;
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

/** "p(95)=412.30 ms, limit p(95)<250" */
export function describeThreshold(t: ThresholdResult): string {
  return `${t.stat}=${formatValue(t.observed, t.unit, t.stat)}, limit ${t.expression}`;
}
