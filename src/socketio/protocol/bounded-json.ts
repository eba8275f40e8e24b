// JSON for log lines, bounded: a server's payload is shown to `maxChars`, nested at most
// `maxDepth` deep, whatever it holds. JSON.stringify walks all of a value first (in k6's
// runtime a 100,000-deep array takes it ~30 s), so a hostile payload must never reach it.

/** `value` as JSON, cut to `maxChars` (with "…") and to `maxDepth` levels ("[…]", "{…}"). */
export function boundedJson(value: unknown, maxChars = 300, maxDepth = 8): string {
  let out = "";
  const full = () => out.length >= maxChars;
  const put = (s: string) => {
    out += s;
  };
  const walk = (v: unknown, depth: number): void => {
    if (full()) return;
    if (v === null || typeof v === "number" || typeof v === "boolean") return put(v === null || Number.isFinite(v) || typeof v === "boolean" ? String(v) : "null");
    if (typeof v === "string") return put(JSON.stringify(v.length > maxChars ? v.slice(0, maxChars) : v));
    if (v instanceof ArrayBuffer) return put(`<${v.byteLength} bytes>`);
    if (typeof v !== "object") return put(v === undefined ? "null" : JSON.stringify(String(v)));
    const array = Array.isArray(v);
    if (depth >= maxDepth) return put(array ? "[…]" : "{…}");
    put(array ? "[" : "{");
    // Indexes and keys are read one at a time, up to what fits: a huge array costs no more than a small one.
    const keys = array ? undefined : Object.keys(v as Record<string, unknown>);
    const length = array ? (v as unknown[]).length : keys!.length;
    for (let i = 0; i < length && !full(); i++) {
      if (i > 0) put(",");
      if (keys) put(`${JSON.stringify(keys[i])}:`);
      walk(array ? (v as unknown[])[i] : (v as Record<string, unknown>)[keys![i]!], depth + 1);
    }
    put(array ? "]" : "}");
  };
  walk(value, 0);
  return out.length > maxChars ? `${out.slice(0, maxChars)}…` : out;
}
