// Runs one Socket.IO session on k6/ws sockets. ws.connect blocks the VU until the socket
// closes, so a session is synchronous from the scenario's point of view: connect() returns
// when the session is over, with what happened. With `reconnect`, a lost connection is opened
// again on a new socket after a bounded backoff (k6's sleep() is allowed between sockets); the
// same Socket objects, listeners and recovery state carry over.
import { sleep } from "k6";
import ws from "k6/ws";
import { backoffDelay } from "../protocol/backoff";
import { Connection } from "../protocol/connection";
import { EngineConnection } from "../protocol/engine";
import type { Handshake } from "../protocol/handshake";
import { preview } from "../protocol/handshake";
import { flushMessageCounts, k6Metrics } from "./k6-metrics";
import { engineQuery, type ResolvedOptions } from "../protocol/options";
import { pollingHandshake } from "./polling-handshake";
import type { ConnectError, Socket } from "../protocol/socket";
import { inertScheduler, type Scheduler } from "../protocol/transport";
import { engineUrl } from "../protocol/url";

export interface SessionResult {
  /** The namespace connection succeeded (it may have ended since). */
  connected: boolean;
  /** Why the namespace could not be connected, when it could not. */
  connectError: ConnectError | undefined;
  /** Why a connected session ended: io client disconnect, io server disconnect, ping timeout, … */
  disconnectReason: string | undefined;
  /** Set when a scenario callback threw; the session was closed because of it. */
  handlerError: Error | undefined;
  /** The Engine.IO session id (of the last connection). */
  sid: string | undefined;
  /** Reconnections that succeeded. */
  reconnects: number;
  durationMs: number;
}

export type SessionHandler = (socket: Socket) => void;

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
  if (result.connectError) {
    const { reason, message } = result.connectError;
    explainOnce(`connect:${reason}`, `connect to ${where} failed [${reason}]: ${message}`);
  } else if (result.disconnectReason && result.disconnectReason !== "io client disconnect" && result.disconnectReason !== "handler error") {
    explainOnce(`disconnect:${result.disconnectReason}`, `session on ${where} ended by ${result.disconnectReason}`);
  }
  return result;
}

/** Timers go to whichever socket is current; before the first and between sockets none fire. */
class CurrentSocketScheduler implements Scheduler {
  current: Scheduler = inertScheduler;
  now(): number {
    return Date.now();
  }
  after(ms: number, fn: () => void): void {
    this.current.after(ms, fn);
  }
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
  });
}

export function runSession(opts: ResolvedOptions, handler: SessionHandler): SessionResult {
  if (opts.transport === "polling-only") {
    throw new TypeError('transport "polling-only" runs on k6\'s event loop: use `await connectAsync(...)` in an async function');
  }
  const startedAt = Date.now();
  const scheduler = new CurrentSocketScheduler();
  const connection = newConnection(opts, scheduler, startedAt);
  const socket = connection.socket(opts.namespace, opts.auth);
  let handlerRan = false;
  // The handler registers listeners; it runs once, where timers can fire (inside the first socket).
  const runHandler = (): void => {
    if (handlerRan) return;
    handlerRan = true;
    connection.invoke("session handler", handler, [socket]);
  };
  const deadline = opts.sessionTimeout === undefined ? Infinity : startedAt + opts.sessionTimeout;
  let sid: string | undefined;
  let failedAttempts = 0;

  for (let attempt = 0; ; attempt++) {
    const connectsBefore = socket.connects;
    sid = oneTransport(opts, connection, scheduler, runHandler, Date.now(), deadline) ?? sid;
    if (!opts.reconnect || connection.handlerError) break;
    const lost = connection.lostSockets;
    if (lost.length === 0) break;
    failedAttempts = socket.connects > connectsBefore ? 0 : failedAttempts + 1;
    if (failedAttempts >= opts.reconnect.attempts) {
      for (const s of lost) s.giveUp(failedAttempts);
      break;
    }
    const delay = backoffDelay(failedAttempts + 1, opts.reconnect);
    if (Date.now() + delay >= deadline) break;
    for (const s of lost) s.announceAttempt(failedAttempts + 1);
    sleep(delay / 1000);
    connection.prepareReconnect();
  }
  return explain(opts, sessionResult(connection, socket, startedAt, sid));
}

