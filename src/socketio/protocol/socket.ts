// One Socket.IO namespace connection: CONNECT with auth, events in both directions, acks
// with timeouts, waitFor, and disconnect. Everything a scenario touches goes through here.
import { AckRegistry, type PendingAck } from "./ack-registry";
import { isReconnectable } from "./backoff";
import { RecentEvents } from "./recent-events";
import { eventWithArgs, PacketType, type SocketPacket } from "./codec";
import type { SocketMetrics } from "./metrics";
import type { CloseReason, ConnectErrorReason, DisconnectReason } from "./reasons";
import type { Scheduler } from "./transport";

/** The result of anything awaited: an ack or a waitFor. */
export type Outcome =
  | { ok: true; args: unknown[]; data: unknown; elapsedMs: number; reason?: undefined; /** The event that completed a waitFor. */ event?: string }
  | { ok: false; reason: "timeout" | "disconnected"; elapsedMs: number; args?: undefined; data?: undefined };

export interface ConnectError {
  /** Stable label, also the `reason` tag of socketio_connect_errors: connect_error, timeout, http_404, … (docs/metrics.md lists them all) */
  reason: ConnectErrorReason;
  /** The server's message for a CONNECT_ERROR, or a description of what went wrong. */
  message: string;
  /** The `data` the server attached to a CONNECT_ERROR, if any. */
  data?: unknown;
}

export interface WaitOptions {
  /** Milliseconds before the wait gives up with `{ ok: false, reason: "timeout" }`. */
  timeout: number;
  /** Only payloads for which this returns true complete the wait. Receives the event's arguments. */
  filter?: (...args: any[]) => boolean;
}

export interface AckOptions {
  /** Milliseconds before the ack counts as timed out; defaults to the connection's ackTimeout. */
  timeout?: number;
}

type Listener = (...args: any[]) => void;

/** Throws a TypeError naming what is wrong with a waitFor's arguments. */
export function checkWaitOptions(event: unknown, options: WaitOptions | undefined): void {
  const names = Array.isArray(event) ? event : [event];
  if (names.length === 0 || !names.every((e) => typeof e === "string" && e !== "")) {
    throw new TypeError(`waitFor(event, options): event must be an event name or a list of names, got ${JSON.stringify(event)}`);
  }
  if (typeof options?.timeout !== "number" || !(options.timeout > 0)) {
    throw new TypeError(`waitFor('${event}'): options.timeout must be a positive number of milliseconds, got ${JSON.stringify(options?.timeout)}`);
  }
  if (options.filter !== undefined && typeof options.filter !== "function") throw new TypeError(`waitFor('${event}'): options.filter must be a function`);
}
/** Acks due within this many ms of each other expire in one sweep (they fire at most this late). */
const ACK_SWEEP_BATCH_MS = 5;

type ReservedEvent = "connect" | "connect_error" | "disconnect" | "reconnect_attempt" | "reconnect" | "reconnect_failed";

interface Received {
  event: string;
  args: unknown[];
}
/** The empty lists every socket starts with, shared and frozen: a socket makes its own only when it keeps something. */
const NOTHING_RECEIVED = Object.freeze([]) as unknown as Received[];
const NOTHING_PENDING = Object.freeze([]) as unknown as SocketPacket[];

/** Events received before the CONNECT reply are kept (a recovered session replays first). */
const RECEIVE_BUFFER_LIMIT = 10_000;

