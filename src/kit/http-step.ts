// One HTTP step of a contract (create a room, enter it): the request from templates, the
// session's Cookie header refreshed from the answer's Set-Cookie (a server may rotate its session
// cookie on every step, as Flask's signed sessions do), and the answer judged: 2xx "ok"; 400/422,
// 404 on the contract's own path, or another 4xx whose body says "missing", "required" or
// "invalid" is "mismatch" (the contract describes this request wrongly, probably); anything else
// "fault" (the server's). `line` names the request sent (secrets redacted) and the answer (tags
// stripped, cut). The judging is pure, in ./http-answer.ts.
import http from "k6/http";
import { fill } from "../contracts/pattern";
import { flatten } from "../contracts/json";
import type { HttpStep } from "../contracts/game-room";
import { Redactor } from "../socketio";
import { judge, oneLine, refreshCookies, type StepVerdict } from "./http-answer";

export { judge, oneLine, type StepVerdict };

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
