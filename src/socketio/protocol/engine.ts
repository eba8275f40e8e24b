// One Engine.IO v4 connection over a WebSocket: the open handshake (or the end of a
// polling-to-websocket upgrade), heartbeats, message framing and close. Transport-agnostic:
// it sees frames through a FrameSink and time through a Scheduler.
import { decodeEngineFrame, encodeEngineText, type Frame } from "./codec";
import { GENERATOR_OVERLOADED } from "./generator-lag";
import { type Handshake, parseHandshake, preview } from "./handshake";
import { HeartbeatSweep, HeartbeatWatchdog, type LivenessCheck, schedulerSlot } from "./heartbeat";
import type { DecodeErrorReason } from "./metrics";
import type { CloseReason } from "./reasons";
import type { FrameSink, Scheduler, WireTrace } from "./transport";

export type EnginePhase = "awaiting-open" | "probing" | "open" | "closed";

export interface EngineListener {
  /** The connection is usable: the open packet arrived, or the upgrade probe succeeded. */
  onOpen(handshake: Handshake): void;
  /** One Engine.IO message payload: a string, or a binary attachment. */
  onMessage(payload: Frame): void;
  /** One text message on an open Engine.IO v4 connection, as its whole frame ("4" first): the per-message path. */
  onTextMessage(frame: string): void;
  /** A frame that could not be decoded or breaks a limit; the connection stays up. */
  onDecodeError(reason: DecodeErrorReason, detail: string): void;
  /** The connection ended. `reason` is a short stable label, `detail` is for humans. */
  onClose(reason: CloseReason, detail: string, wasOpen: boolean): void;
  /** When the generator's own lag explains `what` (see SocketHost.generatorToBlame): the detail to record. */
  generatorToBlame?(what: string): string | undefined;
}

export interface EngineOptions {
  /** Bound on the wait for the open packet (websocket-only) or the `3probe` answer (upgrade). */
  openTimeout: number;
  /** Set when the handshake already happened over polling: the socket is an upgrade probe. */
  upgradeFrom?: Handshake;
  /**
   * Engine.IO protocol: 4, 3, or "auto" (default). Under "auto" an open packet without maxPayload
   * (Engine.IO v3, but also socket.io 3.x and 4.0) is decided by what the server does next: see
   * V3_EVIDENCE_MS. A polling transport knows the version from the payload framing and passes 3 or 4.
   */
  protocol?: 3 | 4 | "auto";
  /** Binary frames travel as WebSocket frames (default), or as "b"+base64 text over polling. */
  binaryFrames?: "websocket" | "base64";
  /** Sees every frame both ways (SOCKETIO_DEBUG). */
  trace?: WireTrace | undefined;
  /** Frames longer than this are dropped unread (counted): one hostile frame must not balloon a VU's memory. */
  maxFrameBytes?: number;
  /** The sweep that checks this connection's heartbeats, shared with other connections; one of its own by default. */
  heartbeats?: HeartbeatSweep;
}

/** Frames the client reads at most, by default: 16 MiB (engine.io's own maxHttpBufferSize is 1 MB). */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** WebSocket close codes that mean no close frame was exchanged (RFC 6455 §7.4.1). */
const ABNORMAL_CLOSURE = 1006;
const TLS_FAILURE = 1015;

/** The Engine.IO ping and pong packets, as text frames. */
const PING = "2";
const PONG = "3";

/** Engine.IO v3: the client's own pings go no faster than this, whatever pingInterval says (0 included). */
const MIN_CLIENT_PING_MS = 100;

