// k6-socketio: Socket.IO v5 / Engine.IO v4 clients for k6 scenarios.
//
//   import { connect } from "k6-socketio";
//   const result = connect("http://127.0.0.1:3000", { auth: { token } }, (socket) => {
//     socket.on("connect", () => {
//       socket.emitWithAck("queue_join", [{ player_id: "p1", elo: 1200 }], (ack) => {
//         socket.disconnect();
//       }, { timeout: 5000 });
//     });
//   });
//
// connect() blocks until the session ends (k6/ws semantics). Inside a session only the
// socket's own timers fire: use socket.setTimeout, never sleep().
import { type ConnectOptions, resolveOptions } from "./protocol/options";
import { runPollingOnlySession } from "./k6/polling-session";
import { runWebSocketsSession } from "./k6/websockets-session";
import { explain, runSession, type SessionHandler, type SessionResult } from "./k6/ws-session";

export type { ConnectOptions } from "./protocol/options";
export type { ReconnectOptions } from "./protocol/backoff";
export type { PacketParser } from "./protocol/parser";
export { OptionsError, resolveOptions as resolveConnectOptions } from "./protocol/options";
export type { SessionHandler, SessionResult } from "./k6/ws-session";
export type { AckOptions, ConnectError, Outcome, Socket, WaitOptions } from "./protocol/socket";
export { TargetUrlError, parseTarget, isLoopback } from "./protocol/url";
export { touchLibraryCounters } from "./k6/k6-metrics";
export { systemTagsWithoutUrl } from "./k6/system-tags";

/** Opens a connection, runs `handler` with the namespace socket, and returns when the session ends. */
export function connect(url: string, handler: SessionHandler): SessionResult;
export function connect(url: string, options: ConnectOptions, handler: SessionHandler): SessionResult;
export function connect(url: string, a: ConnectOptions | SessionHandler, b?: SessionHandler): SessionResult {
  const handler = typeof a === "function" ? a : b;
  if (typeof handler !== "function") throw new TypeError("connect(url, [options], handler): handler must be a function");
  return runSession(resolveOptions(url, typeof a === "function" ? {} : a), handler);
}

/**
 * The same session as connect(), as a Promise, on k6's event loop: "websocket" runs over
 * k6/websockets and "polling-only" over http.asyncRequest, so one VU can hold many sessions at
 * once (await Promise.all([...])). "polling" (handshake, then upgrade) runs as connect() does.
 */
export function connectAsync(url: string, options: ConnectOptions, handler: SessionHandler): Promise<SessionResult> {
  const opts = resolveOptions(url, options);
  // Failures are explained once per reason and VU, as connect() does.
  if (opts.transport === "polling-only") return runPollingOnlySession(opts, handler).then((r) => explain(opts, r));
  if (opts.transport === "websocket") return runWebSocketsSession(opts, handler).then((r) => explain(opts, r));
  return Promise.resolve(runSession(opts, handler));
}
