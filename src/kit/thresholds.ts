// Threshold presets live in thresholds/<scenario>.json and are bundled at build time. A preset
// may use ${name} placeholders for values that depend on the run's configuration; `-e
// THRESHOLDS='{"metric":["p(95)<500"]}'` replaces the expressions of the metrics it names.

export type Thresholds = Record<string, string[]>;

export function buildThresholds(
  preset: Thresholds,
  values: Record<string, number | string>,
  overrides: unknown,
): Thresholds {
  const out: Thresholds = {};
  for (const [metric, exprs] of Object.entries(preset)) out[metric] = exprs.map((e) => fill(e, values, metric));
  if (overrides === undefined) return out;
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) {
    throw new Error(`THRESHOLDS must be a JSON object of metric -> [expressions], got ${JSON.stringify(overrides)}`);
  }
  for (const [metric, exprs] of Object.entries(overrides as Record<string, unknown>)) {
    const list = typeof exprs === "string" ? [exprs] : exprs;
    if (!Array.isArray(list) || !list.every((e) => typeof e === "string")) {
      throw new Error(`THRESHOLDS.${metric} must be an expression or a list of expressions, e.g. ["p(95)<500"]`);
    }
    out[metric] = list.map((e) => fill(e, values, metric));
  }
  return out;
}

function fill(expression: string, values: Record<string, number | string>, metric: string): string {
  return expression.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`threshold ${metric}: "${expression}" uses unknown placeholder \${${name}}`);
    return String(v);
  });
}
