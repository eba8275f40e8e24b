// A Socket.IO session over k6/websockets, on k6's event loop. Unlike k6/ws, nothing blocks:
// connectAsync() returns a Promise, so one VU can hold many sessions at once
// (await Promise.all([...])). Protocol, heartbeats, acks, reconnection and metrics are the same
// code as over k6/ws; only the socket and the timers differ.
import { WebSocket } from "k6/websockets";
import { backoffDelay } from "../protocol/backoff";
import { EngineConnection } from "../protocol/engine";
import { engineQuery, type ResolvedOptions } from "../protocol/options";
import { eventLoopTimers } from "./event-loop";
import { newConnection, type SessionHandler, type SessionResult, sessionResult } from "./ws-session";
import { engineUrl } from "../protocol/url";

export function runWebSocketsSession(opts: ResolvedOptions, handler: SessionHandler): Promise<SessionResult> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    const { scheduler, clearAll } = eventLoopTimers();
    const connection = newConnection(opts, scheduler, startedAt);
    const socket = connection.socket(opts.namespace, opts.auth);
    const deadline = opts.sessionTimeout === undefined ? Infinity : startedAt + opts.sessionTimeout;
    const url = engineUrl(opts.target, opts.path, "websocket", engineQuery(opts));
    const tags = { ...opts.tags, name: engineUrl(opts.target, opts.path, "websocket", {}) };
    let handlerRan = false;
    let sid: string | undefined;
    let failedAttempts = 0;
    let finished = false;

    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearAll();
      resolve(sessionResult(connection, socket, startedAt, sid));
    };

    const afterTransport = (connectsBefore: number): void => {
      const lost = connection.lostSockets;
      if (!opts.reconnect || connection.handlerError || lost.length === 0) return finish();
      failedAttempts = socket.connects > connectsBefore ? 0 : failedAttempts + 1;
      if (failedAttempts >= opts.reconnect.attempts) {
        for (const s of lost) s.giveUp(failedAttempts);
        return finish();
      }
      const delay = backoffDelay(failedAttempts + 1, opts.reconnect);
      if (Date.now() + delay >= deadline) return finish();
      for (const s of lost) s.announceAttempt(failedAttempts + 1);
      scheduler.after(delay, () => {
        connection.prepareReconnect();
        attempt();
      });
    };

    const attempt = (): void => {
      const attemptStart = Date.now();
      const connectsBefore = socket.connects;
      const connectDeadline = Math.min(attemptStart + opts.connectTimeout, deadline);
      let ended = false;
      const ws = new WebSocket(url, null, { headers: opts.headers, tags });
      (ws as unknown as { binaryType: string }).binaryType = "arraybuffer";
      const engine = new EngineConnection(
        { sendText: (d) => ws.send(d), sendBinary: (d) => ws.send(d), close: () => ws.close() },
        scheduler,
        connection,
        { openTimeout: Math.max(1, connectDeadline - Date.now()), protocol: opts.protocol },
      );
      connection.attach(engine, attemptStart);
      const end = (): void => {
        if (ended) return;
        ended = true;
        sid = engine.sid ?? sid;
        afterTransport(connectsBefore);
      };
      let dialed = false;
      ws.onopen = () => {
        dialed = true;
        engine.start();
      };
      ws.onmessage = (e) => {
        const data = e?.data;
        if (typeof data === "string") engine.receiveText(data);
        else if (data instanceof ArrayBuffer) engine.receiveBinary(data);
      };
      ws.onerror = (e) => {
        const wasOpen = engine.state === "open";
        // A dial that never opened is a "network" connect error, as over k6/ws.
        if (!dialed) connection.failAll({ reason: "network", message: `WebSocket handshake to ${url} failed: ${e?.error ?? "no response"}` });
        engine.transportError(e?.error ?? "WebSocket error");
        // Before the upgrade answered there is no connection to close: the attempt is over.
        if (!wasOpen) end();
        else ws.close();
      };
      (ws as unknown as { onclose: (e?: { code?: number }) => void }).onclose = (e) => {
        engine.transportClosed(e?.code ?? 1006);
        end();
      };
      scheduler.after(connectDeadline - Date.now(), () => connection.connectDeadline(opts.connectTimeout));
      if (deadline !== Infinity) {
        scheduler.after(deadline - Date.now(), () => connection.close("session timeout", `sessionTimeout of ${opts.sessionTimeout} ms reached`));
      }
      if (!handlerRan) {
        handlerRan = true;
        connection.invoke("session handler", handler, [socket]);
      }
    };

    attempt();
  });
}
