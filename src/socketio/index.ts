// k6-socketio: Socket.IO clients for k6 scenarios (Engine.IO v4 / Socket.IO v5, and v3 / v2).
//
// The await API, on k6's event loop (k6/websockets; polling over http.asyncRequest):
//
//   import { io } from "k6-socketio";
//   export default async function () {
//     const socket = await io("http://127.0.0.1:3000", { auth: { token } });
//     const reply = await socket.request("queue_join", { player_id: "p1", elo: 1200 });
//     socket.disconnect();
//   }
//
// connect() runs one session on k6/ws, which blocks the VU until the socket closes; its
// callback socket has the same methods with callbacks instead of promises.
import { openEventLoopSession } from "./io";
import { runSession } from "./k6/ws-session";
import { explain, type SessionHandler, type SessionResult } from "./k6/session";
import { type ConnectOptions, resolveOptions } from "./protocol/options";

export { AckError, io, Socket } from "./io";
export type { ConnectOptions } from "./protocol/options";
export type { ReconnectOptions } from "./protocol/backoff";
export type { PacketParser } from "./protocol/parser";
export { OptionsError, resolveOptions as resolveConnectOptions } from "./protocol/options";
export type { SessionHandler, SessionResult } from "./k6/session";
export type { AckOptions, ConnectError, Outcome, Socket as CallbackSocket, WaitOptions } from "./protocol/socket";
export { TargetUrlError, parseTarget, isLoopback } from "./protocol/url";
export { Redactor, redactUrl } from "./protocol/redact";
export { boundedJson } from "./protocol/bounded-json";
export { CONNECT_ERROR_REASONS, DISCONNECT_REASONS } from "./protocol/reasons";
export type { ConnectErrorReason, DisconnectReason } from "./protocol/reasons";
export { DECODE_ERROR_REASONS } from "./protocol/metrics";
export type { DecodeErrorReason } from "./protocol/metrics";
export { HANDSHAKE_BOUNDS } from "./protocol/handshake";
export { LIBRARY_METRICS, observeSamples, touchLibraryCounters } from "./k6/k6-metrics";
export { systemTagsWithoutUrl } from "./k6/system-tags";

/**
 * Opens a connection on k6/ws, runs `handler` with the namespace socket, and returns when the
 * session ends. The handler registers listeners; only the socket's own timers fire inside
 * (socket.setTimeout), never sleep().
 */
export function connect(url: string, handler: SessionHandler): SessionResult;
export function connect(url: string, options: ConnectOptions, handler: SessionHandler): SessionResult;
export function connect(url: string, a: ConnectOptions | SessionHandler, b?: SessionHandler): SessionResult {
  const handler = typeof a === "function" ? a : b;
  if (typeof handler !== "function") throw new TypeError("connect(url, [options], handler): handler must be a function");
  return runSession(resolveOptions(url, typeof a === "function" ? {} : a), handler);
}

/**
 * The callback session of connect(), on k6's event loop instead of k6/ws: resolves when the
 * session ends. Prefer io() for new scenarios; this is for handler-style code that must run
 * many sessions per VU.
 */
export function connectAsync(url: string, options: ConnectOptions, handler: SessionHandler): Promise<SessionResult> {
  const opts = resolveOptions(url, options);
  const session = openEventLoopSession(opts);
  // The handler runs before any frame can arrive: the transports deliver only from the event loop.
  session.connection.invoke("session handler", handler, [session.socket]);
  return session.finished;
}
