// The doctor's steps, in the order a Socket.IO client connects. Each gathers facts over raw
// k6/http and k6/ws (no retries, no hiding), bounds every wait, and hands the facts to the
// rules in diagnose.ts. A step that cannot run because an earlier one failed says so.
import http from "k6/http";
import ws from "k6/ws";
import { decodeEngineFrame, decodePollingBody, encodeEngineText, encodePollingBody, encodeSocketPacket, PacketType, SocketDecoder } from "../socketio/protocol/codec";
import { type Handshake, parseHandshake, preview } from "../socketio/protocol/handshake";
import { engineUrl, hostOf, type Target } from "../socketio/protocol/url";
import {
  diagnoseConnectError,
  diagnoseEarlyClose,
  diagnoseHandshakeStatus,
  diagnoseMissingAck,
  diagnoseNetwork,
  engineErrorCode,
  looksLikeEio3,
  sessionUnknown,
} from "./diagnose";
import { redactUrl } from "../socketio/protocol/redact";
import { quietly, throwing } from "../socketio/k6/quiet-http";
import { redactStep, type Report, type Step } from "./report";

/** What to do about a Socket.IO v2 (Engine.IO v3) server, which this doctor does not check further. */
const EIO3_FIX =
  "the doctor checks Engine.IO v4 only, but the library speaks v3 too: scenarios reach this server with the default protocol \"auto\" (or protocol: 3 in the connect options); or upgrade the server to socket.io 3.x/4.x (python-socketio 5.x)";

export interface DoctorConfig {
  targetUrl: string;
  target: Target;
  namespace: string;
  enginePath: string;
  auth: Record<string, unknown> | undefined;
  headers: Record<string, string>;
  event: string | undefined;
  /** For a fire-and-forget event: the event the server answers with, instead of an ack. */
  expectEvent?: string | undefined;
  payload: unknown;
  stepTimeoutMs: number;
  ackTimeoutMs: number;
  heartbeatMaxMs: number;
  idleHoldMs: number;
  /** Requests sent with one polling sid to catch a load balancer without stickiness. */
  stickyRequests: number;
  secrets: string[];
}

const K6_TIMEOUT = 1050;

export function runDoctor(cfg: DoctorConfig): Report {
  const steps: Step[] = [];
  const add = (step: Step): Step => {
    const clean = redactStep(step, cfg.secrets);
    steps.push(clean);
    return clean;
  };
  const notRun = (id: string, title: string, reason: string) => add({ id, title, status: "not run", reason });

  const reach = reachability(cfg);
  add(reach);
  if (reach.status === "fail") {
    for (const [id, title] of REMAINING) notRun(id, title, "the server is not reachable (step 1)");
    return finish(cfg, steps);
  }

  const polling = pollingHandshake(cfg);
  add(polling.step);
  if (polling.handshake) add(stickiness(cfg, polling.handshake));
  else notRun("sticky", STICKY_TITLE, "needs an Engine.IO polling session (step 2)");

  const wsOnly = websocketHandshake(cfg, polling.handshake !== null);
  add(wsOnly);

  if (polling.handshake) add(upgradeProbe(cfg));
  else notRun("upgrade", UPGRADE_TITLE, "needs an Engine.IO polling session (step 2)");

  if (wsOnly.status === "pass") {
    for (const step of socketSession(cfg)) add(step);
  } else {
    for (const [id, title] of REMAINING.slice(4)) notRun(id, title, "needs a WebSocket connection (step 4 failed)");
  }
  return finish(cfg, steps);
}

const STICKY_TITLE = "Session affinity: further requests of the same polling session";
const UPGRADE_TITLE = "Upgrade probe: polling session upgraded to WebSocket (2probe/3probe/5)";
const REMAINING: [string, string][] = [
  ["polling", "Engine.IO polling handshake"],
  ["sticky", STICKY_TITLE],
  ["websocket", "WebSocket-only handshake"],
  ["upgrade", UPGRADE_TITLE],
  ["namespace", "Namespace connect"],
  ["emit", "Emit with ack"],
  ["heartbeat", "Heartbeat: server ping within pingInterval + pingTimeout"],
  ["idle", "Idle hold"],
];

function finish(cfg: DoctorConfig, steps: Step[]): Report {
  return { target: redactUrl(cfg.targetUrl, "***"), namespace: cfg.namespace, steps, failed: steps.filter((s) => s.status === "fail").length };
}

