// How a contract's HTTP step was answered, without k6 (unit-tested): the verdict, the answer's
// text on one line, the Cookie header refreshed from Set-Cookie.

export type StepVerdict = "ok" | "mismatch" | "fault";

const BODY_CHARS = 200;

/** The answer's text on one line: HTML tags and runs of space removed, cut. */
export function oneLine(text: string): string {
  const flat = text
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return flat.length > BODY_CHARS ? `${flat.slice(0, BODY_CHARS)}… (${flat.length} chars)` : flat || "(empty body)";
}

/** Whether a refusal reads as a request the server could not parse or place (the contract's fault). */
export function judge(status: number, body: string): StepVerdict {
  if (status >= 200 && status < 300) return "ok";
  if (status === 400 || status === 422 || status === 404 || status === 405) return "mismatch";
  if (status >= 400 && status < 500 && /\b(missing|required|invalid|malformed|unknown field)\b/i.test(body)) return "mismatch";
  return "fault";
}

/** Merges the answer's Set-Cookie values over the Cookie header (same name: the new value wins). */
export function refreshCookies(header: string | undefined, set: Record<string, { value: string }[]>): string | undefined {
  const jar = new Map<string, string>();
  for (const pair of (header ?? "").split(";")) {
    const eq = pair.indexOf("=");
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  for (const [name, values] of Object.entries(set)) {
    const v = values[values.length - 1]?.value;
    if (v !== undefined) jar.set(name, v);
  }
  return jar.size === 0 ? header : [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
}

