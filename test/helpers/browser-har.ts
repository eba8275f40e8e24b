// Records a HAR the way a user's browser does: headless Chromium opens a page that plays a
// Socket.IO session with the real socket.io-client, and the DevTools protocol's Network events
// are written out as Chrome's "Save all as HAR" writes them (WebSocket frames in
// `_webSocketMessages`, polling as ordinary entries). The page is served from an origin that
// forwards /socket.io/ to the server under test, so polling is same-origin, as in an app.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { connect as netConnect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";

const CLIENT_JS = readFileSync(join(import.meta.dirname, "..", "..", "node_modules", "socket.io", "client-dist", "socket.io.min.js"));

/** Serves `page` at / and the socket.io client at /socket.io.js; forwards everything else (HTTP and upgrades) to `target`. */
export async function pageOrigin(target: string, page: string): Promise<{ url: string; close(): Promise<void> }> {
  const up = new URL(target);
  const server: Server = createServer((req, res) => {
    if (req.url === "/") return void res.writeHead(200, { "content-type": "text/html" }).end(page);
    if (req.url === "/socket.io.js") return void res.writeHead(200, { "content-type": "application/javascript" }).end(CLIENT_JS);
    const fwd = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    fwd.on("error", () => res.writeHead(502).end());
    req.pipe(fwd);
  });
  server.on("upgrade", (req, socket, head) => {
    const upstream = netConnect(Number(up.port), up.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}: ${x}`) : [`${k}: ${v}`]))];
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/** Opens `url` in headless Chromium until the page sets document.title to "done" (or `timeoutMs`), and returns the HAR. */
export async function recordHar(chromium: string, url: string, timeoutMs = 30_000): Promise<object> {
  const profile = mkdtempSync(join(tmpdir(), "k6sio-chromium-"));
  const browser = spawn(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank"], { stdio: ["ignore", "ignore", "pipe"], detached: true });
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let err = "";
      const timer = setTimeout(() => reject(new Error(`chromium printed no DevTools endpoint: ${err.slice(-500)}`)), 20_000);
      browser.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const ws = new WebSocket(endpoint, { perMessageDeflate: false });
    await new Promise((r, j) => ws.once("open", r).once("error", j));
    let nextId = 1;
    const pending = new Map<number, Pending>();
    const events: { method: string; params: Record<string, any> }[] = [];
    ws.on("message", (raw) => {
      const msg = JSON.parse(raw.toString()) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown> };
      if (msg.id !== undefined) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result);
      } else if (msg.method) events.push({ method: msg.method, params: msg.params ?? {} });
    });
    const send = (method: string, params: object = {}, sessionId?: string): Promise<any> =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
      });
    const { targetId } = await send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
    await send("Network.enable", {}, sessionId);
    await send("Page.navigate", { url }, sessionId);
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { result } = await send("Runtime.evaluate", { expression: "document.title" }, sessionId);
      if (result?.value === "done") break;
      if (Date.now() > until) throw new Error(`the page did not finish within ${timeoutMs} ms (title ${JSON.stringify(result?.value)})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Response bodies are asked for while the page is still open (Chromium drops them with it).
    const bodies = new Map<string, { body: string; base64Encoded: boolean }>();
    for (const e of events) {
      if (e.method !== "Network.loadingFinished") continue;
      try {
        bodies.set(e.params.requestId, await send("Network.getResponseBody", { requestId: e.params.requestId }, sessionId));
      } catch {
        // no body (a 204, an aborted long-poll)
      }
    }
    await send("Browser.close").catch(() => undefined);
    ws.close();
    return toHar(events, bodies);
  } finally {
    // Chromium's helper processes write the profile until they are gone: the whole process
    // group is stopped (Browser.close asked it to already), then the folder removed.
    const exited = browser.exitCode !== null || browser.signalCode !== null ? Promise.resolve() : new Promise((r) => browser.once("exit", r));
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    try {
      process.kill(-browser.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    await exited;
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } catch {
      // a temporary folder: left to the OS when a helper still held it
    }
  }
}

const headerList = (h: Record<string, string> | undefined): { name: string; value: string }[] => Object.entries(h ?? {}).map(([name, value]) => ({ name, value: String(value) }));

/** Chrome's HAR shape from DevTools Network events (monotonic timestamps turned into wall time). */
function toHar(events: { method: string; params: Record<string, any> }[], bodies: Map<string, { body: string; base64Encoded: boolean }>): object {
  const first = events.find((e) => e.params.wallTime !== undefined && e.params.timestamp !== undefined);
  const offset = first ? first.params.wallTime - first.params.timestamp : 0;
  const wall = (timestamp: number): number => timestamp + offset;
  const http = new Map<string, any>();
  const sockets = new Map<string, any>();
  for (const { method, params: p } of events) {
    if (method === "Network.requestWillBeSent") {
      http.set(p.requestId, {
        startedDateTime: new Date(p.wallTime * 1000).toISOString(),
        started: p.timestamp,
        time: 0,
        request: { method: p.request.method, url: p.request.url, headers: headerList(p.request.headers), ...(p.request.postData !== undefined ? { postData: { mimeType: p.request.headers["Content-Type"] ?? "text/plain", text: p.request.postData } } : {}) },
        response: { status: 0, headers: [], content: { mimeType: "" } },
        _resourceType: String(p.type ?? "other").toLowerCase(),
      });
    } else if (method === "Network.responseReceived" && http.has(p.requestId)) {
      const e = http.get(p.requestId);
      e.response = { status: p.response.status, headers: headerList(p.response.headers), content: { mimeType: p.response.mimeType ?? "" } };
    } else if (method === "Network.loadingFinished" && http.has(p.requestId)) {
      const e = http.get(p.requestId);
      e.time = (p.timestamp - e.started) * 1000;
      const b = bodies.get(p.requestId);
      if (b) Object.assign(e.response.content, { text: b.body, ...(b.base64Encoded ? { encoding: "base64" } : {}) });
    } else if (method === "Network.webSocketCreated") {
      sockets.set(p.requestId, { url: p.url, messages: [] as unknown[], request: { headers: [] }, response: { status: 101, headers: [] } });
    } else if (method === "Network.webSocketWillSendHandshakeRequest" && sockets.has(p.requestId)) {
      const s = sockets.get(p.requestId);
      s.startedDateTime = new Date(p.wallTime * 1000).toISOString();
      s.request.headers = headerList(p.request.headers);
    } else if ((method === "Network.webSocketFrameSent" || method === "Network.webSocketFrameReceived") && sockets.has(p.requestId)) {
      sockets.get(p.requestId).messages.push({ type: method.endsWith("Sent") ? "send" : "receive", time: wall(p.timestamp), opcode: p.response.opcode, data: p.response.payloadData });
    }
  }
  const entries = [...http.values()].map(({ started: _s, ...e }) => e);
  for (const s of sockets.values()) {
    if (!s.startedDateTime) continue;
    entries.push({ startedDateTime: s.startedDateTime, time: 0, request: { method: "GET", url: s.url, headers: s.request.headers }, response: { status: 101, headers: [], content: { mimeType: "" } }, _resourceType: "websocket", _webSocketMessages: s.messages });
  }
  return { log: { version: "1.2", creator: { name: "k6-socketio test (Chrome DevTools protocol)", version: "1" }, entries } };
}
