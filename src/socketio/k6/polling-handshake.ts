// The HTTP long-polling half of a polling-then-upgrade connection, over k6/http: the
// Engine.IO handshake, the namespace CONNECT, and polls until the CONNECT reply arrives.
// k6/http is synchronous, so each request is bounded by what is left of the connect deadline.
import encoding from "k6/encoding";
import http from "k6/http";
import { decodeEngineFrame, decodePollingBodyV3, encodeEngineText, encodePollingBodyV3, type Frame, isPollingBodyV3, PacketType } from "../protocol/codec";
import type { PacketDecoder } from "../protocol/parser";
import { type Handshake, parseHandshake, preview } from "../protocol/handshake";
import { engineQuery, type ResolvedOptions } from "../protocol/options";
import type { ConnectError } from "../protocol/socket";
import { engineUrl } from "../protocol/url";

export type PollingOutcome =
  | { ok: true; handshake: Handshake; payloads: { payload: Frame; receivedAt: number }[] }
  | { ok: false; error: ConnectError };

/** k6 marks a request that hit its timeout with this error code. */
const K6_REQUEST_TIMEOUT = 1050;

type Reply = { text: string; at: number; fail?: undefined } | { fail: ConnectError };

export function pollingHandshake(
  opts: ResolvedOptions,
  connectFrames: (eio3: boolean) => Frame[],
  probe: PacketDecoder,
  deadline: number,
): PollingOutcome {
  // The sid makes every URL unique: tag k6's http metrics with the endpoint instead.
  const nameTag = engineUrl(opts.target, opts.path, "polling", {});
  let v3 = false;
  const request = (method: "GET" | "POST", sid: string | undefined, body?: string): Reply => {
    // b64=1 from the first request: Engine.IO v3 fixes a session's binary framing at the
    // handshake (base64 text is what we decode), and v4 servers ignore the parameter.
    const url = engineUrl(opts.target, opts.path, "polling", { ...engineQuery(opts), b64: "1" }, sid);
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
  const frames = (body: string): string[] | null => (v3 ? decodePollingBodyV3(body) : body.split(RECORD_SEPARATOR));
  const post = (sid: string, wire: string[]): Reply => request("POST", sid, v3 ? encodePollingBodyV3(wire) : wire.join(RECORD_SEPARATOR));

  const opened = request("GET", undefined);
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
  const handshake = parseHandshake(open.data);
  if (typeof handshake === "string") return { ok: false, error: { reason: "handshake_invalid", message: handshake } };
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
  const take = (packets: string[], at: number): Reply | null => {
    for (const raw of packets) {
      const packet = decodeEngineFrame(raw);
      if (!packet) continue;
      if (packet.type === "message") {
        payloads.push({ payload: packet.data as Frame, receivedAt: at });
        replied = replied || isConnectReply(probe, packet.data as Frame, opts.namespace);
      } else if (packet.type === "ping") {
        const pong = post(handshake.sid, [encodeEngineText("pong")]);
        if (pong.fail) return pong;
      } else if (packet.type === "close") {
        return { fail: { reason: "closed_during_handshake", message: "the server closed the polling session before the namespace CONNECT reply" } };
      }
    }
    return null;
  };
  // A Socket.IO v2 server puts its CONNECT for "/" right behind the open packet.
  const early = take(first.slice(1), opened.at);
  if (early?.fail) return { ok: false, error: early.fail };

  const wire = connectFrames(handshake.eio3).map((f) => (typeof f === "string" ? encodeEngineText("message", f) : `b${encoding.b64encode(f)}`));
  if (wire.length > 0) {
    const posted = post(handshake.sid, wire);
    if (posted.fail) return { ok: false, error: posted.fail };
  }
  while (!replied) {
    const polled = request("GET", handshake.sid);
    if (polled.fail) return { ok: false, error: polled.fail };
    const packets = frames(polled.text);
    if (!packets) {
      return { ok: false, error: { reason: "handshake_invalid", message: `undecodable polling response ${preview(polled.text)}` } };
    }
    const problem = take(packets, polled.at);
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
