// A Socket.IO session over HTTP long-polling only (no upgrade), on k6's event loop: one GET
// always waiting for the server's packets, and the client's packets sent by POST, one request at
// a time. k6/http blocks the VU, so this uses http.asyncRequest and the global timers, and the
// session is a Promise: connectAsync() in an async default function or setup().
import encoding from "k6/encoding";
import http from "k6/http";
import { decodePollingBodyV3, encodePollingBodyV3, isPollingBodyV3 } from "../protocol/codec";
import { EngineConnection } from "../protocol/engine";
import { preview } from "../protocol/handshake";
import { engineQuery, type ResolvedOptions } from "../protocol/options";
import type { ConnectErrorReason } from "../protocol/reasons";
import { sessionTimers } from "./event-loop";
import { explain, type LiveSession, newConnection, type SessionResult, sessionResult } from "./session";
import { wireTracer } from "./trace";
import { engineEndpoint, engineUrl } from "../protocol/url";
import { failedRequest, throwing } from "./quiet-http";
import { sessionClosed, sessionOpened } from "./vu-probe";

const RECORD_SEPARATOR = "\x1e";

export function openPollingOnlySession(opts: ResolvedOptions): LiveSession {
  const startedAt = Date.now();
  const scheduler = sessionTimers();
  const connection = newConnection(opts, scheduler, startedAt);
  const socket = connection.socket(opts.namespace, opts.auth);
  sessionOpened(opts.stallAfter);
  const finished = new Promise<SessionResult>((resolve) => {
    const trace = wireTracer(opts);
    const nameTag = engineEndpoint(opts.target, opts.path, "polling");
    let sid: string | undefined;
    let closed = false;
    let outbox: string[] = [];
    let posting = false;
    let transportFailed = false;
    /** Engine.IO v3 (Socket.IO v2): length-prefixed payloads, b64=1 on every request. */
    let v3 = false;
    const split = (body: string): string[] => (v3 ? (decodePollingBodyV3(body) ?? [body]) : body.split(RECORD_SEPARATOR));
    let engine: EngineConnection | undefined;
    const fail = (message: string): void => {
      transportFailed = true;
      engine?.transportError(message);
      done();
    };

    const done = (): void => {
      if (closed) return;
      closed = true;
      scheduler.clearAll();
      sessionClosed();
      resolve(explain(opts, sessionResult(connection, socket, startedAt, sid)));
    };
    const params = (timeoutMs: number, post = false) =>
      throwing({
        headers: post ? { "Content-Type": "text/plain;charset=UTF-8", ...opts.headers } : opts.headers,
        timeout: `${Math.max(1, timeoutMs)}ms`,
        tags: { ...opts.tags, name: nameTag },
        responseType: "text" as const,
      });
    // The engine knows its sid as soon as the open packet is handled, before anything is sent.
    // b64=1 from the first request: Engine.IO v3 fixes a session's binary framing at the
    // handshake (base64 text is what we decode), and v4 servers ignore the parameter.
    const url = () => engineUrl(opts.target, opts.path, "polling", { ...engineQuery(opts), b64: "1" }, engine?.sid);

    const flush = (): void => {
      if (posting || outbox.length === 0 || transportFailed) return;
      posting = true;
      const body = v3 ? encodePollingBodyV3(outbox) : outbox.join(RECORD_SEPARATOR);
      outbox = [];
      http.asyncRequest("POST", url(), body, params(opts.connectTimeout, true)).then(
        (res) => {
          posting = false;
          if (res.status !== 200) return fail(`POST answered HTTP ${res.status} ${preview(String(res.body ?? ""))}`);
          flush();
          if (engine?.state === "closed" && !posting) done();
        },
        (err: unknown) => {
          posting = false;
          fail(`POST failed: ${failedRequest(err).error}`);
        },
      );
    };

    const poll = (): void => {
      if (!engine || engine.state === "closed") return done();
      const hs = engine.openHandshake;
      // The server holds a poll until it has data or pings: pingInterval plus a margin bounds it.
      const bound = (hs ? hs.pingInterval + hs.pingTimeout : opts.connectTimeout) + 1_000;
      http.asyncRequest("GET", url(), null, params(bound)).then(
        (res) => {
          if (!engine || engine.state === "closed") return done();
          if (res.status !== 200) return fail(`poll answered HTTP ${res.status} ${preview(String(res.body ?? ""))}`);
          for (const frame of split(String(res.body ?? ""))) if (frame) engine.receiveText(frame);
          poll();
        },
        (err: unknown) => fail(`poll failed: ${failedRequest(err).error}`),
      );
    };

    // One connect deadline from the start: the handshake GET and the namespace CONNECT share it.
    scheduler.after(opts.connectTimeout, () => connection.connectDeadline(opts.connectTimeout, engine ? undefined : "polling handshake unanswered"));
    http.asyncRequest("GET", url(), null, params(opts.connectTimeout)).then(
      (res) => {
        const body = String(res.body ?? "");
        if (res.status !== 200) {
          const reason: ConnectErrorReason = res.status === 0 ? "network" : `http_${res.status}`;
          connection.failAll({ reason, message: `polling handshake: ${res.status === 0 ? res.error : `HTTP ${res.status} ${preview(body)}`}` });
          return done();
        }
        v3 = isPollingBodyV3(body);
        const frames = split(body);
        engine = new EngineConnection(
          {
            sendText: (d) => {
              outbox.push(d);
              flush();
            },
            sendBinary: (d) => {
              outbox.push(`b${encoding.b64encode(d)}`);
              flush();
            },
            // A close packet, then the session ends once it is posted.
            close: () => {
              outbox.push("1");
              flush();
            },
          },
          scheduler,
          connection,
          // The payload framing tells the version for certain (socket.io 3.x sends no maxPayload either).
          { openTimeout: opts.connectTimeout, protocol: opts.protocol === "auto" ? (v3 ? 3 : 4) : opts.protocol, binaryFrames: "base64", trace, maxFrameBytes: opts.maxFrameBytes },
        );
        connection.attach(engine, startedAt);
        if (opts.sessionTimeout !== undefined) scheduler.after(opts.sessionTimeout, () => connection.close("session timeout", `sessionTimeout of ${opts.sessionTimeout} ms reached`));
        engine.start();
        for (const frame of frames) if (frame) engine.receiveText(frame);
        sid = engine.sid;
        if (engine.state === "open") poll();
        else done();
      },
      (err: unknown) => {
        connection.failAll({ reason: "network", message: `polling handshake failed: ${failedRequest(err).error}` });
        done();
      },
    );
  });
  return { connection, socket, finished };
}
