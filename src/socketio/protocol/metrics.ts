// What the protocol code reports. The k6 implementation lives in k6-metrics.ts; tests pass
// a recorder. Event names arrive here raw and are bounded by the implementation.
import type { ConnectErrorReason, DisconnectReason } from "./reasons";

export type PacketKind = "connect" | "disconnect" | "event" | "ack" | "connect_error";

/**
 * Why a frame was not usable: engine_frame (not Engine.IO), socket_packet (not a valid Socket.IO
 * packet), attachments (binary attachments that do not match their packet), unknown_ack (an ack
 * for an id this socket never sent), max_payload (a frame over the server's own maxPayload),
 * open_packet (an open packet value out of bounds or of the wrong type, replaced).
 */
export const DECODE_ERROR_REASONS = ["engine_frame", "socket_packet", "attachments", "unknown_ack", "max_payload", "frame_too_large", "open_packet"] as const;

export type DecodeErrorReason = (typeof DECODE_ERROR_REASONS)[number];

export interface SocketMetrics {
  /** A namespace CONNECT succeeded `durationMs` after the Engine.IO handshake started. */
  connected(durationMs: number): void;
  /** A namespace connection failed; `reason` is a short stable label (http_404, timeout, …). */
  connectFailed(reason: ConnectErrorReason): void;
  /** An ACK settled an emit of `event` after `durationMs`: the ack's latency, and the ACK packet received (one call per ack). */
  ackReceived(event: string, durationMs: number): void;
  /** No ack in time; `overloaded` when the generator's own lag is to blame rather than the server. */
  ackTimedOut(event: string, overloaded?: boolean): void;
  /** A waitFor for `event` timed out. */
  waitTimedOut(event: string): void;
  /** An ack arrived after its emit had already timed out. */
  ackLate(event: string): void;
  packetSent(kind: PacketKind, event?: string): void;
  packetReceived(kind: PacketKind, event?: string): void;
  decodeError(reason: DecodeErrorReason): void;
  /** A connected namespace socket was disconnected. */
  disconnected(reason: DisconnectReason): void;
  /** A reconnection attempt started (after a lost connection). */
  reconnectAttempt(): void;
  /** A lost namespace is connected again `durationMs` after the loss. */
  reconnected(durationMs: number, recovered: boolean, replayed: number): void;
  /** Reconnection gave up after its attempts. */
  reconnectFailed(): void;
  /** An answer is now awaited: a namespace connect attempt, or an emit that asks for an ack (the stall watch). */
  expecting(): void;
}
