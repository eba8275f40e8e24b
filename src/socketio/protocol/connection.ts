// One Engine.IO connection and the namespace sockets multiplexed over it (the role of
// socket.io-client's Manager). Routes decoded packets to sockets, guards user callbacks,
// and closes the connection once no namespace is left.
import { encodeTextEvent, type Frame, PacketType, SocketDecoder, type SocketPacket, TextEventReader } from "./codec";
import type { EngineConnection, EngineListener } from "./engine";
import { GENERATOR_OVERLOADED, OVERLOAD_FRACTION, overloaded, UNMEETABLE_TIMER_MS } from "./generator-lag";
import type { Handshake } from "./handshake";
import type { DecodeErrorReason, SocketMetrics } from "./metrics";
import { packetProblem } from "./packet-shape";
import { defaultParser, type PacketDecoder, type PacketParser } from "./parser";
import type { CloseReason } from "./reasons";
import { type ConnectError, Socket, type SocketHost } from "./socket";
import type { Scheduler } from "./transport";

export interface ConnectionSettings {
  scheduler: Scheduler;
  metrics: SocketMetrics;
  defaultAckTimeout: number;
  startedAt: number;
  /** Bound on a namespace CONNECT made after the connection is up (socket.of()). */
  connectTimeout?: number;
  /** The packet format; socket.io-parser's unless given. */
  parser?: PacketParser;
  /** Where warnings go; k6's console in production, a list in tests. */
  log: (level: "warn" | "error", message: string) => void;
  /** Logs a warning once per key, across connections (per VU in k6); defaults to every time via `log`. */
  logOnce?: (key: string, message: string) => void;
}

/** The default parser's decoder while no packet is half-decoded, shared by the VU's connections (see decoderFor). */
let sharedTextDecoder: SocketDecoder | null = null;

/** Warnings of one kind are logged this many times per connection, then only counted. */
const WARNINGS_PER_KIND = 3;

export class Connection implements SocketHost, EngineListener {
  readonly scheduler: Scheduler;
  readonly metrics: SocketMetrics;
  readonly defaultAckTimeout: number;
  /** Start of the current connection attempt: the zero of socketio_connect_duration. */
  startedAt: number;
  /** Set when a user callback threw; the session ends with this error. */
  handlerError: Error | undefined;

  private engine: EngineConnection | null = null;
  private readonly sockets = new Map<string, Socket>();
  private readonly parser: PacketParser;
  /** This connection's own decoder: made only for a packet in several frames (binary) or another parser (see decoderFor). */
  private decoder: PacketDecoder | null = null;
  private warned: Map<string, number> | undefined;
  /** The per-message path (text EVENT/ACK in socket.io-parser's format): set for the default parser only. */
  private readonly reader: TextEventReader | null;
  /** The socket of namespace "/", which most packets are for: found without a lookup. */
  private root: Socket | undefined;
  /** Payloads read over polling before the upgrade; delivered once the WebSocket is open. */
  private preloaded: { payload: Frame; receivedAt: number }[] | undefined;

  constructor(private readonly settings: ConnectionSettings) {
    this.scheduler = settings.scheduler;
    this.metrics = settings.metrics;
    this.defaultAckTimeout = settings.defaultAckTimeout;
    this.startedAt = settings.startedAt;
    this.parser = settings.parser ?? defaultParser;
    this.reader = this.parser === defaultParser ? new TextEventReader() : null;
  }

  /**
   * The socket for a namespace, created on first use. Its CONNECT goes out once the engine is
   * open, or at once if it already is, with its own connect deadline.
   */
  socket(namespace: string, auth?: Record<string, unknown>): Socket {
    const existing = this.sockets.get(namespace);
    if (existing && !existing.disconnected) return existing;
    const socket = new Socket(namespace, this, auth);
    this.sockets.set(namespace, socket);
    if (namespace === "/") this.root = socket;
    if (this.engine?.state === "open") {
      socket.sendConnect();
      const bound = this.settings.connectTimeout ?? 10_000;
      this.scheduler.after(bound, () => socket.failConnect({ reason: "timeout", message: `no namespace CONNECT reply for ${namespace} within ${bound} ms` }));
    }
    return socket;
  }

