// One HTTP step of a contract (create a room, enter it): the request from templates, the
// session's Cookie header refreshed from the answer's Set-Cookie (a server may rotate its session
// cookie on every step, as Flask's signed sessions do), and the answer judged: 2xx "ok"; 400/422,
// 404 on the contract's own path, or another 4xx whose body says "missing", "required" or
// "invalid" is "mismatch" (the contract describes this request wrongly, probably); anything else
// "fault" (the server's). `describe()` gives the one line that names the step, the request sent
// (secrets redacted) and the answer (tags stripped, cut).
import http from "k6/http";
import { fill } from "../contracts/pattern";
import { flatten } from "../contracts/json";
import type { HttpStep } from "../contracts/game-room";
import { Redactor } from "../socketio";

export type StepVerdict = "ok" | "mismatch" | "fault";

export interface StepAnswer {
  verdict: StepVerdict;
  status: number;
  /** The answer's JSON, or undefined when it is not JSON. */
  json: unknown;
  /** The request's headers with the Cookie header refreshed from the answer. */
  headers: Record<string, string>;
  /** "POST http://…/api/rooms/join {"room_code":"AB"} answered 404: {"error":"no such route"}" */
  line: string;
}

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

/** Fills the step's path (values URL-encoded) and body, sends it, judges the answer. Never rejects. */
export async function runStep(step: HttpStep, origin: string, vars: Record<string, unknown>, headers: Record<string, string>, secrets: string[], timeoutMs: number): Promise<StepAnswer> {
  const flat = flatten(vars);
  const path = step.path.replace(/\$\{([\w.]+)\}/g, (_, name: string) => encodeURIComponent(String(flat[name] ?? "")));
  const url = `${origin}${path}`;
  const body = step.body === undefined ? null : JSON.stringify(fill(step.body, flat));
  const sent = `${step.method} ${url}${body ? ` ${body}` : ""}`;
  const redact = (s: string) => new Redactor(secrets).text(s);
  const own = { ...headers };
  if (body !== null) own["Content-Type"] = "application/json";
  try {
    // A jar of its own, so the VU's shared jar never adds cookies beside our Cookie header.
    const res = await http.asyncRequest(step.method, url, body, { headers: own, jar: new http.CookieJar(), timeout: `${timeoutMs}ms`, tags: { name: `${step.method} ${step.path}` }, responseType: "text", redirects: 0 });
    const text = typeof res.body === "string" ? res.body : "";
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const cookie = refreshCookies(headers.Cookie, res.cookies);
    return { verdict: judge(res.status, text), status: res.status, json, headers: cookie ? { ...headers, Cookie: cookie } : headers, line: redact(`${sent} answered ${res.status}: ${oneLine(text)}`) };
  } catch (err) {
    return { verdict: "fault", status: 0, json: undefined, headers, line: redact(`${sent} failed: ${err instanceof Error ? err.message : String(err)}`) };
  }
}