function base(cfg: DoctorConfig): string {
  return `${cfg.target.secure ? "https" : "http"}://${cfg.target.authority}`;
}

/** Params for the doctor's requests: made with `throw: true` and run through quietly(), so that k6 never logs a failed request's URL (and its query). */
function params(cfg: DoctorConfig, extra: Record<string, string> = {}) {
  return throwing({ headers: { ...cfg.headers, ...extra }, timeout: `${cfg.stepTimeoutMs}ms`, responseType: "text" as const, tags: { name: "doctor" } });
}

function failedRequest(res: { error_code: number; error: string }, cfg: DoctorConfig): { cause: string; fix: string } {
  return diagnoseNetwork(res.error_code, res.error, hostOf(cfg.target));
}

// ---- 1. reachability -------------------------------------------------------------------------

export function reachability(cfg: DoctorConfig): Step {
  // A polling handshake request: any HTTP answer proves DNS, TCP and TLS. Not the Engine.IO path
  // without its query (python-engineio logs that as an error), nor the site's root (some servers,
  // gevent's among them, answer it in ways k6 reads as a broken connection).
  const url = engineUrl(cfg.target, cfg.enginePath, "polling", {});
  const res = quietly(() => http.get(url, { ...params(cfg), timeout: `${Math.min(cfg.stepTimeoutMs, 3_000)}ms` }));
  const step: Step = { id: "reach", title: "Reachability: DNS, TCP and TLS", status: "pass", sent: `GET ${url}`, ms: res.timings.duration };
  if (res.error_code === K6_TIMEOUT) {
    // k6 reports a dial timeout separately (1211): this one means connected, then no answer.
    return { ...step, received: "connected, but no HTTP answer within 3 s (the steps below tell why)" };
  }
  if (res.status === 0) return { ...step, status: "fail", received: res.error || "no response", ...failedRequest(res, cfg) };
  const tls = res.timings.tls_handshaking > 0 ? `, TLS ${res.timings.tls_handshaking.toFixed(1)} ms` : "";
  return { ...step, received: `HTTP ${res.status} (TCP connect ${res.timings.connecting.toFixed(1)} ms${tls}); any HTTP answer means the host is reachable` };
}

// ---- 2. polling handshake --------------------------------------------------------------------

export function pollingHandshake(cfg: DoctorConfig): { step: Step; handshake: Handshake | null } {
  const url = engineUrl(cfg.target, cfg.enginePath, "polling", {});
  const res = quietly(() => http.get(url, params(cfg)));
  const body = typeof res.body === "string" ? res.body : "";
  const step: Step = { id: "polling", title: "Engine.IO polling handshake", status: "pass", sent: `GET ${url}`, ms: res.timings.duration, received: `HTTP ${res.status} ${preview(body)}` };
  if (res.status === 0) return { step: { ...step, status: "fail", received: res.error, ...failedRequest(res, cfg) }, handshake: null };
  if (res.status === 200 && looksLikeEio3(body)) {
    return {
      step: {
        ...step,
        status: "fail",
        cause: "the server answered in Engine.IO v3 framing (Socket.IO v2): EIO version mismatch",
        fix: EIO3_FIX,
      },
      handshake: null,
    };
  }
  if (res.status !== 200) {
    const d = diagnoseHandshakeStatus(res.status, body, cfg.enginePath, "polling");
    // A WebSocket-only server is a choice, not a fault; the WebSocket step decides.
    const websocketOnly = engineErrorCode(body)?.code === 0;
    return { step: { ...step, status: websocketOnly ? "warn" : "fail", ...d }, handshake: null };
  }
  const open = decodePollingBody(body)?.[0];
  const handshake = open?.type === "open" ? parseHandshake(open.data) : "no open packet";
  if (typeof handshake === "string") {
    return {
      step: { ...step, status: "fail", cause: `HTTP 200 but not an Engine.IO open packet (${handshake}): something other than Socket.IO answers at ${cfg.enginePath}`, fix: "check -e ENGINE_PATH and what the server or proxy serves there" },
      handshake: null,
    };
  }
  return { step, handshake };
}

// ---- 3. stickiness ---------------------------------------------------------------------------