  /** Starts a new transport (the first one, or a reconnection): no half-decoded packet, new zero for connect times. */
  attach(engine: EngineConnection, startedAt = this.startedAt): void {
    this.engine = engine;
    this.decoder = null;
    this.startedAt = startedAt;
  }

  /** The sockets lost with a reconnectable reason, made ready to connect again. */
  prepareReconnect(): Socket[] {
    return [...this.sockets.values()].filter((s) => s.prepareReconnect());
  }

  /** The sockets still waiting to be reconnected. */
  get lostSockets(): Socket[] {
    return [...this.sockets.values()].filter((s) => s.disconnected && s.reconnectable);
  }

  /** The CONNECT packets for sockets that connect over the polling handshake (v2 servers connect "/" themselves). */
  connectFrames(eio3: boolean): Frame[] {
    const frames: Frame[] = [];
    for (const s of this.sockets.values()) {
      if (s.disconnected || s.connectSent) continue;
      const packet = s.takeConnectPacket(eio3);
      if (packet) frames.push(...this.parser.encode(packet));
    }
    return frames;
  }

  /** A decoder of this connection's packet format, for peeking at polled packets. */
  newDecoder(): PacketDecoder {
    return this.parser.decoder();
  }

  get handshake(): Handshake | null {
    return this.engine?.openHandshake ?? null;
  }

  vanish(boundMs?: number): void {
    const hs = this.handshake;
    const bound = boundMs ?? (hs ? 2 * (hs.pingInterval + hs.pingTimeout) + 5_000 : 60_000);
    this.engine?.vanish(bound);
  }

  drop(): void {
    if (this.engine && this.engine.state === "open") this.engine.close("transport error", "the transport was dropped by the client (socket.drop())");
  }

  /** Queues payloads that arrived over polling, to be handled when the upgraded socket opens. */
  preload(payloads: { payload: Frame; receivedAt: number }[]): void {
    (this.preloaded ??= []).push(...payloads);
  }

  /** Ends the connection attempt before any transport existed (HTTP error, refused dial…). */
  failAll(error: ConnectError): void {
    for (const s of [...this.sockets.values()]) s.failConnect(error);
  }

  /** The connect deadline passed: sockets still waiting for their CONNECT reply fail; `stuckIn` names a transport step still unanswered. */
  connectDeadline(timeoutMs: number, stuckIn?: string): void {
    for (const s of [...this.sockets.values()]) {
      const what = stuckIn ?? `no namespace CONNECT reply for ${s.namespace}`;
      s.failConnect({ reason: "timeout", message: `${what} within ${timeoutMs} ms` });
    }
  }

  /** Delivers one Engine.IO message payload; `receivedAt` when it arrived earlier (polling). */
  deliver(payload: Frame, receivedAt?: number): void {
    const decoder = this.decoderFor();
    const result = decoder.add(payload);
    if (decoder !== this.decoder && decoder.awaitingAttachments === true) {
      // A binary packet began: the shared decoder now holds this connection's half of it.
      this.decoder = decoder;
      sharedTextDecoder = null;
    }
    const dropped = decoder.takeDropped();
    if (dropped) this.onDecodeError("attachments", `a binary packet whose attachments never arrived was dropped (${dropped.message})`);
    if (result === null) return;
    // A packet has a numeric type, an Error none: instanceof (slower in k6) only tells an Error
    // from a shapeless packet, which the shape check below then names.
    if (typeof (result as { type?: unknown }).type !== "number" && result instanceof Error) {
      const { message } = result;
      this.onDecodeError(/binary|plaintext|attachment/i.test(message) ? "attachments" : "socket_packet", `undecodable Socket.IO packet (${message})`);
      return;
    }
    const packet = result as SocketPacket;
    const problem = packetProblem(packet);
    if (problem !== undefined) {
      this.onDecodeError("socket_packet", `malformed Socket.IO packet dropped: ${problem}`);
      return;
    }
    if (packet.type === 0 && this.engine?.protocolAssumed) this.engine.settleProtocol(typeof (packet.data as { sid?: unknown } | undefined)?.sid === "string");
    const socket = this.sockets.get(packet.nsp);
    if (socket) this.handOver(socket, packet, receivedAt);
    else this.unjoined(packet.nsp, packet.type);
  }

