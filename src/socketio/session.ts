// Runs one Socket.IO session on a k6/ws socket. ws.connect blocks the VU until the socket
// closes, so a session is synchronous from the scenario's point of view: connect() returns
// when the session is over, with what happened.
import ws from "k6/ws";
import { encodeSocketPacket, PacketType } from "./codec";
import { Connection } from "./connection";
import { EngineConnection } from "./engine";
import type { Handshake } from "./handshake";
import { preview } from "./handshake";
import { k6Metrics } from "./k6-metrics";
import type { ResolvedOptions } from "./options";
import { pollingHandshake } from "./polling";
import type { ConnectError, Socket } from "./socket";
import { inertScheduler, type Scheduler } from "./transport";
import { engineUrl } from "./url";

export interface SessionResult {
  /** The namespace connection succeeded (it may have ended since). */
  connected: boolean;
  /** Why the namespace could not be connected, when it could not. */
  connectError: ConnectError | undefined;
  /** Why a connected session ended: io client disconnect, io server disconnect, ping timeout, … */
  disconnectReason: string | undefined;
  /** Set when a scenario callback threw; the session was closed because of it. */
  handlerError: Error | undefined;
  /** The Engine.IO session id. */
  sid: string | undefined;
  durationMs: number;
}

export type SessionHandler = (socket: Socket) => void;

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
function explain(opts: ResolvedOptions, result: SessionResult): SessionResult {
  const where = `${opts.target.secure ? "https" : "http"}://${opts.target.authority} namespace ${opts.namespace}`;
  if (result.connectError) {
    const { reason, message } = result.connectError;
    explainOnce(`connect:${reason}`, `connect to ${where} failed [${reason}]: ${message}`);
  } else if (result.disconnectReason && result.disconnectReason !== "io client disconnect" && result.disconnectReason !== "handler error") {
    explainOnce(`disconnect:${result.disconnectReason}`, `session on ${where} ended by ${result.disconnectReason}`);
  }
  return result;
}

export function runSession(opts: ResolvedOptions, handler: SessionHandler): SessionResult {
  const startedAt = Date.now();
  if (opts.transport === "websocket") return explain(opts, overWebSocket(opts, handler, startedAt, undefined));
  const connectFrames = encodeSocketPacket({
    type: PacketType.CONNECT,
    nsp: opts.namespace,
    ...(opts.auth ? { data: opts.auth } : {}),
  }) as string[];
  const polled = pollingHandshake(opts, connectFrames, startedAt + opts.connectTimeout);
  if (!polled.ok) return explain(opts, failedBeforeTransport(opts, handler, startedAt, polled.error, undefined));
  return explain(opts, overWebSocket(opts, handler, startedAt, polled));
}

function overWebSocket(
  opts: ResolvedOptions,
  handler: SessionHandler,
  startedAt: number,
  upgrade: { handshake: Handshake; payloads: { payload: string | ArrayBuffer; receivedAt: number }[] } | undefined,
): SessionResult {
  const url = engineUrl(opts.target, opts.path, "websocket", opts.query, upgrade?.handshake.sid);
  // The sid makes every upgrade URL unique: name the metric series after the endpoint instead.
  const tags = { ...opts.tags, name: engineUrl(opts.target, opts.path, "websocket", {}) };
  let connection: Connection | undefined;
  let socket: Socket | undefined;
  let engine: EngineConnection | undefined;

  const response = ws.connect(url, { headers: opts.headers, tags }, (raw) => {
    const scheduler: Scheduler = {
      now: () => Date.now(),
      after: (ms, fn) => raw.setTimeout(fn, Math.max(1, ms)),
    };
    connection = new Connection({ scheduler, metrics: k6Metrics, defaultAckTimeout: opts.ackTimeout, connectTimeout: opts.connectTimeout, startedAt, log });
    socket = connection.socket(opts.namespace, opts.auth);
    if (upgrade) {
      socket.connectSent = true;
      connection.preload(upgrade.payloads);
    }
    engine = new EngineConnection(
      { sendText: (d) => raw.send(d), sendBinary: (d) => raw.sendBinary(d), close: () => raw.close() },
      scheduler,
      connection,
      { openTimeout: Math.max(1, startedAt + opts.connectTimeout - Date.now()), ...(upgrade ? { upgradeFrom: upgrade.handshake } : {}) },
    );
    connection.attach(engine);
    const eng = engine;
    const conn = connection;
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
    scheduler.after(startedAt + opts.connectTimeout - Date.now(), () => conn.connectDeadline(opts.connectTimeout));
    if (opts.sessionTimeout !== undefined) {
      const limit = opts.sessionTimeout;
      scheduler.after(limit, () => conn.close("session timeout", `sessionTimeout of ${limit} ms reached`));
    }
    conn.invoke("session handler", handler, [socket]);
  });

  if (!connection || !socket) {
    // The WebSocket handshake itself failed: refused, HTTP error, TLS, DNS…
    const status = response?.status ?? 0;
    const what = upgrade ? `WebSocket upgrade of session ${upgrade.handshake.sid}` : "WebSocket handshake";
    const error: ConnectError =
      status > 0
        ? { reason: `http_${status}`, message: `${what} refused: HTTP ${status} from ${url}${response?.body ? `: ${preview(response.body)}` : ""}` }
        : { reason: "network", message: `${what} to ${url} failed: ${response?.error || "no response"}` };
    return failedBeforeTransport(opts, handler, startedAt, error, upgrade?.handshake.sid);
  }
  return resultOf(connection, socket, startedAt, engine?.sid);
}

/** No transport was ever usable: the handler still runs, so that its connect_error listener fires. */
function failedBeforeTransport(
  opts: ResolvedOptions,
  handler: SessionHandler,
  startedAt: number,
  error: ConnectError,
  sid: string | undefined,
): SessionResult {
  const connection = new Connection({ scheduler: inertScheduler, metrics: k6Metrics, defaultAckTimeout: opts.ackTimeout, startedAt, log });
  const socket = connection.socket(opts.namespace, opts.auth);
  connection.invoke("session handler", handler, [socket]);
  connection.failAll(error);
  return resultOf(connection, socket, startedAt, sid);
}

function resultOf(connection: Connection, socket: Socket, startedAt: number, sid: string | undefined): SessionResult {
  return {
    connected: socket.id !== undefined || socket.disconnectReason !== undefined,
    connectError: socket.connectError,
    disconnectReason: socket.disconnectReason,
    handlerError: connection.handlerError,
    sid,
    durationMs: Date.now() - startedAt,
  };
}