export class EngineConnection implements LivenessCheck {
  private phase: EnginePhase;
  private handshake: Handshake | null = null;
  private watchdog: HeartbeatWatchdog | null = null;
  /** Frames written while the upgrade probe is in flight; flushed once it completes. */
  private held: Frame[] = [];
  /** Set by vanish(): the client behaves as if its network were gone. */
  private silent = false;
  /** Engine.IO v3 rules: the client pings, and anything received proves the server alive. */
  private v3 = false;
  /** Under protocol "auto": an open packet that may be v3 or v4, held until the server shows which. */
  private undecided: Handshake | null = null;
  private undecidedAt = 0;
  /** v4 was assumed because the server stayed silent: its first CONNECT reply settles it (see settleProtocol). */
  private assumedV4 = false;
  private readonly sink: FrameSink;
  private readonly trace: WireTrace | undefined;
  private readonly heartbeats: HeartbeatSweep;
  /** maxFrameBytes, resolved once: read for every frame. */
  private readonly frameLimit: number;
  /** The server's maxPayload once open (Infinity when it announced none). */
  private maxPayload = Infinity;
  /** Frames longer than this need checkSize(): the smaller of the two limits, read for every frame. */
  private checkFrom: number;

  constructor(
    sink: FrameSink,
    private readonly scheduler: Scheduler,
    private readonly listener: EngineListener,
    private readonly options: EngineOptions,
  ) {
    // An upgrade socket holds writes from the start: nothing may reach it before the probe.
    this.phase = options.upgradeFrom ? "probing" : "awaiting-open";
    this.trace = options.trace;
    this.sink = options.trace ? tracedSink(sink, options.trace) : sink;
    this.heartbeats = options.heartbeats ?? new HeartbeatSweep(schedulerSlot(scheduler));
    this.frameLimit = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.checkFrom = this.frameLimit;
  }

  get state(): EnginePhase {
    return this.phase;
  }

  /**
   * Open on Engine.IO v4: text messages may be sent as whole frames (sendTextMessage). A field,
   * not a getter, set where the phase or the protocol changes: every emit reads it.
   */
  speaksV4 = false;

  get sid(): string | undefined {
    return this.handshake?.sid;
  }

  get openHandshake(): Handshake | null {
    return this.handshake;
  }

  /**
   * Simulates a client whose network is gone: from now on nothing is sent (not even pongs)
   * and nothing received is handled, but the socket is not closed, so the server has to notice
   * by itself. After `boundMs` the transport is closed all the same ("vanish timeout").
   */
  vanish(boundMs: number): void {
    if (this.phase !== "open") return;
    this.silent = true;
    this.heartbeats.unwatch(this);
    this.scheduler.after(boundMs, () => this.close("vanish timeout", `the server did not close the vanished connection within ${boundMs} ms`));
  }

  /** The WebSocket is open. */
  start(): void {
    if (this.phase === "probing") this.sink.sendText(encodeEngineText("ping", "probe"));
    this.scheduler.after(this.options.openTimeout, () => {
      if (this.phase === "awaiting-open") {
        this.close("open_timeout", `no Engine.IO open packet within ${this.options.openTimeout} ms`);
      } else if (this.phase === "probing") {
        this.close("upgrade_timeout", `no answer to the upgrade probe (2probe) within ${this.options.openTimeout} ms`);
      }
    });
  }

  receiveText(frame: string): void {
    if (this.trace) this.trace.received(frame);
    if (this.phase === "open" && !this.silent) {
      // Nearly all traffic, handled without a packet object: messages, then pings.
      if (this.v3) this.watchdog!.touch(this.scheduler.now());
      else if (frame.charCodeAt(0) === 52 /* "4" */ && frame.length > 1) {
        if (frame.length > this.checkFrom && !this.checkSize(frame.length)) return;
        this.listener.onTextMessage(frame);
        return;
      }
      if (frame === PING) {
        this.pong();
        return;
      }
    }
    if (this.phase === "closed" || this.silent) return;
    const packet = decodeEngineFrame(frame);
    if (!packet) {
      if (this.phase === "awaiting-open") {
        this.close("handshake_invalid", `expected an Engine.IO open packet, got ${preview(frame)}`);
      } else {
        this.listener.onDecodeError("engine_frame", `undecodable Engine.IO frame ${preview(frame)}`);
      }
      return;
    }
    switch (this.phase) {
      case "awaiting-open":
        if (this.undecided) {
          // A Socket.IO v2 server connects "/" unasked right after the open packet; a v4 server
          // sends nothing before the client's CONNECT (or its first ping).
          this.decide(packet.type === "message");
          if (this.state === "open") this.onOpenPacket(packet.type, packet.data, frame);
          return;
        }
        if (packet.type !== "open") {
          this.close("handshake_invalid", `expected an Engine.IO open packet, got ${preview(frame)}`);
          return;
        }
        this.opened(packet.data);
        return;
      case "probing":
        if (packet.type === "pong" && packet.data === "probe") {
          this.sink.sendText(encodeEngineText("upgrade"));
          this.becomeOpen(this.options.upgradeFrom!);
          const held = this.held;
          this.held = [];
          for (const f of held) this.write(f);
        }
        // Anything else during the probe is noise from the old transport; engine.io ignores it too.
        return;
      case "open":
        if (!this.checkSize(frame.length)) return;
        this.onOpenPacket(packet.type, packet.data, frame);
    }
  }

