// Every reason the library records: the values of the `reason` tag of socketio_disconnects and
// socketio_connect_errors, of `socket.disconnectReason` and of `connectError.reason`. What each
// one means is in docs/metrics.md ("Reasons"); test/unit/reasons.test.ts checks that the docs
// list exactly these, and the types below keep the code to them.

/** Why a connected namespace socket ended (socketio_disconnects{reason}). */
export const DISCONNECT_REASONS = [
  "io server disconnect",
  "io client disconnect",
  "ping timeout",
  "transport close",
  "transport error",
  "parse error",
  "handler error",
  "session timeout",
  "vanish timeout",
  "generator overloaded",
] as const;

export type DisconnectReason = (typeof DISCONNECT_REASONS)[number];

/** Why the connection failed before its handshake was through. `http_<status>` stands for every status. */
export const HANDSHAKE_FAILURES = [
  "network",
  "http_<status>",
  "timeout",
  "open_timeout",
  "upgrade_timeout",
  "upgrade_unavailable",
  "upgrade_refused",
  "handshake_invalid",
  "closed_during_handshake",
  "transport_error",
  "connect_error",
  "aborted",
] as const;

export type HandshakeFailure = Exclude<(typeof HANDSHAKE_FAILURES)[number], "http_<status>"> | `http_${number}`;

/** The socket's own leaving: never the reason a namespace failed to connect. */
type Leaving = "io server disconnect" | "io client disconnect";

/**
 * Why a namespace could not be connected (socketio_connect_errors{reason}): a handshake failure,
 * or the reason a connection that was up ended before the namespace's CONNECT reply (e.g.
 * `ping timeout` while the CONNECT waited).
 */
export const CONNECT_ERROR_REASONS: readonly string[] = [...HANDSHAKE_FAILURES, ...DISCONNECT_REASONS.filter((r) => r !== "io server disconnect" && r !== "io client disconnect")];

export type ConnectErrorReason = HandshakeFailure | Exclude<DisconnectReason, Leaving>;

/** Why an Engine.IO connection closed: a disconnect reason once open, a handshake failure before. */
export type CloseReason = DisconnectReason | HandshakeFailure;
