// Connection options as a scenario writes them, and their validated, defaulted form.
import { type ReconnectOptions, type ResolvedReconnect, resolveReconnect } from "./backoff";
import { defaultParser, type PacketParser } from "./parser";
import { type EngineTransportName, normalizeEnginePath, parseTarget, type Target } from "./url";
import { DEFAULT_MAX_FRAME_BYTES } from "./engine";

export interface ConnectOptions {
  /**
   * "websocket" (default): WebSocket only. "polling": HTTP long-polling handshake, then upgrade.
   * "polling-only": HTTP long-polling for the whole session, no upgrade (io() and connectAsync(), not connect()).
   */
  transport?: SessionTransport;
  /** Namespace to join; defaults to the URL's path ("/" for none). */
  namespace?: string;
  /** The CONNECT payload, e.g. `{ token }`; the server reads it as `socket.handshake.auth`. */
  auth?: Record<string, unknown>;
  /** Extra query parameters for the Engine.IO handshake requests. */
  query?: Record<string, string>;
  /** Extra HTTP headers for the handshake requests (polling and WebSocket). */
  headers?: Record<string, string>;
  /** The Engine.IO endpoint path; the server's `path` option. Default "/socket.io/". */
  path?: string;
  /** Bound on the whole connect: Engine.IO handshake, upgrade and namespace CONNECT. Default 10000 ms. */
  connectTimeout?: number;
  /** Default ack timeout for emitWithAck. Default 10000 ms. */
  ackTimeout?: number;
  /** Optional bound on the whole session: the connection is closed after this many ms. */
  sessionTimeout?: number;
  /**
   * A VU that waits this long for an answer (a connect, an ack) and gets nothing back at all
   * (no connect, ack or event on any of its connections) records a stall in socketio_stalls.
   * Per VU: the last session opened sets it. Default 10000 ms.
   */
  stallAfter?: number;
  /** Extra tags for k6's own http/ws metrics of this connection (keep them low-cardinality). */
  tags?: Record<string, string>;
  /**
   * Reconnect after a lost connection (transport close or error, ping timeout), with
   * exponential backoff and jitter: `true` for the defaults, or { attempts, delayMs, maxDelayMs,
   * jitter }. Off by default, so that a load test sees each loss.
   */
  reconnect?: boolean | ReconnectOptions;
  /** The server's packet format: socket.io-parser by default; `msgpackParser` from "k6-socketio/msgpack". */
  parser?: PacketParser;
  /**
   * Engine.IO protocol: 4 (Socket.IO 3/4, python-socketio 5), 3 (Socket.IO v2), or "auto"
   * (default: v4, switching to v3 rules when the open packet has no maxPayload).
   */
  protocol?: 3 | 4 | "auto";
  /**
   * Prints the frames of the first sessions of VU 1 (and of setup()), secrets redacted:
   * `true` for 3 sessions, or a number of sessions. Also `-e SOCKETIO_DEBUG=1`.
   */
  debug?: boolean | number;
  /**
   * A refused connect is what this connection tests for (e.g. one without credentials): its
   * failure is still counted, but not explained as the run's problem.
   */
  expectRefusal?: boolean;
  /** Frames longer than this (bytes) are dropped unread and counted (`frame_too_large`). Default 16 MiB. */
  maxFrameBytes?: number;
}

export type SessionTransport = EngineTransportName | "polling-only";

export interface ResolvedOptions {
  target: Target;
  transport: SessionTransport;
  namespace: string;
  auth: Record<string, unknown> | undefined;
  query: Record<string, string>;
  headers: Record<string, string>;
  path: string;
  connectTimeout: number;
  ackTimeout: number;
  sessionTimeout: number | undefined;
  stallAfter: number;
  tags: Record<string, string>;
  reconnect: ResolvedReconnect | null;
  parser: PacketParser;
  protocol: 3 | 4 | "auto";
  /** Sessions to trace when the option was given; undefined leaves it to SOCKETIO_DEBUG. */
  debug: number | undefined;
  expectRefusal: boolean;
  maxFrameBytes: number;
}