  /** A transport message that is neither text nor an ArrayBuffer: counted and said, never dropped in silence. */
  receiveUnknown(kind: string): void {
    if (this.phase === "closed" || this.silent) return;
    this.listener.onDecodeError("engine_frame", `a WebSocket message k6 handed over as ${kind}, neither text nor an ArrayBuffer: dropped`);
  }

  receiveBinary(data: ArrayBuffer): void {
    if (this.trace) this.trace.received(data);
    if (this.phase !== "open" || this.silent) return;
    if (!this.checkSize(data.byteLength)) return;
    if (this.v3) {
      // Engine.IO v3 binary frames start with their packet type byte (4, message).
      this.watchdog!.touch(this.scheduler.now());
      const type = new Uint8Array(data)[0];
      if (type !== 4) {
        this.listener.onDecodeError("engine_frame", `an Engine.IO v3 binary frame of packet type ${String(type)}, not 4 (message)`);
        return;
      }
      this.listener.onMessage(data.slice(1));
      return;
    }
    this.listener.onMessage(data);
  }

  /**
   * The server announced maxPayload for what it accepts; a larger frame from it is counted (and
   * still handled). One past maxFrameBytes is dropped unread: false.
   */
  private checkSize(length: number): boolean {
    const limit = this.frameLimit;
    if (length > limit) {
      this.watchdog?.touch(this.scheduler.now()); // it came, so the server is alive
      this.listener.onDecodeError("frame_too_large", `a ${length}-byte frame exceeds maxFrameBytes (${limit}): dropped unread, its events are lost`);
      return false;
    }
    const max = this.maxPayload;
    if (length > max) this.listener.onDecodeError("max_payload", `a ${length}-byte frame exceeds the server's maxPayload of ${max}`);
    return true;
  }

  /**
   * Sends one text message given as its whole frame ("4" first), as the per-message path builds
   * it; held back like any payload while an upgrade probe is in flight.
   */
  sendTextMessage(frame: string): void {
    if (this.phase === "open" && !this.silent) this.sink.sendText(frame);
    else this.send(frame.slice(1));
  }

  /** Sends one message payload, holding it back while an upgrade probe is in flight. */
  send(payload: Frame): void {
    if (this.silent) return;
    if (this.phase === "probing") this.held.push(payload);
    else if (this.phase === "open") this.write(payload);
  }

  /** Client-initiated or protocol-level close. Idempotent. */
  close(reason: CloseReason, detail: string): void {
    this.finish(reason, detail, true);
  }

  /**
   * The WebSocket closed underneath us. A close frame from the server (any code but 1006, which
   * k6 reports when the TCP connection ended without one) is a clean close: "transport close",
   * as socket.io-client names it. An abrupt end (reset, crash) is a "transport error".
   */
  transportClosed(code: number): void {
    const during = this.phase === "open" ? "" : ` during the ${this.phase === "probing" ? "upgrade" : "handshake"}`;
    const abrupt = code === ABNORMAL_CLOSURE || code === TLS_FAILURE;
    const reason = this.phase !== "open" ? (abrupt ? "transport_error" : "closed_during_handshake") : abrupt ? "transport error" : "transport close";
    // The socket is already closed: closing it again from inside k6's close handler would
    // re-enter k6's shutdown and deadlock the VU.
    const detail = `WebSocket closed by the server (code ${code}${abrupt ? ": no close frame, the connection broke" : ""})${during}`;
    if (this.phase !== "open") return this.finish(reason, detail, false);
    this.lost(reason, detail);
  }

