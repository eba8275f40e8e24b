// The socket of the await API: socket.io-client's methods and meanings over the callback
// socket that every transport shares, plus request() and waitFor(), which resolve with an
// outcome instead of rejecting, so that a load flow counts a timeout and goes on. Pure: no k6
// module here, so it is unit-tested in Node.
import type { SessionResult } from "./k6/session";
import { OptionsError } from "./protocol/options";
import type { DisconnectReason } from "./protocol/reasons";
import { checkWaitOptions, type ConnectError, type Outcome, type Socket as NamespaceSocket, type WaitOptions } from "./protocol/socket";

type Listener = (...args: any[]) => void;

/** What emitWithAck rejects with, as socket.io-client does; the cause is also counted (socketio_ack_timeouts). */
export class AckError extends Error {
  override name = "AckError";
  constructor(
    /** "timeout": no ack within the timeout; "disconnected": the socket ended first. */
    readonly reason: "timeout" | "disconnected",
    readonly event: string,
    readonly elapsedMs: number,
  ) {
    // socket.io-client's own messages first, so that code written for it reads the same.
    super(reason === "timeout" ? `operation has timed out (no ack for '${event}' within ${elapsedMs} ms)` : `socket has been disconnected (waiting for the ack of '${event}')`);
  }
}

/** What the sockets of one connection share. */
export interface Shared {
  /** Resolves when the connection has ended. */
  closed: Promise<SessionResult>;
}

/** Resolves with `socket` once its namespace CONNECT is answered, refused, or timed out. */
export function connected(socket: Socket, release: (fn: () => void) => void = (fn) => setTimeout(fn, 0)): Promise<Socket> {
  const core = socket.raw;
  if (core.connected || core.disconnected) return Promise.resolve(socket);
  // What the server sends with its CONNECT reply waits until the caller of `await io()` has
  // run on and could register its listeners (a macrotask: after every pending continuation).
  core.hold();
  return new Promise((resolve) => {
    const settle = (): void => {
      core.off("connect", settle).off("connect_error", settle);
      resolve(socket);
      release(() => core.release());
    };
    core.on("connect", settle).on("connect_error", settle);
  });
}

function checkEvent(method: string, event: unknown): asserts event is string {
  if (typeof event !== "string" || event === "") throw new TypeError(`socket.${method}(event, …): event must be a non-empty string, got ${JSON.stringify(event)}`);
}

export class Socket {
  constructor(
    /** The namespace socket underneath: the callback API, shared by every transport. */
    readonly raw: NamespaceSocket,
    private readonly shared: Shared,
    /** Set on the view that timeout(ms) returns. */
    private readonly ackTimeout: number | undefined,
  ) {}

  /** The socket id the server assigned in its CONNECT reply (undefined until connected). */
  get id(): string | undefined {
    return this.raw.id;
  }
  get connected(): boolean {
    return this.raw.connected;
  }
  get disconnected(): boolean {
    return this.raw.disconnected;
  }
  /** Why the namespace could not be connected: `{ reason, message, data }` (reason is the socketio_connect_errors tag). */
  get connectError(): ConnectError | undefined {
    return this.raw.connectError;
  }
  /** Why the socket was disconnected, once it is: io client disconnect, io server disconnect, ping timeout, transport close… (docs/metrics.md lists them) */
  get disconnectReason(): DisconnectReason | undefined {
    return this.raw.disconnectReason;
  }
  /** The last reconnection restored the session (connection state recovery). */
  get recovered(): boolean {
    return this.raw.recovered;
  }
  /** The Engine.IO open packet's values (sid, pingInterval, pingTimeout), once connected. */
  get handshake(): NamespaceSocket["handshake"] {
    return this.raw.handshake;
  }
  /** Resolves when the whole connection has ended (every namespace on it), with what happened. Never rejects. */
  get closed(): Promise<SessionResult> {
    return this.shared.closed;
  }

  /**
   * Registers a listener for a server event, or for connect / connect_error / disconnect /
   * reconnect_attempt / reconnect / reconnect_failed. A listener that throws ends this
   * connection ("handler error", logged with the stack), never the VU's other sockets.
   */
  on(event: string, listener: Listener): this {
    checkEvent("on", event);
    if (typeof listener !== "function") throw new TypeError(`socket.on('${event}', listener): listener must be a function`);
    this.raw.on(event, listener);
    return this;
  }
  once(event: string, listener: Listener): this {
    checkEvent("once", event);
    if (typeof listener !== "function") throw new TypeError(`socket.once('${event}', listener): listener must be a function`);
    this.raw.once(event, listener);
    return this;
  }
  /** Removes one listener, or every listener of the event. */
  off(event: string, listener?: Listener): this {
    this.raw.off(event, listener);
    return this;
  }

