// A Socket.IO session over k6/websockets, on k6's event loop. Nothing blocks: the session runs
// beside the VU's other sessions, so one VU can hold many. With transport "polling" the
// Engine.IO handshake and the namespace CONNECT go over http.asyncRequest first, then the
// connection is upgraded to the WebSocket, as socket.io-client does by default.
import { WebSocket } from "k6/websockets";
import { engineQuery, type ResolvedOptions } from "../protocol/options";
import { ReconnectPlan } from "../protocol/reconnect";
import { engineEndpoint, engineUrl } from "../protocol/url";
import { eventLoopTimers, vuHeartbeats } from "./event-loop";
import { pollingHandshakeAsync } from "./polling-handshake";
import { dialError } from "./refused-upgrade";
import { attachEngine, type LiveSession, newConnection, sessionResult, type Upgrade } from "./session";
import { wireTracer } from "./trace";
import { sessionClosed, sessionOpened } from "./vu-probe";

export function openWebSocketsSession(opts: ResolvedOptions): LiveSession {
  const startedAt = Date.now();
  const { scheduler, clearAll } = eventLoopTimers();
  const connection = newConnection(opts, scheduler, startedAt);
  const socket = connection.socket(opts.namespace, opts.auth);
  const deadline = opts.sessionTimeout === undefined ? Infinity : startedAt + opts.sessionTimeout;
  const plan = new ReconnectPlan(opts.reconnect, deadline);
  const trace = wireTracer(opts);
  // The sid makes every upgrade URL unique and the query may hold a token: name the series after
  // the bare endpoint (k6/websockets then tags `url` with it too).
  const tags = { ...opts.tags, name: engineEndpoint(opts.target, opts.path, "websocket") };
  let sid: string | undefined;
  let resolveFinished!: (r: ReturnType<typeof sessionResult>) => void;
  const finished = new Promise<ReturnType<typeof sessionResult>>((resolve) => (resolveFinished = resolve));
  let over = false;
  /** The WebSocket handshake in flight, while k6 is still dialing it (named when the connect times out). */
  let dialing: string | undefined;
  sessionOpened(opts.stallAfter);

  const finish = (): void => {
    if (over) return;
    over = true;
    clearAll();
    sessionClosed();
    resolveFinished(sessionResult(connection, socket, startedAt, sid));
  };

  const afterTransport = (connectsBefore: number): void => {
    const delay = plan.next(connection, socket.connects > connectsBefore, Date.now());
    if (delay === null) return finish();
    scheduler.after(delay, () => {
      connection.prepareReconnect();
      attempt();
    });
  };

  const attempt = (): void => {
    const attemptStart = Date.now();
    const connectsBefore = socket.connects;
    const connectDeadline = Math.min(attemptStart + opts.connectTimeout, deadline);
    connection.startedAt = attemptStart;
    scheduler.after(connectDeadline - Date.now(), () => connection.connectDeadline(opts.connectTimeout, dialing));
    if (deadline !== Infinity && connectsBefore === 0) {
      scheduler.after(deadline - Date.now(), () => connection.close("session timeout", `sessionTimeout of ${opts.sessionTimeout} ms reached`));
    }
    if (opts.transport !== "polling") return dial(attemptStart, connectsBefore, connectDeadline, undefined);
    if (trace) trace.note(`polling handshake ${engineUrl(opts.target, opts.path, "polling", engineQuery(opts))}`);
    pollingHandshakeAsync(opts, (eio3) => connection.connectFrames(eio3), connection.newDecoder(), connectDeadline, trace).then((polled) => {
      if (over) return;
      if (!polled.ok) {
        connection.failAll(polled.error);
        return afterTransport(connectsBefore);
      }
      dial(attemptStart, connectsBefore, connectDeadline, polled);
    });
  };

  const dial = (attemptStart: number, connectsBefore: number, connectDeadline: number, upgrade: Upgrade | undefined): void => {
    const url = engineUrl(opts.target, opts.path, "websocket", engineQuery(opts), upgrade?.handshake.sid);
    if (trace) trace.note(`${upgrade ? "upgrade to" : "dial"} ${url}`);
    let ended = false;
    let dialed = false;
    /** The attempt gave up on this socket while k6 was still dialing it: close it once it opens. */
    let abandoned = false;
    dialing = `WebSocket handshake with ${tags.name} unanswered`;
    const ws = new WebSocket(url, null, { headers: opts.headers, tags });
    (ws as unknown as { binaryType: string }).binaryType = "arraybuffer";
    const end = (): void => {
      if (ended) return;
      ended = true;
      dialing = undefined;
      sid = engine.sid ?? upgrade?.handshake.sid ?? sid;
      afterTransport(connectsBefore);
    };
    const sink = {
      sendText: (d: string) => ws.send(d),
      sendBinary: (d: ArrayBuffer) => ws.send(d),
      // Our own close ends the attempt at once: a dead peer may never answer the close
      // handshake, and the reconnect must not wait for it. k6 cannot close a socket it is still
      // dialing (close() would block the VU until the dial returns): that one is closed on open.
      close: () => {
        if (dialed) ws.close();
        else abandoned = true;
        scheduler.after(0, end);
      },
    };
    const engine = attachEngine(connection, sink, scheduler, opts, { startedAt: attemptStart, connectDeadline, upgrade, trace, heartbeats: vuHeartbeats });
    ws.onopen = () => {
      dialed = true;
      if (abandoned) return ws.close();
      dialing = undefined;
      engine.start();
    };
    ws.onmessage = (e) => {
      const data = e?.data;
      if (typeof data === "string") engine.receiveText(data);
      else if (data instanceof ArrayBuffer) engine.receiveBinary(data);
      else engine.receiveUnknown(data === null ? "null" : typeof data);
    };
    let explaining = false;
    ws.onerror = (e) => {
      const wasOpen = engine.state === "open";
      const error = e?.error ?? "no response";
      if (abandoned) return;
      if (!dialed) {
        // A dial that never opened: refused (with the server's HTTP answer) or a network error.
        explaining = true;
        void dialError(opts, url, error, connectDeadline).then((failure) => {
          connection.failAll(failure);
          engine.transportError(error);
          end();
        });
        return;
      }
      engine.transportError(error);
      // Before the upgrade answered there is no connection to close: the attempt is over.
      if (!wasOpen) end();
      else ws.close();
    };
    (ws as unknown as { onclose: (e?: { code?: number }) => void }).onclose = (e) => {
      if (explaining) return; // the failed dial ends the attempt once its cause is known
      engine.transportClosed(e?.code ?? 1006);
      end();
    };
  };

  attempt();
  return { connection, socket, finished };
}