export class OptionsError extends Error {
  override name = "OptionsError";
}

const DEFAULT_TIMEOUT_MS = 10_000;

export function resolveOptions(url: string, options: ConnectOptions = {}): ResolvedOptions {
  if (typeof url !== "string") throw new OptionsError(`the URL must be a string such as "http://127.0.0.1:3000", got ${typeof url}`);
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new OptionsError("options must be an object");
  const target = parseTarget(url);
  const transport = options.transport ?? "websocket";
  if (transport !== "websocket" && transport !== "polling" && transport !== "polling-only") {
    throw new OptionsError(`transport must be "websocket", "polling" or "polling-only", got ${JSON.stringify(transport)}`);
  }
  const namespace = options.namespace ?? target.namespace;
  if (!namespace.startsWith("/")) throw new OptionsError(`namespace must start with "/", got ${JSON.stringify(namespace)}`);
  if (options.auth !== undefined && (typeof options.auth !== "object" || options.auth === null || Array.isArray(options.auth))) {
    throw new OptionsError("auth must be an object, e.g. { token: \"...\" }");
  }
  return {
    target,
    transport,
    namespace,
    auth: options.auth,
    query: stringRecord("query", options.query),
    headers: stringRecord("headers", options.headers),
    path: normalizeEnginePath(options.path ?? "/socket.io/"),
    connectTimeout: positive("connectTimeout", options.connectTimeout, DEFAULT_TIMEOUT_MS),
    ackTimeout: positive("ackTimeout", options.ackTimeout, DEFAULT_TIMEOUT_MS),
    sessionTimeout: options.sessionTimeout === undefined ? undefined : positive("sessionTimeout", options.sessionTimeout, 0),
    stallAfter: positive("stallAfter", options.stallAfter, DEFAULT_TIMEOUT_MS),
    tags: stringRecord("tags", options.tags),
    reconnect: reconnectOf(options.reconnect),
    parser: options.parser ?? defaultParser,
    protocol: protocolOf(options.protocol),
    debug: debugOf(options.debug),
    expectRefusal: options.expectRefusal === true,
    maxFrameBytes: positive("maxFrameBytes", options.maxFrameBytes, DEFAULT_MAX_FRAME_BYTES),
  };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new OptionsError(`${name} must be a positive number of milliseconds, got ${JSON.stringify(value)}`);
  }
  return value;
}

function reconnectOf(value: ConnectOptions["reconnect"]): ResolvedReconnect | null {
  try {
    return resolveReconnect(value);
  } catch (err) {
    throw new OptionsError(err instanceof Error ? err.message : String(err));
  }
}

function protocolOf(value: ConnectOptions["protocol"]): 3 | 4 | "auto" {
  const p = value ?? "auto";
  if (p !== 3 && p !== 4 && p !== "auto") throw new OptionsError(`protocol must be 3, 4 or "auto", got ${JSON.stringify(p)}`);
  return p;
}

/** The handshake query of every Engine.IO request: the user's, plus EIO=3 when protocol 3 is forced (engineUrl defaults to 4). */
export function engineQuery(opts: ResolvedOptions): Record<string, string> {
  return opts.protocol === 3 ? { ...opts.query, EIO: "3" } : opts.query;
}

function debugOf(value: ConnectOptions["debug"]): number | undefined {
  if (value === undefined) return undefined;
  if (value === true) return 3;
  if (value === false) return 0;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  throw new OptionsError(`debug must be true, false or a whole number of sessions to trace, got ${JSON.stringify(value)}`);
}

/** The empty record every session without query, headers or tags shares (read only: frozen). */
const NONE: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Query, headers and tags: an object of strings, nothing else (a number would be sent as "[object Object]" or worse). */
function stringRecord(name: string, value: Record<string, string> | undefined): Record<string, string> {
  if (value === undefined) return NONE;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new OptionsError(`${name} must be an object of strings, got ${JSON.stringify(value)}`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new OptionsError(`${name}.${k} must be a string, got ${JSON.stringify(v)}`);
  }
  return { ...value };
}
