// The HTTP long-polling half of a polling-then-upgrade connection, over k6/http: the
// Engine.IO handshake, the namespace CONNECT, and polls until the CONNECT reply arrives.
// k6/http is synchronous, so each request is bounded by what is left of the connect deadline.
import http from "k6/http";
import { decodePollingBody, encodePollingBody, type Frame, PacketType, SocketDecoder } from "./codec";
import { type Handshake, parseHandshake, preview } from "./handshake";
import type { ResolvedOptions } from "./options";
import type { ConnectError } from "./socket";
import { engineUrl } from "./url";

export type PollingOutcome =
  | { ok: true; handshake: Handshake; payloads: { payload: Frame; receivedAt: number }[] }
  | { ok: false; error: ConnectError };

/** k6 marks a request that hit its timeout with this error code. */
const K6_REQUEST_TIMEOUT = 1050;

type Reply = { text: string; at: number; fail?: undefined } | { fail: ConnectError };

export function pollingHandshake(opts: ResolvedOptions, connectFrames: string[], deadline: number): PollingOutcome {
  // The sid makes every URL unique: tag k6's http metrics with the endpoint instead.
  const nameTag = engineUrl(opts.target, opts.path, "polling", {});
  const request = (method: "GET" | "POST", sid: string | undefined, body?: string): Reply => {
    const url = engineUrl(opts.target, opts.path, "polling", opts.query, sid);
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { fail: timeoutError(opts) };
    const headers = method === "POST" ? { "Content-Type": "text/plain;charset=UTF-8", ...opts.headers } : opts.headers;
    const params = { headers, timeout: `${remaining}ms`, tags: { ...opts.tags, name: nameTag }, responseType: "text" as const };
    const res = method === "GET" ? http.get(url, params) : http.post(url, body ?? "", params);
    if (res.error_code === K6_REQUEST_TIMEOUT) return { fail: timeoutError(opts) };
    if (res.status === 0) {
      return { fail: { reason: "network", message: `${method} ${url} failed: ${res.error || "no response"}` } };
    }
    const text = typeof res.body === "string" ? res.body : "";
    if (res.status !== 200) {
      return { fail: { reason: `http_${res.status}`, message: `HTTP ${res.status} from ${method} ${url}: ${preview(text)}` } };
    }
    return { text, at: Date.now() };
  };

  const opened = request("GET", undefined);
  if (opened.fail) return { ok: false, error: opened.fail };
  if (/^\d+:0\{/.test(opened.text)) {
    return { ok: false, error: { reason: "eio3_polling", message: "the server answered with Engine.IO v3 polling framing (Socket.IO v2): use transport \"websocket\", which speaks v3" } };
  }
  const first = decodePollingBody(opened.text)?.[0];
  if (!first || first.type !== "open") {
    return { ok: false, error: { reason: "handshake_invalid", message: `expected an Engine.IO open packet, got ${preview(opened.text)}` } };
  }
  const handshake = parseHandshake(first.data);
  if (typeof handshake === "string") return { ok: false, error: { reason: "handshake_invalid", message: handshake } };
  if (!handshake.upgrades.includes("websocket")) {
    return {
      ok: false,
      error: {
        reason: "upgrade_unavailable",
        message: `the server offers no websocket upgrade (upgrades: ${JSON.stringify(handshake.upgrades)}); use transport "websocket" or enable websocket on the server`,
      },
    };
  }

  const posted = request("POST", handshake.sid, encodePollingBody(connectFrames.map((data) => ({ type: "message", data }))));
  if (posted.fail) return { ok: false, error: posted.fail };

  const payloads: { payload: Frame; receivedAt: number }[] = [];
  const probe = new SocketDecoder();
  for (;;) {
    const polled = request("GET", handshake.sid);
    if (polled.fail) return { ok: false, error: polled.fail };
    const packets = decodePollingBody(polled.text);
    if (!packets) {
      return { ok: false, error: { reason: "handshake_invalid", message: `undecodable polling response ${preview(polled.text)}` } };
    }
    let replied = false;
    for (const packet of packets) {
      if (packet.type === "message") {
        payloads.push({ payload: packet.data as Frame, receivedAt: polled.at });
        replied = replied || isConnectReply(probe, packet.data as Frame, opts.namespace);
      } else if (packet.type === "ping") {
        const pong = request("POST", handshake.sid, encodePollingBody([{ type: "pong" }]));
        if (pong.fail) return { ok: false, error: pong.fail };
      } else if (packet.type === "close") {
        return { ok: false, error: { reason: "closed_during_handshake", message: "the server closed the polling session before the namespace CONNECT reply" } };
      }
    }
    if (replied) return { ok: true, handshake, payloads };
  }
}

function isConnectReply(decoder: SocketDecoder, payload: Frame, namespace: string): boolean {
  const packet = decoder.add(payload);
  if (!packet || packet instanceof Error) return false;
  return packet.nsp === namespace && (packet.type === PacketType.CONNECT || packet.type === PacketType.CONNECT_ERROR);
}

function timeoutError(opts: ResolvedOptions): ConnectError {
  return { reason: "timeout", message: `no namespace CONNECT reply over polling within ${opts.connectTimeout} ms` };
}
