// Test doubles for the protocol engine's surroundings: a scheduler whose clock the test
// advances, a frame sink that records what was sent, and a metrics recorder.
import { Connection, type ConnectionSettings } from "../../src/socketio/protocol/connection";
import { EngineConnection } from "../../src/socketio/protocol/engine";
import type { SocketMetrics } from "../../src/socketio/protocol/metrics";
import type { FrameSink, Scheduler } from "../../src/socketio/protocol/transport";

export class ManualScheduler implements Scheduler {
  private time = 1_000_000;
  private timers: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;
  /** What lag() reports: the generator's event-loop lag a test pretends. */
  lagMs = 0;

  now(): number {
    return this.time;
  }

  lag(): number {
    return this.lagMs;
  }

  after(ms: number, fn: () => void): void {
    this.timers.push({ at: this.time + ms, seq: this.seq++, fn });
  }

  /** Drops every armed timer, as k6/ws does with a closed WebSocket's timers. */
  discardTimers(): void {
    this.timers = [];
  }

  /** Timers armed and not yet fired. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves the clock forward, firing due timers in order (timers they add fire too if due). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }
}

export class RecordingSink implements FrameSink {
  readonly text: string[] = [];
  readonly binary: ArrayBuffer[] = [];
  closed = false;
  sendText(data: string): void {
    this.text.push(data);
  }
  sendBinary(data: ArrayBuffer): void {
    this.binary.push(data);
  }
  close(): void {
    this.closed = true;
  }
}

export class RecordingMetrics implements SocketMetrics {
  readonly events: string[] = [];
  readonly connectDurations: number[] = [];
  readonly ackDurations: number[] = [];
  connected(durationMs: number): void {
    this.connectDurations.push(durationMs);
    this.events.push("connected");
  }
  connectFailed(reason: string): void {
    this.events.push(`connectFailed:${reason}`);
  }
  ackReceived(event: string, durationMs: number): void {
    this.events.push(`received:ack:${event}`);
    this.ackDurations.push(durationMs);
    this.events.push(`ack:${event}`);
  }
  ackTimedOut(event: string, overloaded?: boolean): void {
    this.events.push(overloaded ? `ackTimeout:${event}:generator overloaded` : `ackTimeout:${event}`);
  }
  /** Answers awaited (connect attempts, acks asked for): kept apart from `events`. */
  expected = 0;
  expecting(): void {
    this.expected++;
  }
  waitTimedOut(event: string): void {
    this.events.push(`waitTimeout:${event}`);
  }
  ackLate(event: string): void {
    this.events.push(`ackLate:${event}`);
  }
  packetSent(kind: string, event?: string): void {
    this.events.push(`sent:${kind}${event ? `:${event}` : ""}`);
  }
  packetReceived(kind: string, event?: string): void {
    this.events.push(`received:${kind}${event ? `:${event}` : ""}`);
  }
  decodeError(reason: string): void {
    this.events.push(`decodeError:${reason}`);
  }
  disconnected(reason: string): void {
    this.events.push(`disconnected:${reason}`);
  }
  reconnectAttempt(): void {
    this.events.push("reconnectAttempt");
  }
  reconnected(durationMs: number, recovered: boolean, replayed: number): void {
    this.events.push(`reconnected:${durationMs}:${recovered}:${replayed}`);
  }
  reconnectFailed(): void {
    this.events.push("reconnectFailed");
  }
  count(prefix: string): number {
    return this.events.filter((e) => e === prefix || e.startsWith(`${prefix}:`)).length;
  }
}

export const OPEN = '0{"sid":"S1","upgrades":[],"pingInterval":1000,"pingTimeout":500,"maxPayload":1000000}';

/** A connection over a recording sink with a manual clock; `logs` gets "level:message" (and "once:key:message"). */
export function protocolRig(settings: Partial<ConnectionSettings> = {}) {
  const clock = new ManualScheduler();
  const sink = new RecordingSink();
  const metrics = new RecordingMetrics();
  const logs: string[] = [];
  const connection = new Connection({
    scheduler: clock,
    metrics,
    defaultAckTimeout: 1000,
    startedAt: clock.now(),
    log: (level, m) => logs.push(`${level}:${m}`),
    logOnce: (key, m) => logs.push(`once:${key}:${m}`),
    ...settings,
  });
  const engine = new EngineConnection(sink, clock, connection, { openTimeout: 5000 });
  connection.attach(engine);
  return { clock, sink, metrics, logs, connection, engine };
}