function stickiness(cfg: DoctorConfig, handshake: Handshake): Step {
  const url = engineUrl(cfg.target, cfg.enginePath, "polling", {}, handshake.sid);
  const step: Step = { id: "sticky", title: STICKY_TITLE, status: "pass", sent: `${cfg.stickyRequests} x POST ${url} (pong packets)` };
  const started = Date.now();
  for (let i = 1; i <= cfg.stickyRequests; i++) {
    const res = quietly(() => http.post(url, encodePollingBody([{ type: "pong" }]), params(cfg, { "Content-Type": "text/plain;charset=UTF-8" })));
    const body = typeof res.body === "string" ? res.body : "";
    if (res.status === 0) return { ...step, status: "fail", received: `request ${i}: ${res.error}`, ms: Date.now() - started, ...failedRequest(res, cfg) };
    if (res.status !== 200) {
      const engine = engineErrorCode(body);
      const d = engine?.code === 1 ? sessionUnknown() : diagnoseHandshakeStatus(res.status, body, cfg.enginePath, "polling");
      return { ...step, status: "fail", received: `request ${i}: HTTP ${res.status} ${preview(body)}`, ms: Date.now() - started, ...d };
    }
  }
  quietly(() => http.post(url, encodePollingBody([{ type: "close" }]), params(cfg, { "Content-Type": "text/plain;charset=UTF-8" })));
  return { ...step, received: `all ${cfg.stickyRequests} answered 200 ok: the session stays on one server`, ms: Date.now() - started };
}

// ---- 4. websocket-only handshake -------------------------------------------------------------

function websocketHandshake(cfg: DoctorConfig, pollingWorks: boolean): Step {
  const url = engineUrl(cfg.target, cfg.enginePath, "websocket", {});
  const step: Step = { id: "websocket", title: "WebSocket-only handshake", status: "pass", sent: `GET ${url} (Upgrade: websocket)` };
  let opened = "";
  let closedEarly = false;
  const started = Date.now();
  const res = ws.connect(url, { headers: cfg.headers, tags: { name: "doctor" } }, (socket) => {
    socket.on("message", (m: string) => {
      opened = m;
      socket.close();
    });
    socket.on("close", () => {
      if (!opened) closedEarly = true;
    });
    socket.setTimeout(() => socket.close(), cfg.stepTimeoutMs);
  });
  const ms = Date.now() - started;
  if (!res || res.status !== 101) {
    const status = res?.status ?? 0;
    if (status === 0) return { ...step, status: "fail", ms, received: res?.error || "no response", ...diagnoseNetwork(0, res?.error ?? "", hostOf(cfg.target)) };
    const d = diagnoseHandshakeStatus(status, res.body ?? "", cfg.enginePath, "websocket");
    const extra = pollingWorks ? " HTTP long-polling works, so the server is up: WebSocket is refused on the way" : "";
    return { ...step, status: "fail", ms, received: `HTTP ${status} ${preview(res.body ?? "")}`, cause: `${d.cause}.${extra}`, fix: d.fix };
  }
  const packet = opened ? decodeEngineFrame(opened) : null;
  const hs = packet?.type === "open" ? parseHandshake(packet.data) : null;
  if (hs && typeof hs !== "string") return { ...step, ms, received: `101 Switching Protocols, then ${preview(opened)}` };
  if (closedEarly) {
    return { ...step, status: "fail", ms, received: "101, then the socket closed without an open packet", cause: "the WebSocket was accepted and closed before Engine.IO said anything", fix: "check the server's log; a proxy may accept the upgrade but not connect it to the backend" };
  }
  if (opened && looksLikeEio3(opened.replace(/^\d+:/, "x:"))) {
    return { ...step, status: "fail", ms, received: preview(opened), cause: "EIO version mismatch: the server answered with an Engine.IO v3 packet", fix: EIO3_FIX };
  }
  return {
    ...step,
    status: "fail",
    ms,
    received: opened ? `101, then ${preview(opened)}` : `101, then nothing within ${cfg.stepTimeoutMs} ms`,
    cause: opened ? "the first frame is not an Engine.IO v4 open packet: something else answers on this path, or the server speaks another Engine.IO version" : "the WebSocket opened but no Engine.IO open packet arrived",
    fix: "check -e ENGINE_PATH and the server's Engine.IO version (this client speaks v4)",
  };
}

// ---- 5. upgrade probe ------------------------------------------------------------------------

