// A Socket.IO session over k6/websockets, on k6's event loop. Nothing blocks: the session runs
// beside the VU's other sessions, so one VU can hold many. With transport "polling" the
// Engine.IO handshake and the namespace CONNECT go over http.asyncRequest first, then the
// connection is upgraded to the WebSocket, as socket.io-client does by default.
//
// Classes rather than closures: a VU holds thousands of these at once, and in k6's runtime a
// function object costs about as much as a small object; a method lives once on its prototype.
import { WebSocket } from "k6/websockets";
import type { Connection } from "../protocol/connection";
import type { EngineConnection } from "../protocol/engine";
import { engineQuery, type ResolvedOptions } from "../protocol/options";
import { ReconnectPlan } from "../protocol/reconnect";
import type { Socket } from "../protocol/socket";
import type { FrameSink, Scheduler, WireTrace } from "../protocol/transport";
import { engineEndpoint, engineUrl } from "../protocol/url";
import { sessionTimers, vuHeartbeats } from "./event-loop";
import { pollingHandshakeAsync } from "./polling-handshake";
import { dialError } from "./refused-upgrade";
import { attachEngine, explain, type LiveSession, newConnection, type SessionResult, sessionResult, type Upgrade } from "./session";
import { wireTracer } from "./trace";
import { sessionClosed, sessionOpened } from "./vu-probe";

export function openWebSocketsSession(opts: ResolvedOptions): LiveSession {
  return new WebSocketsSession(opts);
}

class WebSocketsSession implements LiveSession {
  readonly connection: Connection;
  readonly socket: Socket;
  readonly finished: Promise<SessionResult>;
  readonly timers: Scheduler & { clearAll(): void };
  readonly trace: WireTrace | undefined;
  /**
   * The sid makes every upgrade URL unique and the query may hold a token: the series is named
   * after the bare endpoint (k6/websockets then tags `url` with it too).
   */
  readonly tags: Record<string, string>;
  /** The WebSocket handshake in flight, while k6 is still dialing it (named when the connect times out). */
  dialing: string | undefined;
  sid: string | undefined;
  private readonly startedAt = Date.now();
  private readonly deadline: number;
  private readonly plan: ReconnectPlan;
  private resolveFinished!: (r: SessionResult) => void;
  private over = false;

  constructor(readonly opts: ResolvedOptions) {
    this.timers = sessionTimers();
    this.connection = newConnection(opts, this.timers, this.startedAt);
    this.socket = this.connection.socket(opts.namespace, opts.auth);
    this.deadline = opts.sessionTimeout === undefined ? Infinity : this.startedAt + opts.sessionTimeout;
    this.plan = new ReconnectPlan(opts.reconnect, this.deadline);
    this.trace = wireTracer(opts);
    this.tags = { ...opts.tags, name: engineEndpoint(opts.target, opts.path, "websocket") };
    this.finished = new Promise<SessionResult>((resolve) => (this.resolveFinished = resolve));
    sessionOpened(opts.stallAfter);
    this.attempt();
  }

  private finish(): void {
    if (this.over) return;
    this.over = true;
    this.timers.clearAll();
    sessionClosed();
    this.resolveFinished(explain(this.opts, sessionResult(this.connection, this.socket, this.startedAt, this.sid)));
  }

  /** A transport ended: reconnect after the plan's delay, or end the session. */
  afterTransport(connectsBefore: number): void {
    const delay = this.plan.next(this.connection, this.socket.connects > connectsBefore, Date.now());
    if (delay === null) return this.finish();
    this.timers.after(delay, () => {
      this.connection.prepareReconnect();
      this.attempt();
    });
  }

  private attempt(): void {
    const { opts, connection, timers } = this;
    const attemptStart = Date.now();
    const connectsBefore = this.socket.connects;
    const connectDeadline = Math.min(attemptStart + opts.connectTimeout, this.deadline);
    connection.startedAt = attemptStart;
    timers.after(connectDeadline - Date.now(), () => connection.connectDeadline(opts.connectTimeout, this.dialing));
    if (this.deadline !== Infinity && connectsBefore === 0) {
      timers.after(this.deadline - Date.now(), () => connection.close("session timeout", `sessionTimeout of ${opts.sessionTimeout} ms reached`));
    }
    if (opts.transport !== "polling") {
      new Dial(this, attemptStart, connectsBefore, connectDeadline, undefined);
      return;
    }
    if (this.trace) this.trace.note(`polling handshake ${engineUrl(opts.target, opts.path, "polling", engineQuery(opts))}`);
    pollingHandshakeAsync(opts, (eio3) => connection.connectFrames(eio3), connection.newDecoder(), connectDeadline, this.trace).then((polled) => {
      if (this.over) return;
      if (!polled.ok) {
        connection.failAll(polled.error);
        return this.afterTransport(connectsBefore);
      }
      new Dial(this, attemptStart, connectsBefore, connectDeadline, polled);
    });
  }
}

