// The HTTP long-polling half of a polling-then-upgrade connection: the Engine.IO handshake, the
// namespace CONNECT, and polls until the CONNECT reply arrives. Written once as a generator of
// requests, driven by k6/http (blocking, for k6/ws) or by http.asyncRequest (the event loop).
import encoding from "k6/encoding";
import http from "k6/http";
import { decodeEngineFrame, decodePollingBodyV3, encodeEngineText, encodePollingBodyV3, type Frame, isPollingBodyV3, PacketType } from "../protocol/codec";
import type { PacketDecoder } from "../protocol/parser";
import { type Handshake, parseHandshake, preview } from "../protocol/handshake";
import { engineQuery, type ResolvedOptions } from "../protocol/options";
import type { ConnectError } from "../protocol/socket";
import type { WireTrace } from "../protocol/transport";
import { redactUrl } from "../protocol/redact";
import { engineEndpoint, engineUrl } from "../protocol/url";
import { quietly, quietlyAsync, throwing } from "./quiet-http";

export type PollingOutcome =
  | { ok: true; handshake: Handshake; payloads: { payload: Frame; receivedAt: number }[] }
  | { ok: false; error: ConnectError };

/** k6 marks a request that hit its timeout with this error code. */
const K6_REQUEST_TIMEOUT = 1050;

type Reply = { text: string; at: number; fail?: undefined } | { fail: ConnectError };

/** One HTTP request the handshake needs made; the driver answers it with k6's response. */
export interface HttpCall {
  method: "GET" | "POST";
  url: string;
  body: string | null;
  params: { headers: Record<string, string>; timeout: string; tags: Record<string, string>; responseType: "text" };
}

/** The parts of a k6 response the handshake reads. */
export interface HttpAnswer {
  status: number;
  body: unknown;
  error: string;
  error_code: number;
}

type HandshakeSteps = Generator<HttpCall, PollingOutcome, HttpAnswer>;

/** The handshake over k6/http, blocking the VU (k6/ws sessions). */
export function pollingHandshake(
  opts: ResolvedOptions,
  connectFrames: (eio3: boolean) => Frame[],
  probe: PacketDecoder,
  deadline: number,
  trace?: WireTrace,
): PollingOutcome {
  const steps = handshakeSteps(opts, connectFrames, probe, deadline);
  let step = steps.next();
  while (!step.done) {
    const call = step.value;
    traceCall(trace, call);
    step = steps.next(traceAnswer(trace, quietly(() => http.request(call.method, call.url, call.body, throwing(call.params)) as HttpAnswer)));
  }
  return step.value;
}

function traceCall(trace: WireTrace | undefined, call: HttpCall): void {
  if (trace && call.body) trace.sent(call.body);
}

function traceAnswer(trace: WireTrace | undefined, answer: HttpAnswer): HttpAnswer {
  if (trace && typeof answer.body === "string" && answer.body !== "ok") trace.received(answer.body);
  return answer;
}

/** The same handshake over http.asyncRequest, on k6's event loop (k6/websockets sessions). */
export async function pollingHandshakeAsync(
  opts: ResolvedOptions,
  connectFrames: (eio3: boolean) => Frame[],
  probe: PacketDecoder,
  deadline: number,
  trace?: WireTrace,
): Promise<PollingOutcome> {
  const steps = handshakeSteps(opts, connectFrames, probe, deadline);
  let step = steps.next();
  while (!step.done) {
    const call = step.value;
    traceCall(trace, call);
    const answer: HttpAnswer = await quietlyAsync(() => http.asyncRequest(call.method, call.url, call.body, throwing(call.params)) as Promise<HttpAnswer>);
    step = steps.next(traceAnswer(trace, answer));
  }
  return step.value;
}

/**
 * The handshake as a sequence of requests, written once for both drivers: open the Engine.IO
 * session, POST the namespace CONNECTs, poll until their replies arrive. Each request is bounded
 * by what is left of the connect deadline.
 */
