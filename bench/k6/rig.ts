// A connected socket with no network, for the in-k6 benches of the per-message path: the real
// Connection and EngineConnection over a sink that keeps the last frame sent.
import { Connection } from "../../src/socketio/protocol/connection";
import { EngineConnection } from "../../src/socketio/protocol/engine";
import type { SocketMetrics } from "../../src/socketio/protocol/metrics";
import type { FrameSink, Scheduler } from "../../src/socketio/protocol/transport";

const OPEN = '0{"sid":"S1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';
const noop = (): void => undefined;

/** The library's metrics interface doing nothing: the path's own cost. */
export const silentMetrics: SocketMetrics = {
  connected: noop, connectFailed: noop, ackReceived: noop, ackTimedOut: noop, waitTimedOut: noop, ackLate: noop, packetSent: noop,
  packetReceived: noop, decodeError: noop, disconnected: noop, reconnectAttempt: noop, reconnected: noop, reconnectFailed: noop, expecting: noop,
};

export function rig(metrics: SocketMetrics) {
  // Timers are collected, never fired: the loops settle every ack before its timeout.
  const scheduler: Scheduler = { now: () => Date.now(), after: () => undefined };
  const sent = { last: "" };
  const sink: FrameSink = { sendText: (d) => (sent.last = d), sendBinary: () => undefined, close: () => undefined };
  const connection = new Connection({ scheduler, metrics, defaultAckTimeout: 5000, startedAt: Date.now(), log: () => undefined });
  const socket = connection.socket("/");
  const engine = new EngineConnection(sink, scheduler, connection, { openTimeout: 5000 });
  connection.attach(engine);
  engine.start();
  engine.receiveText(OPEN);
  engine.receiveText('40{"sid":"N1"}');
  return { socket, engine, sent };
}