function upgradeProbe(cfg: DoctorConfig): Step {
  const step: Step = { id: "upgrade", title: UPGRADE_TITLE, status: "pass" };
  const started = Date.now();
  const opened = quietly(() => http.get(engineUrl(cfg.target, cfg.enginePath, "polling", {}), params(cfg)));
  const open = decodePollingBody(typeof opened.body === "string" ? opened.body : "")?.[0];
  const hs = open?.type === "open" ? parseHandshake(open.data) : "no open packet";
  if (opened.status !== 200 || typeof hs === "string") {
    return { ...step, status: "fail", ms: Date.now() - started, received: `a new polling handshake failed: HTTP ${opened.status}`, cause: "the polling handshake worked once and failed now: the server or a proxy is unstable", fix: "check the server's health" };
  }
  if (!hs.upgrades.includes("websocket")) {
    return { ...step, status: "warn", ms: Date.now() - started, received: `upgrades: ${JSON.stringify(hs.upgrades)}`, cause: "the server offers no WebSocket upgrade: clients stay on HTTP long-polling (higher latency, more requests)", fix: 'enable the websocket transport on the server (transports: ["polling", "websocket"])' };
  }
  const url = engineUrl(cfg.target, cfg.enginePath, "websocket", {}, hs.sid);
  let got = "";
  let upgraded = false;
  const res = ws.connect(url, { headers: cfg.headers, tags: { name: "doctor" } }, (socket) => {
    socket.on("open", () => socket.send(encodeEngineText("ping", "probe")));
    socket.on("message", (m: string) => {
      got = got ? `${got}, ${m}` : m;
      if (m === encodeEngineText("pong", "probe")) {
        socket.send(encodeEngineText("upgrade"));
        upgraded = true;
        socket.close();
      }
    });
    socket.setTimeout(() => socket.close(), cfg.stepTimeoutMs);
  });
  const ms = Date.now() - started;
  step.sent = `GET ${url} (Upgrade: websocket), then 2probe`;
  if (!res || res.status !== 101) {
    const status = res?.status ?? 0;
    const body = res?.body ?? "";
    if (status === 0) return { ...step, status: "fail", ms, received: res?.error || "no response", ...diagnoseNetwork(0, res?.error ?? "", hostOf(cfg.target)) };
    const d = engineErrorCode(body)?.code === 1 ? sessionUnknown() : diagnoseHandshakeStatus(status, body, cfg.enginePath, "websocket");
    return { ...step, status: "fail", ms, received: `HTTP ${status} ${preview(body)}`, ...d };
  }
  if (!upgraded) {
    return { ...step, status: "fail", ms, received: got ? preview(got) : `nothing within ${cfg.stepTimeoutMs} ms`, cause: "the WebSocket for the polling session opened but the probe was not answered with 3probe", fix: "a proxy may hold WebSocket frames; check its WebSocket support and buffering" };
  }
  return { ...step, ms, received: "3probe; sent 5 (upgrade)" };
}

// ---- 6-9. namespace, emit, heartbeat, idle hold on one WebSocket ----------------------------