  /** The WebSocket reported an error. The binding closes the socket; the engine must not (see transportClosed). */
  transportError(message: string): void {
    // k6 (gorilla/websocket) reports a close frame without a status code (1005), and a connection
    // that ended without one (1006), as "websocket: close <code> …" before its close event.
    const closeFrame = /^websocket: close (\d{4})\b/.exec(message);
    if (closeFrame) return this.transportClosed(Number(closeFrame[1]));
    const detail = `WebSocket error: ${message}`;
    if (this.phase !== "open") return this.finish("transport_error", detail, false);
    this.lost("transport error", detail);
  }

  /**
   * An open connection lost under us. A server closes a client whose pongs come late: when the
   * generator was starved meanwhile, that is its doing, not the server's.
   */
  private lost(reason: CloseReason, detail: string): void {
    const blame = this.listener.generatorToBlame?.(reason);
    this.finish(blame ? GENERATOR_OVERLOADED : reason, blame ? `${detail}; ${blame}` : detail, false);
  }

  private finish(reason: CloseReason, detail: string, closeTransport: boolean): void {
    if (this.phase === "closed") return;
    const wasOpen = this.phase === "open";
    this.phase = "closed";
    this.speaksV4 = false;
    this.heartbeats.unwatch(this);
    if (this.trace) this.trace.note(`closed: ${reason} (${detail})`);
    this.held = [];
    try {
      if (closeTransport) this.sink.close();
    } finally {
      this.listener.onClose(reason, detail, wasOpen);
    }
  }

  private onOpenPacket(type: string, data: unknown, frame: string): void {
    switch (type) {
      case "message":
        this.listener.onMessage(data as Frame);
        return;
      case "ping":
        this.pong();
        return;
      case "close":
        this.close("transport close", "server sent an Engine.IO close packet");
        return;
      case "noop":
      case "pong": // Engine.IO v3: the answer to our ping (already counted as life above)
        return;
      default:
        this.listener.onDecodeError("engine_frame", `unexpected Engine.IO packet on an open connection: ${preview(frame)}`);
    }
  }

  private opened(data: unknown): void {
    const parsed = parseHandshake(data);
    if (typeof parsed === "string") {
      this.close("handshake_invalid", parsed);
      return;
    }
    if ((this.options.protocol ?? "auto") === "auto" && parsed.eio3) {
      this.undecided = parsed;
      this.undecidedAt = this.scheduler.now();
      this.scheduler.after(Math.min(V3_EVIDENCE_MS, this.options.openTimeout), () => {
        if (this.undecided === parsed && this.phase === "awaiting-open") this.decide(false);
      });
      return;
    }
    this.becomeOpen(parsed);
  }

  /** Ends the wait for evidence: v3 when the server spoke first with a message, else v4 (until the CONNECT reply says otherwise). */
  private decide(v3: boolean): void {
    const handshake = this.undecided!;
    this.undecided = null;
    this.assumedV4 = !v3;
    if (this.trace) this.trace.note(`no maxPayload in the open packet: ${v3 ? "Engine.IO v3 (the server connected / unasked)" : `Engine.IO v4 assumed (the server sent nothing within ${V3_EVIDENCE_MS} ms)`}`);
    // A v3 server's unasked CONNECT ended the wait: that was the server's time. A silent wait was ours.
    this.becomeOpen(v3 ? { ...handshake, eio3: true } : { ...handshake, eio3: false, clientHoldMs: this.scheduler.now() - this.undecidedAt });
  }

  /**
   * The first CONNECT reply of a connection whose v4 was only assumed: Socket.IO 3+ servers put
   * a sid in it, Socket.IO v2 servers never do. A v2 server that was slow to connect "/" switches
   * the connection to v3 rules here (the client's pings), before its ping timeout would end it.
   */
  settleProtocol(replyHasSid: boolean): void {
    if (!this.assumedV4 || this.phase !== "open") return;
    this.assumedV4 = false;
    if (replyHasSid) return;
    if (this.trace) this.trace.note("the CONNECT reply has no sid: Engine.IO v3 after all, the client pings from now on");
    this.v3 = true;
    this.speaksV4 = false;
    this.handshake = { ...this.handshake!, eio3: true };
    this.watchdog!.touch(this.scheduler.now());
    this.schedulePing();
  }