/** What a Socket needs from the connection it lives on. */
export interface SocketHost {
  readonly scheduler: Scheduler;
  readonly metrics: SocketMetrics;
  readonly defaultAckTimeout: number;
  /** Time the Engine.IO handshake started: the zero of socketio_connect_duration. */
  readonly startedAt: number;
  sendPacket(packet: SocketPacket): void;
  /**
   * The per-message path: sends an EVENT (ack id `id`, -1 for none) as one frame built from
   * its arguments. False when it does not apply (binary, another packet format, Engine.IO v3):
   * the caller then sends the packet.
   */
  sendEvent(nsp: string, event: string, args: unknown[], id: number): boolean;
  /** The socket for another namespace on the same connection. */
  socket(namespace: string, auth?: Record<string, unknown>): Socket;
  /** The Engine.IO open packet's values, once the connection is open. */
  readonly handshake: { sid: string; pingInterval: number; pingTimeout: number; eio3: boolean } | null;
  vanish(boundMs?: number): void;
  /** Closes the transport as a broken network would ("transport error"): reconnectable. */
  drop(): void;
  /** Logs a warning once per key (per VU in k6): a failing server must not flood the log. */
  warnOnce(key: string, message: string): void;
  /** A received frame or packet that is not usable: counted by reason and logged a few times. */
  onDecodeError(reason: "unknown_ack", detail: string): void;
  /** Runs a user callback; `label` names it in an error, with `name` in place of %s (built only then). */
  invoke(label: string, fn: Listener, args: unknown[], name?: string): void;
  /** invoke() for a callback of one argument, without an argument list. */
  invokeWith(label: string, fn: Listener, arg: unknown, name?: string): void;
  socketEnded(socket: Socket): void;
  /**
   * When the generator's own event-loop lag, not the server, explains `what` (a ping or ack
   * timeout): says so once per VU and returns the detail to record; undefined otherwise.
   */
  generatorToBlame(what: string): string | undefined;
}

type State = "connecting" | "connected" | "disconnected";

/** How a pending ack calls its emit back: with the ack's arguments (emit's last-argument callback), or with an Outcome (request). */
const ACK_ARGS = 0;
const ACK_OUTCOME = 1;

interface Waiter {
  /** The event's name, or the names joined by " | " when waiting for the first of several. */
  event: string;
  /** Set when waiting for the first of several events. */
  events: readonly string[] | undefined;
  filter: WaitOptions["filter"];
  startedAt: number;
  done: (outcome: Outcome) => void;
}

/** Events this VU has seen acked (module state: one per VU): a later missing ack is then not a wrong name. */
const ackedBefore = new Set<string>();
/** The event last added to ackedBefore: a run of acks of one event adds it once, not per ack. */
let lastAcked: string | undefined;

export class Socket {
  /** The namespace socket id the server assigned in its CONNECT reply. */
  id: string | undefined;
  /** Why the socket was disconnected, once it is (docs/metrics.md lists the reasons). */
  disconnectReason: DisconnectReason | undefined;
  /** Set when the connection to the namespace failed. */
  connectError: ConnectError | undefined;
  /** The CONNECT packet went out (over polling during an upgrade, or over the WebSocket). */
  connectSent = false;
  /** The reconnect restored the server-side session (connection state recovery): missed events were replayed. */
  recovered = false;
  /** The server offers connection state recovery for this socket (its CONNECT reply carried a pid). */
  get recoveryOffered(): boolean {
    return this.pid !== undefined;
  }

  /** Successful namespace connects so far (the first, then one per reconnection). */
  connects = 0;
  /** Connection state recovery: the server's private session id and the last event offset. */
  private pid: string | undefined;
  private lastOffset: string | undefined;
  /** When the connection was lost, while reconnecting. */
  private lostAt: number | undefined;
  private receiveBuffer: Received[] = NOTHING_RECEIVED;
  /**
   * Set by the await API until `await io()` has returned to the caller: events received before
   * and right after the CONNECT reply are kept until then, so that listeners registered after
   * the await still get what the server sent on connect (python-socketio emits before its reply).
   */
  private holding = false;