function socketSession(cfg: DoctorConfig): Step[] {
  const url = engineUrl(cfg.target, cfg.enginePath, "websocket", {});
  const connectFrame = encodeSocketPacket({ type: PacketType.CONNECT, nsp: cfg.namespace, ...(cfg.auth ? { data: cfg.auth } : {}) })[0] as string;
  const ns: Step = { id: "namespace", title: `Namespace connect to ${cfg.namespace}`, status: "not run", sent: `4${connectFrame}` };
  const emit: Step = {
    id: "emit",
    title: cfg.event ? (cfg.expectEvent ? `Emit '${cfg.event}', expect '${cfg.expectEvent}'` : `Emit '${cfg.event}' with ack`) : "Emit with ack",
    status: "not run",
  };
  const beat: Step = { id: "heartbeat", title: "Heartbeat: server ping within pingInterval + pingTimeout", status: "not run" };
  const idle: Step = { id: "idle", title: `Idle hold of ${Math.round(cfg.idleHoldMs / 1000)} s`, status: "not run" };
  if (!cfg.event) emit.reason = "no event given: -e EVENT=queue_join -e PAYLOAD='{\"player_id\":\"p1\",\"elo\":1200}'";
  if (cfg.idleHoldMs <= 0) idle.reason = "no hold asked for: -e IDLE_HOLD=90s catches proxies that cut long connections";

  const decoder = new SocketDecoder();
  let openedAt = 0;
  let handshake: Handshake | null = null;
  let firstPingAfter = -1;
  let phase: "open" | "namespace" | "emit" | "heartbeat" | "idle" | "done" = "open";
  let closedAt = 0;
  const serverEvents: string[] = [];
  const ackId = 1;
  let ackSentAt = 0;

  ws.connect(url, { headers: cfg.headers, tags: { name: "doctor" } }, (socket) => {
    const now = () => Date.now();
    const after = (ms: number, fn: () => void) => socket.setTimeout(fn, Math.max(1, ms));

    const startHeartbeat = (): void => {
      phase = "heartbeat";
      const allowance = Math.min(cfg.heartbeatMaxMs, handshake!.pingInterval + handshake!.pingTimeout);
      const check = (): void => {
        if (phase !== "heartbeat") return;
        if (firstPingAfter >= 0) {
          Object.assign(beat, { status: "pass", received: `server ping after ${firstPingAfter} ms (pingInterval ${handshake!.pingInterval} ms), answered with 3`, ms: firstPingAfter });
          return startIdle();
        }
        if (now() - openedAt >= allowance) {
          Object.assign(beat, {
            status: "fail",
            ms: now() - openedAt,
            received: `no ping in ${now() - openedAt} ms`,
            cause: `the server sent no Engine.IO ping within ${allowance} ms (pingInterval ${handshake!.pingInterval} + pingTimeout ${handshake!.pingTimeout}): clients will declare the connection dead`,
            fix: "check the server's pingInterval, and whether a proxy buffers WebSocket frames or the server's event loop is blocked",
          });
          return startIdle();
        }
        after(Math.min(250, allowance - (now() - openedAt)), check);
      };
      check();
    };

    const startIdle = (): void => {
      if (cfg.idleHoldMs <= 0) return finishSession();
      phase = "idle";
      const begin = now();
      idle.sent = `held the connection open, answering pings`;
      after(cfg.idleHoldMs, () => {
        if (phase !== "idle") return;
        Object.assign(idle, { status: "pass", ms: now() - begin, received: `still open after ${Math.round((now() - begin) / 1000)} s` });
        finishSession();
      });
      (idle as Step & { begin?: number }).begin = begin;
    };

    const finishSession = (): void => {
      phase = "done";
      socket.send(encodeEngineText("message", encodeSocketPacket({ type: PacketType.DISCONNECT, nsp: cfg.namespace })[0] as string));
      socket.close();
    };

    const startEmit = (): void => {
      if (!cfg.event) return startHeartbeat();
      phase = "emit";
      // A fire-and-forget event (-e EXPECT_EVENT) goes without an ack id: the server answers with an event.
      const frame = encodeSocketPacket({ type: PacketType.EVENT, nsp: cfg.namespace, ...(cfg.expectEvent ? {} : { id: ackId }), data: [cfg.event, ...(cfg.payload === undefined ? [] : [cfg.payload])] })[0] as string;
      emit.sent = `4${frame}`;
      ackSentAt = now();
      socket.send(encodeEngineText("message", frame));
      after(cfg.ackTimeoutMs, () => {
        if (phase !== "emit") return;
        const said = serverEvents.length ? serverEvents.slice(0, 3).join("; ") : undefined;
        if (cfg.expectEvent) {
          Object.assign(emit, {
            status: "fail",
            ms: now() - ackSentAt,
            received: `no '${cfg.expectEvent}' within ${cfg.ackTimeoutMs} ms${said ? `; the server sent: ${said}` : ""}`,
            cause: `'${cfg.event}' was not answered with '${cfg.expectEvent}' in namespace ${cfg.namespace}`,
            fix: "check both event names (the events the server did send are listed), and whether the server answers the sender or broadcasts to a room the sender is not in",
          });
        } else Object.assign(emit, { status: "fail", ms: now() - ackSentAt, received: `no ack within ${cfg.ackTimeoutMs} ms`, ...diagnoseMissingAck(cfg.event!, cfg.namespace, true, said) });
        startHeartbeat();
      });
    };

    socket.on("message", (m: string) => {
      const packet = decodeEngineFrame(m);
      if (!packet) return;
      if (packet.type === "open" && phase === "open") {
        openedAt = now();
        const hs = parseHandshake(packet.data);
        if (typeof hs === "string") return socket.close();
        handshake = hs;
        phase = "namespace";
        socket.send(encodeEngineText("message", connectFrame));
        after(cfg.stepTimeoutMs, () => {
          if (phase !== "namespace") return;
          Object.assign(ns, { status: "fail", ms: now() - openedAt, received: `no CONNECT reply within ${cfg.stepTimeoutMs} ms`, cause: "the server accepted the Engine.IO connection but never answered the namespace CONNECT", fix: "the server's connect handler or middleware hangs; check it and the server log" });
          finishSession();
        });
        return;
      }
      if (packet.type === "ping") {
        if (firstPingAfter < 0) firstPingAfter = now() - openedAt;
        socket.send(encodeEngineText("pong"));
        return;
      }
      if (packet.type !== "message" || typeof packet.data !== "string") return;
      const sp = decoder.add(packet.data);
      if (!sp || sp instanceof Error) return;
      if (sp.nsp !== cfg.namespace) return;
      if (sp.type === PacketType.CONNECT && phase === "namespace") {
        Object.assign(ns, { status: "pass", ms: now() - openedAt, received: preview(`4${m.slice(1)}`) });
        return startEmit();
      }
      if (sp.type === PacketType.CONNECT_ERROR && phase === "namespace") {
        const body = sp.data as { message?: string; data?: unknown } | string;
        const message = typeof body === "string" ? body : String(body?.message ?? "");
        Object.assign(ns, { status: "fail", ms: now() - openedAt, received: preview(m), ...diagnoseConnectError(message, typeof body === "string" ? undefined : body?.data, cfg.namespace) });
        return finishSession();
      }
      if (sp.type === PacketType.ACK && sp.id === ackId && phase === "emit") {
        Object.assign(emit, { status: "pass", ms: now() - ackSentAt, received: preview(m) });
        return startHeartbeat();
      }
      if (sp.type === PacketType.EVENT && Array.isArray(sp.data) && phase === "emit" && cfg.expectEvent && sp.data[0] === cfg.expectEvent) {
        Object.assign(emit, { status: "pass", ms: now() - ackSentAt, received: preview(m) });
        return startHeartbeat();
      }
      if (sp.type === PacketType.EVENT && Array.isArray(sp.data)) serverEvents.push(preview(`${String(sp.data[0])} ${JSON.stringify(sp.data.slice(1))}`, 160));
      if (sp.type === PacketType.DISCONNECT) serverEvents.push("a DISCONNECT of the namespace");
    });

    socket.on("close", () => {
      closedAt = now();
      const lost = (step: Step, what: string) =>
        Object.assign(step, { status: "fail", ms: closedAt - openedAt, received: `connection closed during ${what}`, cause: `the connection was closed while waiting for ${what}${serverEvents.length ? ` (server sent: ${serverEvents.join("; ")})` : ""}`, fix: "check the server log for errors on this connection" });
      if (phase === "namespace") lost(ns, "the CONNECT reply");
      else if (phase === "emit") Object.assign(emit, { status: "fail", ms: closedAt - ackSentAt, received: "connection closed before the ack", ...diagnoseMissingAck(cfg.event!, cfg.namespace, false, serverEvents[0]) });
      else if (phase === "heartbeat") lost(beat, "a server ping");
      else if (phase === "idle") {
        const begin = (idle as Step & { begin?: number }).begin ?? openedAt;
        Object.assign(idle, { status: "fail", ms: closedAt - begin, received: `closed after ${((closedAt - openedAt) / 1000).toFixed(1)} s on the connection`, ...diagnoseEarlyClose(closedAt - openedAt, cfg.idleHoldMs) });
      }
      phase = "done";
    });

    // The whole session has a bound too: every wait above plus a margin.
    after(cfg.stepTimeoutMs * 2 + cfg.ackTimeoutMs + cfg.heartbeatMaxMs + cfg.idleHoldMs + 5_000, () => socket.close());
  });

  for (const s of [ns, emit, beat, idle]) {
    if (s.status === "not run" && !s.reason) s.reason = ns.status === "fail" ? "the namespace connect failed (step 6)" : "the connection ended before this step";
    delete (s as Step & { begin?: number }).begin;
  }
  if (ns.status === "not run") {
    Object.assign(ns, { status: "fail", reason: undefined, received: "no Engine.IO open packet on the WebSocket", cause: "the WebSocket that worked in step 4 did not open an Engine.IO session now", fix: "the server or proxy is unstable; run the doctor again and check the server log" });
  }
  return [ns, emit, beat, idle];
}