  /** Whether the first CONNECT reply still has to settle the protocol (see settleProtocol). */
  get protocolAssumed(): boolean {
    return this.assumedV4;
  }

  private becomeOpen(handshake: Handshake): void {
    const protocol = this.options.protocol ?? "auto";
    this.v3 = protocol === 3 || (protocol === "auto" && handshake.eio3);
    this.handshake = { ...handshake, eio3: this.v3 };
    this.maxPayload = handshake.maxPayload ?? Infinity;
    this.checkFrom = Math.min(this.frameLimit, this.maxPayload);
    this.phase = "open";
    this.speaksV4 = !this.v3;
    if (handshake.adjusted) this.listener.onDecodeError("open_packet", `the open packet was adjusted: ${handshake.adjusted}`);
    this.watchdog = new HeartbeatWatchdog(handshake.pingInterval, handshake.pingTimeout, this.scheduler.now());
    this.heartbeats.watch(this, this.watchdog.deadline);
    if (this.v3) this.schedulePing();
    this.listener.onOpen(this.handshake);
  }

  /** Engine.IO v3: the client pings every pingInterval; the server answers with a pong. */
  private schedulePing(): void {
    this.scheduler.after(Math.max(MIN_CLIENT_PING_MS, this.handshake!.pingInterval), () => {
      if (this.phase !== "open" || this.silent) return;
      this.sink.sendText(encodeEngineText("ping"));
      this.schedulePing();
    });
  }

  /** A ping: answered, and proof of life (no timer: the sweep reads the time when it looks). */
  private pong(): void {
    this.sink.sendText(PONG);
    this.watchdog!.touch(this.scheduler.now());
  }

  /** Called by the heartbeat sweep: closes a connection whose server went quiet too long. */
  checkLiveness(now: number): number | undefined {
    if (this.phase !== "open" || this.silent) return undefined;
    const watchdog = this.watchdog!;
    if (now < watchdog.deadline) return watchdog.deadline;
    const what = this.v3 ? "nothing from the server (not even a pong)" : "no ping from the server";
    const detail = `${what} within pingInterval + pingTimeout (${watchdog.allowance} ms)`;
    const blame = this.listener.generatorToBlame?.("ping timeout");
    this.close(blame ? GENERATOR_OVERLOADED : "ping timeout", blame ? `${detail}; ${blame}` : detail);
    return undefined;
  }

  private write(payload: Frame): void {
    // "4" is the message packet type in v3 and v4 alike: engine.io-parser's encoding, inlined
    // because every emit passes here.
    if (typeof payload === "string") this.sink.sendText(`4${payload}`);
    else if (this.v3 && this.options.binaryFrames !== "base64") {
      const framed = new Uint8Array(payload.byteLength + 1);
      framed[0] = 4; // Engine.IO v3: the message packet type leads binary frames too
      framed.set(new Uint8Array(payload), 1);
      this.sink.sendBinary(framed.buffer);
    } else this.sink.sendBinary(payload);
  }
}

/**
 * How long a connection under protocol "auto" waits, after an open packet without maxPayload,
 * for the server to show its version before sending anything. A Socket.IO v2 server sends its
 * CONNECT for "/" right behind the open packet; a Socket.IO 3.x server sends nothing. Only
 * websocket-only connections to such servers wait (polling knows the version from its framing);
 * `protocol: 4` or `3` skips the wait.
 */
export const V3_EVIDENCE_MS = 250;

function tracedSink(sink: FrameSink, trace: WireTrace): FrameSink {
  return {
    sendText: (d) => {
      trace.sent(d);
      sink.sendText(d);
    },
    sendBinary: (d) => {
      trace.sent(d);
      sink.sendBinary(d);
    },
    close: () => sink.close(),
  };
}