  /**
   * Sends an event, as socket.io-client does: queued until connected, dropped after a
   * disconnect. A function as the last argument asks for an ack (see Socket.emit in the docs).
   */
  emit(event: string, ...args: unknown[]): this {
    checkEvent("emit", event);
    if (this.ackTimeout !== undefined && typeof args[args.length - 1] === "function") {
      // socket.timeout(ms).emit(ev, ..., (err, ...ackArgs) => …), as in socket.io-client.
      const callback = args[args.length - 1] as Listener;
      this.raw.request(event, args.slice(0, -1), (o) => (o.ok ? callback.apply(undefined, ([null] as unknown[]).concat(o.args)) : callback(new AckError(o.reason, event, o.elapsedMs))), { timeout: this.ackTimeout });
      return this;
    }
    this.raw.emit(event, ...args);
    return this;
  }

  /**
   * Emits and resolves with the server's ack (its first argument), as socket.io-client does.
   * Rejects with an AckError when no ack comes within the timeout (`socket.timeout(ms)`, else
   * the ackTimeout option: unlike socket.io-client, every wait is bounded) or the socket ends
   * first. The timeout is counted in socketio_ack_timeouts before the rejection. For a load
   * flow that must count and go on, `request()` returns the same outcome without rejecting.
   */
  emitWithAck(event: string, ...args: unknown[]): Promise<any> {
    checkEvent("emitWithAck", event);
    return new Promise((resolve, reject) => {
      this.raw.request(event, args, (o) => (o.ok ? resolve(o.data) : reject(new AckError(o.reason, event, o.elapsedMs))), this.ackOptions());
    });
  }

  /**
   * Emits and resolves with the outcome, never rejecting: `{ ok: true, data, args, elapsedMs }`
   * with the ack, or `{ ok: false, reason: "timeout" | "disconnected", elapsedMs }` (a timeout
   * is counted in socketio_ack_timeouts). Ack latency is recorded in socketio_ack_duration{event}.
   */
  request(event: string, ...args: unknown[]): Promise<Outcome> {
    checkEvent("request", event);
    return new Promise((resolve) => this.raw.request(event, args, resolve, this.ackOptions()));
  }

  /** A view of this socket whose next acks wait at most `ms` (socket.io-client's timeout(ms)). */
  timeout(ms: number): Socket {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0) throw new TypeError(`socket.timeout(ms): ms must be a positive number, got ${JSON.stringify(ms)}`);
    return new Socket(this.raw, this.shared, ms);
  }

  /**
   * Resolves with the next `event` (or the first of several: `["joined", "error"]`, the outcome's
   * `event` says which) whose arguments pass `filter`, or with `{ ok: false, reason }`
   * on timeout or disconnect; never rejects. A timeout is counted in socketio_wait_timeouts{event}
   * and logged once with the events that did arrive meanwhile. Only events that arrive after the
   * call count: start waiting before the action that triggers the event.
   */
  waitFor(event: string | readonly string[], options: WaitOptions): Promise<Outcome> {
    checkWaitOptions(event, options); // here, not in the Promise: a bad argument throws at the call
    return new Promise((resolve) => this.raw.waitFor(event, options, resolve));
  }

  /**
   * Joins another namespace over the same connection (socket.io-client's Manager multiplexes
   * the same way) and resolves once it is connected or refused.
   */
  of(namespace: string, options: { auth?: Record<string, unknown> } = {}): Promise<Socket> {
    if (typeof namespace !== "string" || !namespace.startsWith("/")) throw new OptionsError(`socket.of(namespace): namespace must start with "/", got ${JSON.stringify(namespace)}`);
    return connected(new Socket(this.raw.of(namespace, options), this.shared, undefined));
  }

  /** Leaves the namespace (sends DISCONNECT); the connection closes when no namespace is left. */
  disconnect(): this {
    this.raw.disconnect();
    return this;
  }

  /** Drops off the network without a goodbye: the server must notice by itself (ping timeout). */
  vanish(boundMs?: number): void {
    this.raw.vanish(boundMs);
  }

  /** Loses the transport abruptly ("transport error"): with `reconnect` on, the library connects again. */
  drop(): void {
    this.raw.drop();
  }

  private ackOptions(): { timeout: number } | undefined {
    return this.ackTimeout === undefined ? undefined : { timeout: this.ackTimeout };
  }
}