  private state: State = "connecting";
  private readonly listeners = new Map<string, Listener[]>();
  /** Made at the first waitFor: many sockets never wait. */
  private waiters: Set<Waiter> | undefined;
  private readonly acks = new AckRegistry<Listener>((entry, args, elapsedMs, reason) => this.settleAck(entry, args, elapsedMs, reason));
  /** The last few event names received, to say what did arrive when a waitFor times out. */
  private readonly recent = new RecentEvents();
  /** Packets emitted before the CONNECT reply; socket.io-client buffers them the same way. */
  private pendingSends: SocketPacket[] = NOTHING_PENDING;

  /** The host's metrics and scheduler, held here: the per-message path reads them on every packet. */
  private readonly metrics: SocketMetrics;
  private readonly scheduler: Scheduler;

  constructor(
    readonly namespace: string,
    private readonly host: SocketHost,
    private readonly auth: Record<string, unknown> | undefined,
  ) {
    this.metrics = host.metrics;
    this.scheduler = host.scheduler;
    host.metrics.expecting();
  }

  get connected(): boolean {
    return this.state === "connected";
  }

  get disconnected(): boolean {
    return this.state === "disconnected";
  }

  /** Registers a listener for a server event or for connect / connect_error / disconnect. */
  on(event: ReservedEvent | (string & {}), listener: Listener): this {
    // Lists are replaced, never changed in place: a dispatch in progress keeps the list it
    // started with, without copying it for every event.
    const list = this.listeners.get(event);
    this.listeners.set(event, list ? [...list, listener] : [listener]);
    return this;
  }