/** One WebSocket of a session (the first, or a reconnection's): its frame sink and its events. */
class Dial implements FrameSink {
  private readonly ws: WebSocket;
  private readonly engine: EngineConnection;
  private readonly url: string;
  private ended = false;
  private dialed = false;
  /** The attempt gave up on this socket while k6 was still dialing it: close it once it opens. */
  private abandoned = false;
  /** A failed dial's cause is being looked up: it ends the attempt once known. */
  private explaining = false;

  constructor(
    private readonly session: WebSocketsSession,
    attemptStart: number,
    private readonly connectsBefore: number,
    private readonly connectDeadline: number,
    private readonly upgrade: Upgrade | undefined,
  ) {
    const { opts, trace } = session;
    this.url = engineUrl(opts.target, opts.path, "websocket", engineQuery(opts), upgrade?.handshake.sid);
    if (trace) trace.note(`${upgrade ? "upgrade to" : "dial"} ${this.url}`);
    session.dialing = `WebSocket handshake with ${session.tags.name} unanswered`;
    this.ws = new WebSocket(this.url, null, { headers: opts.headers, tags: session.tags });
    (this.ws as unknown as { binaryType: string }).binaryType = "arraybuffer";
    this.engine = attachEngine(session.connection, this, session.timers, opts, { startedAt: attemptStart, connectDeadline, upgrade, trace, heartbeats: vuHeartbeats });
    // One handler for the four events (a function object each would cost as much as this Dial).
    // k6 names each event's type as a string ("open", "message", "error", "close"), whatever its typings say.
    const handle = (e?: WsEvent): void => this.handle(e);
    const events = this.ws as unknown as Record<"onopen" | "onmessage" | "onerror" | "onclose", typeof handle>;
    events.onopen = events.onmessage = events.onerror = events.onclose = handle;
  }

  sendText(d: string): void {
    this.ws.send(d);
  }

  sendBinary(d: ArrayBuffer): void {
    this.ws.send(d);
  }

  /**
   * Our own close ends the attempt at once: a dead peer may never answer the close handshake,
   * and the reconnect must not wait for it. k6 cannot close a socket it is still dialing
   * (close() would block the VU until the dial returns): that one is closed on open.
   */
  close(): void {
    if (this.dialed) this.ws.close();
    else this.abandoned = true;
    this.session.timers.after(0, () => this.end());
  }

  /** Messages first (nearly every event): their data is read without asking for the event's type. */
  private handle(e: WsEvent | undefined): void {
    const data = e?.data;
    if (typeof data === "string") return this.engine.receiveText(data);
    if (data instanceof ArrayBuffer) return this.engine.receiveBinary(data);
    switch (e?.type) {
      case "message":
        return this.engine.receiveUnknown(data === null ? "null" : typeof data);
      case "open":
        return this.opened();
      case "error":
        return this.failed(e.error ?? "no response");
      case "close":
        return this.closed(e.code ?? 1006);
    }
  }

  private opened(): void {
    this.dialed = true;
    if (this.abandoned) return this.ws.close();
    this.session.dialing = undefined;
    this.engine.start();
  }

  private failed(error: string): void {
    const wasOpen = this.engine.state === "open";
    if (this.abandoned) return;
    if (!this.dialed) {
      // A dial that never opened: refused (with the server's HTTP answer) or a network error.
      this.explaining = true;
      void dialError(this.session.opts, this.url, error, this.connectDeadline).then((failure) => {
        this.session.connection.failAll(failure);
        this.engine.transportError(error);
        this.end();
      });
      return;
    }
    this.engine.transportError(error);
    // Before the upgrade answered there is no connection to close: the attempt is over.
    if (!wasOpen) this.end();
    else this.ws.close();
  }

  private closed(code: number): void {
    if (this.explaining) return; // the failed dial ends the attempt once its cause is known
    this.engine.transportClosed(code);
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    const { session } = this;
    session.dialing = undefined;
    session.sid = this.engine.sid ?? this.upgrade?.handshake.sid ?? session.sid;
    session.afterTransport(this.connectsBefore);
  }
}

/** The k6/websockets event fields a Dial reads (message, open, error and close events alike). */
interface WsEvent {
  type?: string;
  data?: unknown;
  error?: string;
  code?: number;
}
