// What the protocol engine needs from its surroundings. k6/ws provides these today; the
// k6/websockets event loop can provide them later without touching the protocol code.
import type { Frame } from "./codec";

/** Outgoing side of one WebSocket. */
export interface FrameSink {
  sendText(data: string): void;
  sendBinary(data: ArrayBuffer): void;
  close(): void;
}

/**
 * Time and timers. k6/ws timers cannot be cancelled, so every callback scheduled through
 * `after` checks whether it is still relevant when it fires.
 */
export interface Scheduler {
  now(): number;
  after(ms: number, fn: () => void): void;
  /** How late this generator's timers run now, in ms (the k6 transports measure it; absent: not measured). */
  lag?(): number;
}

/** A scheduler for code that runs outside any socket: time passes, timers never fire. */
export const inertScheduler: Scheduler = {
  now: () => Date.now(),
  after: () => undefined,
};

export type { Frame };

/** Sees every frame of a traced connection (SOCKETIO_DEBUG); absent on untraced ones. */
export interface WireTrace {
  sent(frame: string | ArrayBuffer): void;
  received(frame: string | ArrayBuffer): void;
  /** A line about the connection itself (URL, close). */
  note(text: string): void;
}