/** One transport: the polling handshake and upgrade if asked for, then a WebSocket until it closes. Returns its sid. */
function oneTransport(
  opts: ResolvedOptions,
  connection: Connection,
  scheduler: CurrentSocketScheduler,
  runHandler: () => void,
  attemptStart: number,
  deadline: number,
): string | undefined {
  let upgrade: { handshake: Handshake; payloads: { payload: string | ArrayBuffer; receivedAt: number }[] } | undefined;
  const connectDeadline = Math.min(attemptStart + opts.connectTimeout, deadline);
  connection.startedAt = attemptStart;
  if (opts.transport === "polling") {
    const polled = pollingHandshake(opts, (eio3) => connection.connectFrames(eio3), connection.newDecoder(), connectDeadline);
    if (!polled.ok) {
      scheduler.current = inertScheduler;
      runHandler();
      connection.failAll(polled.error);
      return undefined;
    }
    upgrade = polled;
  }
  const url = engineUrl(opts.target, opts.path, "websocket", engineQuery(opts), upgrade?.handshake.sid);
  // The sid makes every upgrade URL unique: name the metric series after the endpoint instead.
  const tags = { ...opts.tags, name: engineUrl(opts.target, opts.path, "websocket", {}) };
  let engine: EngineConnection | undefined;

  const response = ws.connect(url, { headers: opts.headers, tags }, (raw) => {
    scheduler.current = { now: () => Date.now(), after: (ms, fn) => raw.setTimeout(fn, Math.max(1, ms)) };
    engine = new EngineConnection(
      { sendText: (d) => raw.send(d), sendBinary: (d) => raw.sendBinary(d), close: () => raw.close() },
      scheduler,
      connection,
      { openTimeout: Math.max(1, connectDeadline - Date.now()), protocol: opts.protocol, ...(upgrade ? { upgradeFrom: upgrade.handshake } : {}) },
    );
    connection.attach(engine, attemptStart);
    if (upgrade) connection.preload(upgrade.payloads);
    const eng = engine;
    raw.on("open", () => eng.start());
    raw.on("message", (data: string) => eng.receiveText(data));
    raw.on("binaryMessage", (data: ArrayBuffer) => eng.receiveBinary(data));
    raw.on("close", (code: number) => eng.transportClosed(code));
    raw.on("error", (e: { error(): string }) => {
      eng.transportError(typeof e?.error === "function" ? e.error() : String(e));
      // k6 may call this handler from inside its own close; closing from here would re-enter
      // it and deadlock the VU. Close from the event loop instead (a no-op if already closed).
      raw.setTimeout(() => raw.close(), 1);
    });
    scheduler.after(connectDeadline - Date.now(), () => connection.connectDeadline(opts.connectTimeout));
    if (deadline !== Infinity) {
      scheduler.after(deadline - Date.now(), () => connection.close("session timeout", `sessionTimeout of ${opts.sessionTimeout} ms reached`));
    }
    runHandler();
  });
  scheduler.current = inertScheduler;

  if (!engine) {
    // The WebSocket handshake itself failed: refused, HTTP error, TLS, DNS…
    const status = response?.status ?? 0;
    const what = upgrade ? `WebSocket upgrade of session ${upgrade.handshake.sid}` : "WebSocket handshake";
    const error: ConnectError =
      status > 0
        ? { reason: `http_${status}`, message: `${what} refused: HTTP ${status} from ${url}${response?.body ? `: ${preview(response.body)}` : ""}` }
        : { reason: "network", message: `${what} to ${url} failed: ${response?.error || "no response"}` };
    runHandler();
    connection.failAll(error);
    return upgrade?.handshake.sid;
  }
  return engine.sid;
}
