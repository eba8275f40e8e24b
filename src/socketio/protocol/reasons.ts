// Every reason the library records, with what it means. These are the values of the `reason`
// tag of socketio_disconnects and socketio_connect_errors, of `socket.disconnectReason` and of
// `connectError.reason`. docs/metrics.md shows these tables; test/unit/reasons.test.ts checks
// that the docs and this list agree, and the types below keep the code to this list.

/** Why a connected namespace socket ended (socketio_disconnects{reason}). */
export const DISCONNECT_REASONS = {
  "io server disconnect": "the server sent DISCONNECT for the namespace (`socket.disconnect()` on the server)",
  "io client disconnect": "the scenario called `disconnect()`",
  "ping timeout": "no Engine.IO ping from the server within pingInterval + pingTimeout (Engine.IO v3: nothing at all from it)",
  "transport close":
    "the server closed the connection cleanly: an Engine.IO close packet, or a WebSocket close frame (1000, 1001, 1005 no status, …), as socket.io-client names it",
  "transport error":
    "the connection broke without a close: a reset or end of the TCP connection (WebSocket 1006, e.g. a crashed server), a WebSocket error, a failed long-polling request",
  "parse error": "a packet broke the library's own handling (a bug: please report it); only its connection is closed",
  "handler error": "a listener or callback of the scenario threw; only its connection is closed",
  "session timeout": "the `sessionTimeout` option ran out",
  "vanish timeout": "after `vanish()`, the server did not close the connection within the bound",
} as const;

export type DisconnectReason = keyof typeof DISCONNECT_REASONS;

/** Why a namespace could not be connected (socketio_connect_errors{reason}), before the handshake is through. */
export const HANDSHAKE_FAILURES = {
  network: "the connection could not be made (refused, DNS, TLS, no response)",
  "http_<status>": "the server answered the handshake or the upgrade with this HTTP status",
  timeout: "no namespace CONNECT reply within `connectTimeout`",
  open_timeout: "the WebSocket opened but no Engine.IO open packet came in time",
  upgrade_timeout: "no answer to the upgrade probe (`2probe`) in time",
  upgrade_unavailable: "the polling handshake does not offer the websocket upgrade",
  upgrade_refused: "k6/websockets: the WebSocket upgrade was refused and its HTTP status could not be read",
  handshake_invalid: "the open packet is not usable (no sid, no valid pingInterval/pingTimeout, not JSON) or the protocol does not match",
  closed_during_handshake: "the server closed the connection before the handshake finished",
  transport_error: "the connection broke during the handshake",
  connect_error: "the server refused the namespace with CONNECT_ERROR (its message is in `connectError.message`)",
  aborted: "the scenario called `disconnect()` before the namespace connected",
} as const;

export type HandshakeFailure = Exclude<keyof typeof HANDSHAKE_FAILURES, "http_<status>"> | `http_${number}`;

/**
 * A connection that is up can end before its namespace has connected: the namespace's connect
 * error then carries the disconnect reason (e.g. `ping timeout` while a CONNECT waits).
 */
export const CONNECT_ERROR_REASONS = { ...HANDSHAKE_FAILURES, ...withoutClientLeaving(DISCONNECT_REASONS) };

export type ConnectErrorReason = HandshakeFailure | Exclude<DisconnectReason, "io client disconnect" | "io server disconnect">;

/** Why an Engine.IO connection closed: a disconnect reason once open, a handshake failure before. */
export type CloseReason = DisconnectReason | HandshakeFailure;

function withoutClientLeaving<T extends Record<string, string>>(reasons: T): Omit<T, "io client disconnect" | "io server disconnect"> {
  const { "io client disconnect": _c, "io server disconnect": _s, ...rest } = reasons;
  return rest;
}
