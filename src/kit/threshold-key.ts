// Threshold keys ("metric{tag:value}") and the no-data guards' names for them. Pure: shared by
// the k6 side (src/kit/data-guard.ts) and the verdict.

export const GUARD_METRIC = "k6socketio_samples";

/** "metric{tag:value,tag2:value2}" -> the metric and its tag filter. */
export function parseThresholdKey(key: string): { metric: string; filter: [string, string][] } {
  const brace = key.indexOf("{");
  if (brace < 0) return { metric: key.trim(), filter: [] };
  const metric = key.slice(0, brace).trim();
  const inner = key.slice(brace + 1, key.lastIndexOf("}"));
  const filter = inner
    .split(",")
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair): [string, string] => {
      const colon = pair.indexOf(":");
      return [pair.slice(0, colon).trim(), pair.slice(colon + 1).trim()];
    });
  return { metric, filter };
}

/** A tag value k6 accepts in a threshold key: "socketio_ack_duration{event:join}" -> "socketio_ack_duration.event=join". */
export function guardId(key: string): string {
  const { metric, filter } = parseThresholdKey(key);
  return [metric, ...filter.map(([k, v]) => `${k}=${v}`)].join(".").replace(/[{},:\s]/g, "_");
}

/** The guarded threshold id of a guard's result row ("k6socketio_samples{threshold:<id>}"), or undefined. */
export function guardedId(metricKey: string): string | undefined {
  const m = /^k6socketio_samples\{threshold:(.+)\}$/.exec(metricKey);
  return m ? m[1] : undefined;
}
