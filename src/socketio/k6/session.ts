// What every k6 transport shares: the connection of a session, its result, and the one-line
// explanation of a failure. The transports themselves are ws-session (k6/ws),
// websockets-session (k6/websockets) and polling-session (http.asyncRequest).
import { Connection } from "../protocol/connection";
import { EngineConnection } from "../protocol/engine";
import type { Handshake } from "../protocol/handshake";
import type { HeartbeatSweep } from "../protocol/heartbeat";
import type { ResolvedOptions } from "../protocol/options";
import type { DisconnectReason } from "../protocol/reasons";
import type { ConnectError, Socket } from "../protocol/socket";
import type { Frame, FrameSink, Scheduler, WireTrace } from "../protocol/transport";
import { connectionSecrets, Redactor } from "../protocol/redact";
import { flushMessageCounts, k6Metrics } from "./k6-metrics";
import { diagnoseConnectFailure, doctorCommand } from "../../doctor/connect-failure";
import { noteRootCause } from "./root-cause";

/** A server's answer (HTML included) as one short line. */
function oneLine(text: string): string {
  const flat = text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

export interface SessionResult {
  /** The namespace connection succeeded (it may have ended since). */
  connected: boolean;
  /** Why the namespace could not be connected, when it could not. */
  connectError: ConnectError | undefined;
  /** Why a connected session ended: io client disconnect, io server disconnect, ping timeout, … (docs/metrics.md lists them) */
  disconnectReason: DisconnectReason | undefined;
  /** Set when a scenario callback threw; the session was closed because of it. */
  handlerError: Error | undefined;
  /** The Engine.IO session id (of the last connection). */
  sid: string | undefined;
  /** Reconnections that succeeded. */
  reconnects: number;
  durationMs: number;
}

export type SessionHandler = (socket: Socket) => void;

/** A session that is running on k6's event loop: its connection, its first socket, and its end. */
export interface LiveSession {
  connection: Connection;
  socket: Socket;
  /** Resolves when the session is over, its failure explained (never rejects); every timer of the session is cleared by then. */
  finished: Promise<SessionResult>;
}

/** What a session reports when it ends, whatever transport it ran on. */
export function sessionResult(connection: Connection, socket: Socket, startedAt: number, sid: string | undefined): SessionResult {
  flushMessageCounts();
  return {
    connected: socket.connects > 0,
    connectError: socket.connects > 0 ? undefined : socket.connectError,
    disconnectReason: socket.disconnectReason,
    handlerError: connection.handlerError,
    sid,
    reconnects: Math.max(0, socket.connects - 1),
    durationMs: Date.now() - startedAt,
  };
}

const log = (level: "warn" | "error", message: string): void => {
  if (level === "error") console.error(message);
  else console.warn(message);
};

/** Reasons already explained in this VU: a failing server should not flood the log. */
const explained = new Set<string>();

function explainOnce(key: string, message: string): void {
  if (explained.has(key)) return;
  explained.add(key);
  console.warn(`k6-socketio: ${message} (logged once per reason and VU; every occurrence is counted)`);
}

/** Says why a session did not go as planned, so that a failed threshold comes with its cause. */
export function explain(opts: ResolvedOptions, result: SessionResult): SessionResult {
  const where = `${opts.target.secure ? "https" : "http"}://${opts.target.authority} namespace ${opts.namespace}`;
  if (result.connectError && !opts.expectRefusal) {
    const { reason, message } = result.connectError;
    if (!explained.has(`connect:${reason}`)) {
      // The doctor's cause and fix, found once per reason and VU (it may send one bounded GET).
      const d = diagnoseConnectFailure(opts, result.connectError);
      const doctor = doctorCommand(opts);
      // URLs in the message are already redacted; a server may still echo a header or token back in its body.
      explainOnce(`connect:${reason}`, `connect to ${where} failed [${reason}]: ${oneLine(new Redactor(connectionSecrets(opts)).text(message))}. Likely cause: ${d.cause}. Fix: ${d.fix}. Step by step: ${doctor}`);
      noteRootCause({ kind: "connect", cause: d.cause, fix: d.fix, doctor });
    }
  } else if (result.disconnectReason && result.disconnectReason !== "io client disconnect" && result.disconnectReason !== "handler error") {
    explainOnce(`disconnect:${result.disconnectReason}`, `session on ${where} ended by ${result.disconnectReason}`);
  }
  return result;
}

/** The connection of one session, whatever transport carries it. */
export function newConnection(opts: ResolvedOptions, scheduler: Scheduler, startedAt: number): Connection {
  return new Connection({
    scheduler,
    metrics: k6Metrics,
    defaultAckTimeout: opts.ackTimeout,
    connectTimeout: opts.connectTimeout,
    parser: opts.parser,
    startedAt,
    log,
    logOnce: explainOnce,
  });
}

/** What a polling handshake hands over to the WebSocket that upgrades it. */
export interface Upgrade {
  handshake: Handshake;
  payloads: { payload: Frame; receivedAt: number }[];
}

/** A new Engine.IO connection on a just-dialed WebSocket, attached as the session's current transport. */
export function attachEngine(
  connection: Connection,
  sink: FrameSink,
  scheduler: Scheduler,
  opts: ResolvedOptions,
  attempt: { startedAt: number; connectDeadline: number; upgrade: Upgrade | undefined; trace: WireTrace | undefined; heartbeats?: HeartbeatSweep },
): EngineConnection {
  const { upgrade } = attempt;
  const engine = new EngineConnection(sink, scheduler, connection, {
    openTimeout: Math.max(1, attempt.connectDeadline - Date.now()),
    protocol: opts.protocol,
    trace: attempt.trace,
    maxFrameBytes: opts.maxFrameBytes,
    ...(attempt.heartbeats ? { heartbeats: attempt.heartbeats } : {}),
    ...(upgrade ? { upgradeFrom: upgrade.handshake } : {}),
  });
  connection.attach(engine, attempt.startedAt);
  if (upgrade) connection.preload(upgrade.payloads);
  return engine;
}
