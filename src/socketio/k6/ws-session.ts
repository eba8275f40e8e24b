// Runs one Socket.IO session on k6/ws sockets. ws.connect blocks the VU until the socket
// closes, so a session is synchronous from the scenario's point of view: connect() returns
// when the session is over, with what happened. With `reconnect`, a lost connection is opened
// again on a new socket after a bounded backoff (k6's sleep() is allowed between sockets); the
// same Socket objects, listeners and recovery state carry over.
import { sleep } from "k6";
import ws from "k6/ws";
import { EngineConnection } from "../protocol/engine";
import { preview } from "../protocol/handshake";
import { engineQuery, type ResolvedOptions } from "../protocol/options";
import { ReconnectPlan } from "../protocol/reconnect";
import type { ConnectError } from "../protocol/socket";
import { inertScheduler, type Scheduler, type WireTrace } from "../protocol/transport";
import { redactUrl } from "../protocol/redact";
import { engineEndpoint, engineUrl } from "../protocol/url";
import type { Connection } from "../protocol/connection";
import { pollingHandshake } from "./polling-handshake";
import { warnIfUrlTagged } from "./system-tags";
import { attachEngine, explain, newConnection, type Upgrade, type SessionHandler, type SessionResult, sessionResult } from "./session";
import { wireTracer } from "./trace";
import { checkStall, generatorLag, probeStopped, tickOnSocket } from "./vu-probe";

/** Timers go to whichever socket is current; before the first and between sockets none fire. */
class CurrentSocketScheduler implements Scheduler {
  current: Scheduler = inertScheduler;
  now(): number {
    return Date.now();
  }
  after(ms: number, fn: () => void): void {
    this.current.after(ms, fn);
  }
  lag(): number {
    return generatorLag();
  }
}

export function runSession(opts: ResolvedOptions, handler: SessionHandler): SessionResult {
  if (opts.transport === "polling-only") {
    throw new TypeError('transport "polling-only" runs on k6\'s event loop: use `await connectAsync(...)` in an async function');
  }
  warnIfUrlTagged(opts.target, opts.query);
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
  const plan = new ReconnectPlan(opts.reconnect, deadline);
  const trace = wireTracer(opts);
  let sid: string | undefined;

  for (;;) {
    const connectsBefore = socket.connects;
    sid = oneTransport(opts, connection, scheduler, runHandler, Date.now(), deadline, trace) ?? sid;
    const delay = plan.next(connection, socket.connects > connectsBefore, Date.now());
    if (delay === null) break;
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
  trace: WireTrace | undefined,
): string | undefined {
  let upgrade: Upgrade | undefined;
  const connectDeadline = Math.min(attemptStart + opts.connectTimeout, deadline);
  connection.startedAt = attemptStart;
  if (opts.transport === "polling") {
    const polled = pollingHandshake(opts, (eio3) => connection.connectFrames(eio3), connection.newDecoder(), connectDeadline, trace);
    if (!polled.ok) {
      scheduler.current = inertScheduler;
      runHandler();
      connection.failAll(polled.error);
      return undefined;
    }
    upgrade = polled;
  }
  const url = engineUrl(opts.target, opts.path, "websocket", engineQuery(opts), upgrade?.handshake.sid);
  if (trace) trace.note(`${upgrade ? "upgrade to" : "dial"} ${url}`);
  // The sid makes every upgrade URL unique and the query may hold a token: name the series after the bare endpoint.
  const tags = { ...opts.tags, name: engineEndpoint(opts.target, opts.path, "websocket") };
  let engine: EngineConnection | undefined;
  let late = false;
  let socketOpen = true;

  const response = ws.connect(url, { headers: opts.headers, tags }, (raw) => {
    const after = (ms: number, fn: () => void): void => raw.setTimeout(fn, Math.max(1, ms));
    // k6/ws blocks the VU in its dial, where no timer can fire: a handshake answered past the
    // connect deadline is a timed-out connect, counted now (never a slow success), and the
    // stall watch looks at the time the VU spent blocked.
    checkStall();
    if (Date.now() >= connectDeadline) {
      late = true;
      runHandler();
      connection.failAll({ reason: "timeout", message: `the WebSocket handshake with ${tags.name} took ${Date.now() - attemptStart} ms, past connectTimeout (${opts.connectTimeout} ms)` });
      after(1, () => raw.close());
      return;
    }
    tickOnSocket(opts.stallAfter, after, () => socketOpen);
    scheduler.current = { now: () => Date.now(), after };
    const sink = { sendText: (d: string) => raw.send(d), sendBinary: (d: ArrayBuffer) => raw.sendBinary(d), close: () => raw.close() };
    engine = attachEngine(connection, sink, scheduler, opts, { startedAt: attemptStart, connectDeadline, upgrade, trace });
    const eng = engine;
    raw.on("open", () => eng.start());
    raw.on("message", (data: string) => eng.receiveText(data));
    raw.on("binaryMessage", (data: ArrayBuffer) => eng.receiveBinary(data));
    raw.on("close", (code: number) => {
      socketOpen = false;
      eng.transportClosed(code);
    });
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
  probeStopped();
  if (late) return upgrade?.handshake.sid;

  if (!engine) {
    // The WebSocket handshake itself failed: refused, HTTP error, TLS, DNS…
    const status = response?.status ?? 0;
    const what = upgrade ? `WebSocket upgrade of session ${upgrade.handshake.sid}` : "WebSocket handshake";
    const error: ConnectError =
      status > 0
        ? { reason: `http_${status}`, message: `${what} refused: HTTP ${status} from ${redactUrl(url)}${response?.body ? `: ${preview(response.body)}` : ""}` }
        : { reason: "network", message: `${what} to ${redactUrl(url)} failed: ${response?.error || "no response"}` };
    runHandler();
    connection.failAll(error);
    return upgrade?.handshake.sid;
  }
  return engine.sid;
}
