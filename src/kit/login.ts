// An HTTP login before the socket connects, for servers whose Socket.IO CONNECT is refused without
// the session cookie of their own login (Flask-SocketIO and Express sessions read the cookie of
// the handshake request). Per player: a fresh cookie jar, optionally a CSRF token fetched first
// and sent as a header, the login request, then the jar's cookies as the Cookie header of every
// handshake request (polling and WebSocket alike).
//   -e LOGIN='{"url":"/api/login","body":{"username":"${player.id}","password":"pw"},
//              "csrf":{"url":"/api/csrf","json":"csrf_token","header":"X-CSRFToken"}}'
import http from "k6/http";
import { fill } from "../contracts/pattern";
import { flatten } from "../contracts/json";
import { EnvError } from "./env";
import { Counter } from "./metrics";
import { checkLoginStep, type LoginStep } from "../contracts/contract";

export type { LoginStep };


export type LoginResult =
  | { ok: true; headers: Record<string, string> }
  /** `refusal`: the HTTP answer of a refused request (status, the request sent, the answer's text), for callers that judge it. */
  | { ok: false; reason: string; message: string; refusal?: { status: number; sent: string; answer: string } };

export function parseLoginStep(raw: unknown, where: string): LoginStep {
  try {
    return checkLoginStep(raw, where);
  } catch (err) {
    throw new EnvError(err instanceof Error ? err.message : String(err));
  }
}

const absolute = (origin: string, url: string): string => (/^https?:\/\//.test(url) ? url : `${origin}${url.startsWith("/") ? "" : "/"}${url}`);

/** Logs `player` in; resolves with the headers its socket must send, or why it could not. Never rejects. */
export async function login(step: LoginStep, origin: string, player: { id: string }, timeoutMs: number): Promise<LoginResult> {
  const jar = new http.CookieJar();
  const params = (headers: Record<string, string> = {}) => ({ jar, headers, timeout: `${timeoutMs}ms`, tags: { name: "login" }, responseType: "text" as const, redirects: 0 });
  const headers: Record<string, string> = {};
  try {
    if (step.csrf) {
      const csrfUrl = absolute(origin, step.csrf.url);
      const res = await http.asyncRequest("GET", csrfUrl, null, params());
      if (res.status < 200 || res.status >= 300) return { ok: false, reason: `csrf_http_${res.status}`, message: `GET ${csrfUrl} answered HTTP ${res.status}`, refusal: { status: res.status, sent: `GET ${csrfUrl}`, answer: String(res.body ?? "") } };
      let token: unknown;
      if (step.csrf.json) token = (JSON.parse(String(res.body ?? "{}")) as Record<string, unknown>)[step.csrf.json];
      else token = jar.cookiesForURL(csrfUrl)[step.csrf.cookie!]?.[0];
      if (typeof token !== "string" || token === "") return { ok: false, reason: "csrf_missing", message: `no CSRF token in ${step.csrf.json ? `the JSON field "${step.csrf.json}"` : `the cookie "${step.csrf.cookie}"`} of GET ${csrfUrl}` };
      headers[step.csrf.header] = token;
    }
    const url = absolute(origin, step.url);
    const body = step.body === undefined ? null : fill(step.body, flatten({ player }));
    const encoded = body === null ? null : step.form ? (body as Record<string, string>) : JSON.stringify(body);
    const res = await http.asyncRequest(step.method ?? "POST", url, encoded, params(step.form || body === null ? headers : { ...headers, "Content-Type": "application/json" }));
    const good = step.status !== undefined ? res.status === step.status : res.status >= 200 && res.status < 400;
    if (!good) {
      const sent = `${step.method ?? "POST"} ${url}${encoded === null ? "" : ` ${typeof encoded === "string" ? encoded : JSON.stringify(encoded)}`}`;
      return { ok: false, reason: `http_${res.status}`, message: `${step.method ?? "POST"} ${url} answered HTTP ${res.status}`, refusal: { status: res.status, sent, answer: String(res.body ?? "") } };
    }
    const cookies = jar.cookiesForURL(url);
    const pairs = Object.entries(cookies).flatMap(([name, values]) => values.map((v) => `${name}=${v}`));
    if (pairs.length === 0) return { ok: false, reason: "no_cookie", message: `${step.method ?? "POST"} ${url} answered HTTP ${res.status} but set no cookie` };
    return { ok: true, headers: { ...headers, Cookie: pairs.join("; ") } };
  } catch (err) {
    return { ok: false, reason: "network", message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The login of one scenario: counted in `<scenario>_login_failures{reason}` and explained once
 * per reason and VU, naming the contract and the step. Created in the init context.
 */
export class Logins {
  private readonly failures: Counter;
  private readonly explained = new Set<string>();

  constructor(
    private readonly scenario: string,
    private readonly step: LoginStep | undefined,
    private readonly owner: string,
    /** Takes a refusal it judges to be the contract's fault (a malformed request) instead of counting a login failure: true when it took it. */
    private readonly refused?: (refusal: { status: number; sent: string; answer: string }) => boolean,
  ) {
    this.failures = new Counter(`${scenario}_login_failures`);
  }

  get enabled(): boolean {
    return this.step !== undefined;
  }

  /** For prepareRun(): the counter at 0. */
  get counter(): Counter {
    return this.failures;
  }

  /** `options` with the login's Cookie (and CSRF) headers for `player`, or null when the login failed (counted). */
  async optionsFor<O extends { headers?: Record<string, string> }>(options: O, origin: string, player: { id: string }, timeoutMs: number): Promise<O | null> {
    if (!this.step) return options;
    const r = await login(this.step, origin, player, timeoutMs);
    if (r.ok) return { ...options, headers: { ...(options.headers ?? {}), ...r.headers } };
    if (r.refusal && this.refused?.(r.refusal)) return null;
    this.failures.add(1, { reason: r.reason });
    if (!this.explained.has(r.reason)) {
      this.explained.add(r.reason);
      console.warn(`${this.scenario}: ${this.owner}, login step failed [${r.reason}]: ${r.message}; the player does not connect (counted in ${this.scenario}_login_failures, logged once per reason and VU)`);
    }
    return null;
  }
}