  /**
   * The decoder for the next payload. socket.io-parser's keeps state only between the frames of
   * a binary packet, so until one begins, the VU's connections share one (a decoder is several
   * objects, and a VU holds thousands of connections); deliver() makes it this connection's own
   * when a binary packet begins in it. Another parser's decoder is the connection's own.
   */
  private decoderFor(): PacketDecoder {
    if (this.decoder !== null) return this.decoder;
    if (this.reader === null) return (this.decoder = this.parser.decoder());
    return (sharedTextDecoder ??= new SocketDecoder());
  }

  private unjoined(nsp: string, type: PacketType): void {
    // A Socket.IO v2 server connects "/" unasked, even for a client that only wants another namespace.
    if (!(this.handshake?.eio3 && nsp === "/" && type === PacketType.CONNECT)) {
      this.warn("nsp", `packet for namespace ${nsp}, which this connection did not join`);
    }
  }

  /**
   * The per-message path for a text message: a valid EVENT or ACK goes from its frame to the
   * socket with one JSON.parse and no packet object; anything else (or a frame while binary
   * attachments are awaited) takes the general path, which also counts what is wrong with it.
   */
  onTextMessage(frame: string): void {
    const reader = this.reader;
    if (reader === null || this.decoder?.awaitingAttachments === true || !reader.read(frame, 1)) {
      this.deliver(frame.slice(1));
      return;
    }
    const socket = reader.nsp === "/" ? this.root : this.sockets.get(reader.nsp);
    if (socket === undefined) return this.unjoined(reader.nsp, reader.type);
    try {
      if (reader.type === PacketType.ACK) socket.receiveAck(reader.id, reader.data);
      else socket.receiveEvent(reader.data, reader.id);
    } catch (err) {
      this.handlingFailed(err);
    }
  }

  /**
   * A packet that passed the shape check should never throw here (listeners are guarded by
   * invoke()); if one does, it ends this connection only, never the VU's other sessions.
   */
  private handOver(socket: Socket, packet: SocketPacket, receivedAt: number | undefined): void {
    try {
      socket.receive(packet, receivedAt);
    } catch (err) {
      this.handlingFailed(err);
    }
  }