  once(event: ReservedEvent | (string & {}), listener: Listener): this {
    const wrapper: Listener = (...args) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  /** Removes one listener, or all listeners of the event when none is given. */
  off(event: string, listener?: Listener): this {
    if (!listener) this.listeners.delete(event);
    else {
      const list = this.listeners.get(event);
      const at = list ? list.indexOf(listener) : -1;
      if (list && at >= 0) this.listeners.set(event, [...list.slice(0, at), ...list.slice(at + 1)]);
    }
    return this;
  }

  /**
   * Sends an event. Before the namespace is connected it is queued; after a disconnect it is
   * dropped (and false is returned). As in socket.io-client, a function as the last argument
   * asks for an ack and is called with the ack's arguments; unlike it, the wait is bounded by
   * ackTimeout, and an ack that does not come in time is counted in socketio_ack_timeouts
   * (the callback is then not called, as socket.io-client never calls it without a timeout).
   */
  emit(event: string, ...args: unknown[]): boolean {
    const last = args[args.length - 1];
    if (typeof last !== "function") return this.send(event, args, -1);
    args.pop(); // the rest array is this call's own
    const connected = this.state !== "disconnected";
    this.expectAck(event, args, last as Listener, ACK_ARGS, undefined);
    return connected;
  }

  /**
   * Sends an event that asks for an ack. `onAck` gets `{ ok: true, args, data, elapsedMs }` when
   * the ack arrives, or `{ ok: false, reason }` on timeout or disconnect. An ack that arrives
   * after its timeout is ignored and counted in socketio_acks_late. (The await API's
   * `request()` returns the same outcome as a Promise.)
   */
  request(event: string, args: unknown[], onAck: (outcome: Outcome) => void, options?: AckOptions): void {
    if (!Array.isArray(args)) throw new TypeError(`request('${event}', args, onAck): args must be an array of the event's arguments`);
    if (typeof onAck !== "function") throw new TypeError(`request('${event}', args, onAck): onAck must be a function`);
    this.expectAck(event, args, onAck, ACK_OUTCOME, options?.timeout);
  }

  /** Sends `event` asking for an ack, whose arrival (or not) calls `callback` back as `mode` says. */
  private expectAck(event: string, args: unknown[], callback: Listener, mode: number, timeoutMs: number | undefined): void {
    const sentAt = this.scheduler.now();
    const timeout = timeoutMs ?? this.host.defaultAckTimeout;
    const id = this.acks.register(event, sentAt, sentAt + timeout, callback, mode);
    if (this.state === "disconnected") {
      // Nothing else can be pending on a disconnected socket: this fails just the new entry.
      this.acks.failAll("disconnected", sentAt);
      return;
    }
    this.metrics.expecting();
    this.armAckSweep(sentAt + timeout);
    this.send(event, args, id);
  }

  /** Settles one pending ack: the registry's one handler for every emit, so no closure per emit. */
  private settleAck(entry: PendingAck<Listener>, args: unknown[] | null, elapsedMs: number, reason: string): void {
    const { event, target, mode } = entry;
    if (args) {
      if (event !== lastAcked) {
        ackedBefore.add(event);
        lastAcked = event;
      }
      this.metrics.ackReceived(event, elapsedMs);
      if (mode === ACK_ARGS) this.host.invoke("ack of '%s'", target, args, event);
      else this.host.invokeWith("ack of '%s'", target, { ok: true, args, data: args[0], elapsedMs }, event);
      return;
    }
    if (reason === "timeout") {
      // A starved generator handles acks late: then the timeout is its own, not the server's.
      const blame = this.host.generatorToBlame(`ack timeout of '${event}'`);
      this.metrics.ackTimedOut(event, blame !== undefined);
      const timeout = entry.deadline - entry.sentAt;
      if (!blame) {
        const why = ackedBefore.has(event)
          ? `the server acked '${event}' before in this VU, so its handler exists: this time it raised, chose not to ack, or the server was too busy or blocked (its log says which)`
          : `the server has not acked '${event}' in this VU yet: a server with no handler for an event (or one in another namespace) never acks it, so check the name; the doctor's emit step tries one: -e EVENT=${event} dist/doctor.js`;
        this.host.warnOnce(`ack:${event}`, `no ack for '${event}' within ${timeout} ms on namespace ${this.namespace}; counted in socketio_ack_timeouts{event:${event}}: ${why}`);
      }
    }
    // emit's callback is not called without an ack, as socket.io-client never calls it without a timeout.
    if (mode === ACK_ARGS) return;
    const failure: Outcome = { ok: false, reason: reason === "timeout" ? "timeout" : "disconnected", elapsedMs };
    this.host.invoke("ack of '%s'", target, [failure], event);
  }

  /**
   * Waits for the next `event` whose arguments pass `filter`. `done` gets the arguments and the
   * time waited, or `{ ok: false, reason }` on timeout or disconnect. Events that arrived before
   * the call are not considered: start waiting before the action that triggers the event.
   */
  waitFor(eventOrEvents: string | readonly string[], options: WaitOptions, done: (outcome: Outcome) => void): void {
    checkWaitOptions(eventOrEvents, options);
    const events = typeof eventOrEvents === "string" ? undefined : eventOrEvents;
    const event = typeof eventOrEvents === "string" ? eventOrEvents : eventOrEvents.join(" | ");
    if (typeof done !== "function") throw new TypeError(`waitFor('${event}', options, done): done must be a function`);
    const startedAt = this.scheduler.now();
    const mark = this.recent.mark();
    if (this.state === "disconnected") {
      this.host.invoke("waitFor '%s'", done, [{ ok: false, reason: "disconnected", elapsedMs: 0 }], event);
      return;
    }
    const waiter: Waiter = { event, events, filter: options.filter, startedAt, done };
    (this.waiters ??= new Set()).add(waiter);
    this.scheduler.after(options.timeout, () => {
      if (this.waiters!.delete(waiter)) {
        this.metrics.waitTimedOut(event);
        this.host.warnOnce(`wait:${event}`, `waitFor('${event}') timed out after ${options.timeout} ms on namespace ${this.namespace}; meanwhile this socket received ${this.recent.since(mark)}; counted in socketio_wait_timeouts`);
        const outcome: Outcome = { ok: false, reason: "timeout", elapsedMs: this.scheduler.now() - startedAt };
        this.host.invoke("waitFor '%s'", done, [outcome], event);
      }
    });
  }

  /**
   * Joins another namespace over the same Engine.IO connection (multiplexing, as
   * socket.io-client's Manager does). Listen for its "connect" / "connect_error" as for this one.
   * The connection closes when every namespace on it has disconnected.
   */
  of(namespace: string, options: { auth?: Record<string, unknown> } = {}): Socket {
    if (!namespace.startsWith("/")) throw new TypeError(`namespace must start with "/", got ${JSON.stringify(namespace)}`);
    return this.host.socket(namespace, options.auth);
  }

  /** The server's Engine.IO settings (sid, pingInterval, pingTimeout), once connected. */
  get handshake(): { sid: string; pingInterval: number; pingTimeout: number; eio3: boolean } | null {
    return this.host.handshake;
  }

  /**
   * Drops off the network without saying goodbye: no DISCONNECT, no close, no more pongs, and
   * nothing received is handled. The server must notice the dead client by itself (ping
   * timeout). The transport is closed after `boundMs` (default 2 x (pingInterval + pingTimeout)
   * + 5 s) if the server has not closed it by then.
   */
  vanish(boundMs?: number): void {
    this.host.vanish(boundMs);
  }

  /**
   * Loses the transport abruptly, as a broken network would: the connection ends with
   * "transport error", so that with `reconnect` on it is opened again (same socket, listeners).
   */
  drop(): void {
    this.host.drop();
  }

  /** Runs `fn` after `ms` on this connection's event loop (k6/ws has no global timers inside a session). */
  setTimeout(fn: () => void, ms: number): void {
    this.scheduler.after(ms, () => this.host.invoke("setTimeout callback", fn, []));
  }

  /** Leaves the namespace: sends DISCONNECT (`41`), and the connection closes when no namespace is left. */
  disconnect(): void {
    if (this.state === "disconnected") return;
    if (this.state === "connected") {
      this.host.sendPacket({ type: PacketType.DISCONNECT, nsp: this.namespace });
      this.metrics.packetSent("disconnect");
      this.end("io client disconnect");
    } else {
      this.failConnect({ reason: "aborted", message: "disconnect() called before the namespace connected" });
    }
  }

  // ---- called by the connection ----

  /** Sends the CONNECT packet; the connection calls this once the transport is usable. */
  sendConnect(): void {
    const packet = this.takeConnectPacket(this.host.handshake?.eio3 ?? false);
    if (packet) this.host.sendPacket(packet);
  }

  /**
   * Marks the CONNECT as sent and returns it, counted; null when none is to be sent: Socket.IO
   * v2 servers connect "/" by themselves, and a second CONNECT would open a second socket.
   */
  takeConnectPacket(eio3: boolean): SocketPacket | null {
    this.connectSent = true;
    if (eio3 && this.namespace === "/") return null;
    this.metrics.packetSent("connect");
    return this.connectPacket(eio3);
  }

  /** CONNECT with the auth payload, plus {pid, offset} when reconnecting to a recoverable session. */
  connectPacket(eio3 = this.host.handshake?.eio3 ?? false): SocketPacket {
    if (eio3) {
      // Socket.IO v2 has no CONNECT payload: auth travels as the namespace's query string.
      const query = Object.entries(this.auth ?? {})
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === "string" ? v : JSON.stringify(v))}`)
        .join("&");
      return { type: PacketType.CONNECT, nsp: query ? `${this.namespace}?${query}` : this.namespace };
    }
    const data = this.pid ? { ...(this.auth ?? {}), pid: this.pid, offset: this.lastOffset } : this.auth;
    return { type: PacketType.CONNECT, nsp: this.namespace, ...(data ? { data } : {}) };
  }

  /** True while a lost socket may still be reconnected. */
  get reconnectable(): boolean {
    return this.lostAt !== undefined;
  }

  /** Marks a socket lost with `reason`, so that the next transport connects it again. */
  prepareReconnect(): boolean {
    if (this.state !== "disconnected" || this.lostAt === undefined) return false;
    this.state = "connecting";
    this.metrics.expecting();
    this.connectSent = false;
    this.connectError = undefined;
    this.id = undefined;
    return true;
  }

  /** Reconnection gave up. */
  giveUp(attempts: number): void {
    if (this.lostAt === undefined) return;
    this.lostAt = undefined;
    this.metrics.reconnectFailed();
    this.emitReserved("reconnect_failed", [attempts]);
  }

  /** Called by the connection before each attempt, outside any socket: listeners must not schedule timers. */
  announceAttempt(attempt: number): void {
    this.metrics.reconnectAttempt();
    this.emitReserved("reconnect_attempt", [attempt]);
  }

  /** Handles one packet for this namespace; `receivedAt` is set when it was read earlier (polling). */
  receive(packet: SocketPacket, receivedAt?: number): void {
    switch (packet.type) {
      case PacketType.CONNECT:
        this.onConnectReply(packet.data, receivedAt ?? this.scheduler.now());
        return;
      case PacketType.CONNECT_ERROR:
        this.metrics.packetReceived("connect_error");
        this.onConnectError(packet.data);
        return;
      case PacketType.EVENT:
      case PacketType.BINARY_EVENT:
        this.receiveEvent(packet.data as unknown[], packet.id ?? -1);
        return;
      case PacketType.ACK:
      case PacketType.BINARY_ACK:
        this.receiveAck(packet.id ?? -1, Array.isArray(packet.data) ? (packet.data as unknown[]) : []);
        return;
      case PacketType.DISCONNECT:
        this.metrics.packetReceived("disconnect");
        if (this.state === "connected") this.end("io server disconnect");
        return;
    }
  }

  /** The namespace could not be connected (transport failure, timeout, CONNECT_ERROR). */
  failConnect(error: ConnectError): void {
    if (this.state !== "connecting") return;
    this.connectError = error;
    this.metrics.connectFailed(error.reason);
    this.state = "disconnected";
    this.settleAll();
    this.emitReserved("connect_error", [error]);
    this.host.socketEnded(this);
  }

  /** The connection under this socket ended. */
  connectionClosed(reason: CloseReason, detail: string): void {
    // An engine closes with a handshake failure only before it is open, when no socket is
    // connected yet; it is closed for a namespace's own leaving only once no socket is connecting.
    if (this.state === "connecting") this.failConnect({ reason: reason as ConnectErrorReason, message: detail });
    else if (this.state === "connected") {
      if (isReconnectable(reason)) this.lostAt = this.scheduler.now();
      this.end(reason as DisconnectReason);
    }
  }

  private onConnectReply(data: unknown, receivedAt: number): void {
    this.metrics.packetReceived("connect");
    if (this.state !== "connecting") return;
    const reply = data as { sid?: unknown; pid?: unknown } | undefined;
    this.id = typeof reply?.sid === "string" ? reply.sid : undefined;
    const pid = typeof reply?.pid === "string" ? reply.pid : undefined;
    this.recovered = pid !== undefined && pid === this.pid;
    this.pid = pid;
    if (!this.recovered) this.lastOffset = undefined;
    this.state = "connected";
    this.connects += 1;
    this.metrics.connected(receivedAt - this.host.startedAt);
    const queued = this.pendingSends;
    this.pendingSends = NOTHING_PENDING;
    for (const p of queued) this.host.sendPacket(p);
    const buffered = this.receiveBuffer;
    this.receiveBuffer = NOTHING_RECEIVED;
    const lostAt = this.lostAt;
    this.lostAt = undefined;
    if (lostAt !== undefined) this.metrics.reconnected(receivedAt - lostAt, this.recovered, this.recovered ? buffered.length : 0);
    this.emitReserved("connect", []);
    if (lostAt !== undefined) this.emitReserved("reconnect", [this.connects - 1]);
    if (this.holding) {
      this.receiveBuffer = buffered;
      return;
    }
    for (const b of buffered) this.dispatch(b.event, b.args);
  }

  /** Keeps received events until release() (the await API, until its caller can listen). */
  hold(): void {
    if (this.state === "connecting") this.holding = true;
  }

  /** Delivers the events kept since hold(), in order, and stops keeping them. */
  release(): void {
    if (!this.holding) return;
    this.holding = false;
    const buffered = this.receiveBuffer;
    this.receiveBuffer = NOTHING_RECEIVED;
    if (this.state === "connected") for (const b of buffered) this.dispatch(b.event, b.args);
  }

  private onConnectError(data: unknown): void {
    // v5 sends {message, data}; some servers send a bare string.
    const body = data as { message?: unknown; data?: unknown } | string | undefined;
    const message = typeof body === "string" ? body : typeof body?.message === "string" ? body.message : "connect_error";
    const extra = typeof body === "object" && body !== null ? body.data : undefined;
    this.failConnect({ reason: "connect_error", message, ...(extra !== undefined ? { data: extra } : {}) });
  }

  /** An EVENT whose shape was checked: `data` is [name, ...args] (used up: it becomes the args); `id` -1 when no ack is asked. */
  receiveEvent(data: unknown[], id: number): void {
    const name = data[0];
    const event = typeof name === "string" ? name : String(name);
    this.metrics.packetReceived("event", event);
    if (this.state === "disconnected") return;
    this.recent.add(event);
    data.shift(); // the arguments, in place: the decoded list is this packet's own
    const args = data;
    // With connection state recovery the server appends the event's offset as a last string
    // argument (never to events that ask for an ack): keep it for a reconnect, hide it.
    if (this.pid && id < 0 && typeof args[args.length - 1] === "string") this.lastOffset = args.pop() as string;
    if (id >= 0) args.push(this.serverAck(id, event));
    if (this.state === "connecting" || this.holding) {
      if (this.receiveBuffer === NOTHING_RECEIVED) this.receiveBuffer = [];
      if (this.receiveBuffer.length < RECEIVE_BUFFER_LIMIT) this.receiveBuffer.push({ event, args });
      return;
    }
    this.dispatch(event, args);
  }

  private dispatch(event: string, args: unknown[]): void {
    // Snapshot both before dispatching: a listener or wait added while handling this event
    // must not receive the very event that caused it to be added.
    const listeners = this.listeners.get(event);
    const waiters = this.waiters !== undefined && this.waiters.size > 0 ? [...this.waiters] : null;
    // Listeners first, so that state they keep is up to date when a wait completes.
    if (listeners) for (let i = 0; i < listeners.length; i++) this.host.invoke("'%s' listener", listeners[i]!, args, event);
    if (waiters) this.completeWaiters(waiters, event, args);
  }

  private serverAck(id: number, event: string): Listener {
    let sent = false;
    return (...ackArgs: unknown[]) => {
      if (sent || this.state !== "connected") return;
      sent = true;
      this.host.sendPacket({ type: PacketType.ACK, nsp: this.namespace, id, data: ackArgs });
      this.metrics.packetSent("ack", event);
    };
  }

  /** An ACK for `id` (-1: none) with its arguments. */
  receiveAck(id: number, args: unknown[]): void {
    // A settled ack is counted by settleAck, which knows the event: one lookup per ack.
    const settled = this.acks.settle(id, args, this.scheduler.now());
    if (settled === "settled") return;
    const event = this.acks.eventOf(id);
    this.metrics.packetReceived("ack", event);
    if (settled === "late" && event !== undefined) this.metrics.ackLate(event);
    else if (settled === "unknown") this.host.onDecodeError("unknown_ack", `an ack for id ${id < 0 ? "undefined" : String(id)}, which this socket never sent (or settled already)`);
  }

  private completeWaiters(candidates: Waiter[], event: string, args: unknown[]): void {
    for (const waiter of candidates) {
      if ((waiter.events ? !waiter.events.includes(event) : waiter.event !== event) || !this.waiters!.has(waiter) || !this.passes(waiter, args)) continue;
      this.waiters!.delete(waiter);
      const outcome: Outcome = { ok: true, event, args, data: args[0], elapsedMs: this.scheduler.now() - waiter.startedAt };
      this.host.invoke("waitFor '%s'", waiter.done, [outcome], event);
    }
  }

  private passes(waiter: Waiter, args: unknown[]): boolean {
    if (!waiter.filter) return true;
    let pass = false;
    this.host.invoke("waitFor '%s' filter", () => {
      pass = waiter.filter!(...args) === true;
    }, [], waiter.event);
    return pass;
  }

  /** Deadline the armed ack sweep is for; undefined when none is armed. */
  private ackSweepAt: number | undefined;

  /** Makes sure a sweep runs by `deadline`: one timer per socket, not one per emit. */
  private armAckSweep(deadline: number): void {
    if (this.ackSweepAt !== undefined && this.ackSweepAt <= deadline) return;
    this.ackSweepAt = deadline;
    this.scheduler.after(Math.max(0, deadline - this.scheduler.now()), () => {
      if (this.ackSweepAt !== deadline) return; // an earlier sweep was armed since, and re-arms itself
      this.ackSweepAt = undefined;
      const now = this.scheduler.now();
      const next = this.acks.expireDue(now);
      // Acks that time out in a burst are expired together rather than one timer each.
      if (next !== undefined) this.armAckSweep(Math.max(next, now + ACK_SWEEP_BATCH_MS));
    });
  }

  /** Sends an EVENT (`id` -1: no ack), over the per-message path when connected, else as a packet (queued while connecting). */
  private send(event: string, args: unknown[], id: number): boolean {
    if (this.state === "connected" && this.host.sendEvent(this.namespace, event, args, id)) {
      this.metrics.packetSent("event", event);
      return true;
    }
    const data = eventWithArgs(event, args);
    return this.queue(id < 0 ? { type: PacketType.EVENT, nsp: this.namespace, data } : { type: PacketType.EVENT, nsp: this.namespace, data, id }, event);
  }

  private queue(packet: SocketPacket, event: string): boolean {
    if (this.state === "disconnected") return false;
    if (this.state === "connecting") {
      if (this.pendingSends === NOTHING_PENDING) this.pendingSends = [];
      this.pendingSends.push(packet);
    }
    else this.host.sendPacket(packet);
    this.metrics.packetSent("event", event);
    return true;
  }

  private end(reason: DisconnectReason): void {
    this.state = "disconnected";
    this.disconnectReason = reason;
    this.metrics.disconnected(reason);
    this.settleAll();
    this.emitReserved("disconnect", [reason]);
    this.host.socketEnded(this);
  }

  /** Fails every pending ack and wait: nothing more will arrive on this socket. */
  private settleAll(): void {
    this.pendingSends = NOTHING_PENDING;
    // Over k6/ws an armed sweep dies with its WebSocket: left set, it would stop every later
    // sweep from being armed, and acks sent after a reconnect would never time out.
    this.ackSweepAt = undefined;
    const now = this.scheduler.now();
    this.acks.failAll("disconnected", now);
    const waiters = this.waiters ? [...this.waiters] : [];
    this.waiters?.clear();
    for (const w of waiters) {
      this.host.invoke("waitFor '%s'", w.done, [{ ok: false, reason: "disconnected", elapsedMs: now - w.startedAt }], w.event);
    }
  }

  private emitReserved(event: ReservedEvent, args: unknown[]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const listener of list) this.host.invoke("'%s' listener", listener, args, event);
  }
}