function* handshakeSteps(opts: ResolvedOptions, connectFrames: (eio3: boolean) => Frame[], probe: PacketDecoder, deadline: number): HandshakeSteps {
  // The sid makes every URL unique, and the query may hold a token: tag k6's http metrics with the bare endpoint.
  const nameTag = engineEndpoint(opts.target, opts.path, "polling");
  let v3 = false;
  function* request(method: "GET" | "POST", sid: string | undefined, body?: string): Generator<HttpCall, Reply, HttpAnswer> {
    // b64=1 from the first request: Engine.IO v3 fixes a session's binary framing at the
    // handshake (base64 text is what we decode), and v4 servers ignore the parameter.
    const url = engineUrl(opts.target, opts.path, "polling", { ...engineQuery(opts), b64: "1" }, sid);
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { fail: timeoutError(opts) };
    const headers = method === "POST" ? { "Content-Type": "text/plain;charset=UTF-8", ...opts.headers } : opts.headers;
    const res = yield { method, url, body: method === "POST" ? (body ?? "") : null, params: { headers, timeout: `${remaining}ms`, tags: { ...opts.tags, name: nameTag }, responseType: "text" } };
    if (res.error_code === K6_REQUEST_TIMEOUT) return { fail: timeoutError(opts) };
    if (res.status === 0) {
      return { fail: { reason: "network", message: `${method} ${redactUrl(url)} failed: ${res.error || "no response"}` } };
    }
    const text = typeof res.body === "string" ? res.body : "";
    if (res.status !== 200) {
      return { fail: { reason: `http_${res.status}`, message: `HTTP ${res.status} from ${method} ${redactUrl(url)}: ${preview(text)}` } };
    }
    return { text, at: Date.now() };
  }
  const frames = (body: string): string[] | null => (v3 ? decodePollingBodyV3(body) : body.split(RECORD_SEPARATOR));
  const post = (sid: string, wire: string[]) => request("POST", sid, v3 ? encodePollingBodyV3(wire) : wire.join(RECORD_SEPARATOR));

  const opened = yield* request("GET", undefined);
  if (opened.fail) return { ok: false, error: opened.fail };
  v3 = isPollingBodyV3(opened.text);
  if (v3 && opts.protocol === 4) {
    return { ok: false, error: { reason: "handshake_invalid", message: "the server speaks Engine.IO v3 (Socket.IO v2) but protocol: 4 was asked for" } };
  }
  const first = frames(opened.text);
  const open = first?.[0] ? decodeEngineFrame(first[0]) : null;
  if (!first || !open || open.type !== "open") {
    return { ok: false, error: { reason: "handshake_invalid", message: `expected an Engine.IO open packet, got ${preview(opened.text)}` } };
  }
  const parsed = parseHandshake(open.data);
  if (typeof parsed === "string") return { ok: false, error: { reason: "handshake_invalid", message: parsed } };
  // The payload framing tells the version for certain (socket.io 3.x sends no maxPayload either).
  const handshake: Handshake = { ...parsed, eio3: v3 };
  if (!handshake.upgrades.includes("websocket")) {
    return {
      ok: false,
      error: {
        reason: "upgrade_unavailable",
        message: `the server offers no websocket upgrade (upgrades: ${JSON.stringify(handshake.upgrades)}); use transport "polling-only" or enable websocket on the server`,
      },
    };
  }

  const payloads: { payload: Frame; receivedAt: number }[] = [];
  let replied = false;
  function* take(packets: string[], at: number): Generator<HttpCall, Reply | null, HttpAnswer> {
    for (const raw of packets) {
      const packet = decodeEngineFrame(raw);
      if (!packet) continue;
      if (packet.type === "message") {
        payloads.push({ payload: packet.data as Frame, receivedAt: at });
        replied = replied || isConnectReply(probe, packet.data as Frame, opts.namespace);
      } else if (packet.type === "ping") {
        const pong = yield* post(handshake.sid, [encodeEngineText("pong")]);
        if (pong.fail) return pong;
      } else if (packet.type === "close") {
        return { fail: { reason: "closed_during_handshake", message: "the server closed the polling session before the namespace CONNECT reply" } };
      }
    }
    return null;
  }
  // A Socket.IO v2 server puts its CONNECT for "/" right behind the open packet.
  const early = yield* take(first.slice(1), opened.at);
  if (early?.fail) return { ok: false, error: early.fail };

  const wire = connectFrames(handshake.eio3).map((f) => (typeof f === "string" ? encodeEngineText("message", f) : `b${encoding.b64encode(f)}`));
  if (wire.length > 0) {
    const posted = yield* post(handshake.sid, wire);
    if (posted.fail) return { ok: false, error: posted.fail };
  }
  while (!replied) {
    const polled = yield* request("GET", handshake.sid);
    if (polled.fail) return { ok: false, error: polled.fail };
    const packets = frames(polled.text);
    if (!packets) {
      return { ok: false, error: { reason: "handshake_invalid", message: `undecodable polling response ${preview(polled.text)}` } };
    }
    const problem = yield* take(packets, polled.at);
    if (problem?.fail) return { ok: false, error: problem.fail };
  }
  return { ok: true, handshake, payloads };
}

const RECORD_SEPARATOR = "\x1e";

function isConnectReply(decoder: PacketDecoder, payload: Frame, namespace: string): boolean {
  const packet = decoder.add(payload);
  if (!packet || packet instanceof Error) return false;
  return packet.nsp === namespace && (packet.type === PacketType.CONNECT || packet.type === PacketType.CONNECT_ERROR);
}

function timeoutError(opts: ResolvedOptions): ConnectError {
  return { reason: "timeout", message: `no namespace CONNECT reply over polling within ${opts.connectTimeout} ms` };
}