  private handlingFailed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.onDecodeError("socket_packet", `a Socket.IO packet broke its handling (${message})`);
    this.close("parse error", `handling a packet threw: ${message}`);
  }

  // ---- SocketHost ----

  sendPacket(packet: SocketPacket): void {
    if (!this.engine) return; // no transport yet: only failure paths get here, and they send nothing
    const frames = this.parser.encode(packet);
    // Indexed loops on the per-message path: k6's interpreter runs for-of through the iterator protocol.
    for (let i = 0; i < frames.length; i++) this.engine.send(frames[i]!);
  }

  sendEvent(nsp: string, event: string, args: unknown[], id: number): boolean {
    const engine = this.engine;
    if (this.reader === null || engine === null || !engine.speaksV4) return false;
    const frame = encodeTextEvent("4", nsp, event, args, id);
    if (frame === undefined) return false;
    engine.sendTextMessage(frame);
    return true;
  }

  invoke(template: string, fn: (...args: any[]) => void, args: unknown[], name?: string): void {
    try {
      fn.apply(undefined, args); // not fn(...args): spread goes through the iterator protocol in k6
    } catch (err) {
      this.handlerThrew(err, template, name);
    }
  }

  invokeWith(template: string, fn: (arg: any) => void, arg: unknown, name?: string): void {
    try {
      fn(arg);
    } catch (err) {
      this.handlerThrew(err, template, name);
    }
  }

  /** A user callback threw: its connection ends with "handler error", the first error kept. */
  private handlerThrew(err: unknown, template: string, name: string | undefined): void {
    if (this.handlerError) return;
    const label = name === undefined ? template : template.replace("%s", name);
    this.handlerError = err instanceof Error ? err : new Error(String(err));
    const stack = this.handlerError.stack ? `\n${this.handlerError.stack}` : "";
    this.settings.log("error", `k6-socketio: the ${label} threw: ${this.handlerError.message}${stack}`);
    this.close("handler error", `the ${label} threw`);
  }

  generatorToBlame(what: string): string | undefined {
    const lag = this.scheduler.lag?.() ?? 0;
    const pingTimeout = this.handshake?.pingTimeout;
    if (pingTimeout === undefined || !overloaded(lag, pingTimeout)) return undefined;
    if (pingTimeout < UNMEETABLE_TIMER_MS) {
      // No client meets a timer this short: the server's setting, not this generator's lag.
      this.warnOnce(
        "unmeetable timers",
        `the server's pingTimeout is ${pingTimeout} ms (pingInterval ${this.handshake!.pingInterval} ms): no client can answer within that, so its ${what} is the server's setting, not the load generator's lag (${Math.round(lag)} ms); set pingTimeout to seconds on the server (socket.io default 20000 ms)`,
      );
      return undefined;
    }
    const detail = `the load generator's event loop ran ${Math.round(lag)} ms late around this ${what}, at least ${OVERLOAD_FRACTION * 100}% of the server's pingTimeout (${pingTimeout} ms)`;
    this.warnOnce(
      "generator overloaded",
      `${detail}: recorded as "${GENERATOR_OVERLOADED}", not blamed on the server (socketio_generator_lag shows the lag). ` +
        "This k6 process cannot keep up: give each VU fewer sockets (SOCKETS_PER_VU) or spread the VUs over more k6 instances.",
    );
    return detail;
  }

  warnOnce(key: string, message: string): void {
    if (this.settings.logOnce) this.settings.logOnce(key, message);
    else this.settings.log("warn", `k6-socketio: ${message}`);
  }

  socketEnded(ended: Socket): void {
    for (const s of this.sockets.values()) if (!s.disconnected) return;
    // The connection ends because its last namespace did: say why that one ended.
    const reason = ended.disconnectReason === "io server disconnect" ? "io server disconnect" : "io client disconnect";
    this.engine?.close(reason, "no namespace left on the connection");
  }

  /** Closes the whole connection: every socket still up gets `reason`. */
  close(reason: CloseReason, detail: string): void {
    if (this.engine && this.engine.state !== "closed") this.engine.close(reason, detail);
    else this.onClose(reason, detail);
  }

  // ---- EngineListener ----

  onOpen(handshake: Handshake): void {
    // The connect clock counts the server's time: a wait the client chose is moved out of it.
    if (handshake.clientHoldMs) this.startedAt += handshake.clientHoldMs;
    for (const s of this.sockets.values()) if (!s.disconnected && !s.connectSent) s.sendConnect();
    const preloaded = this.preloaded;
    this.preloaded = undefined;
    if (preloaded) for (const p of preloaded) this.deliver(p.payload, p.receivedAt);
  }

  onMessage(payload: Frame): void {
    this.deliver(payload);
  }



  onDecodeError(reason: DecodeErrorReason, detail: string): void {
    this.metrics.decodeError(reason);
    // The decoder resets itself on its own errors; an engine-level error leaves it alone.
    this.warn("decode", `k6-socketio: ${detail}; counted in socketio_decode_errors`);
  }

  onClose(reason: CloseReason, detail: string): void {
    for (const s of [...this.sockets.values()]) s.connectionClosed(reason, detail);
  }

  private warn(kind: string, message: string): void {
    const warned = (this.warned ??= new Map());
    const n = (warned.get(kind) ?? 0) + 1;
    warned.set(kind, n);
    if (n <= WARNINGS_PER_KIND) {
      this.settings.log("warn", n === WARNINGS_PER_KIND ? `${message} (further warnings of this kind are not logged)` : message);
    }
  }
}
