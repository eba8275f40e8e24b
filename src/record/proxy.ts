// The recording proxy: a reverse proxy on loopback in front of a Socket.IO server, for clients
// that are not browsers (a mobile app, a game engine, a bot). It forwards every HTTP request and
// WebSocket, and keeps what passed as a HAR, the format a browser exports, with secrets
// redacted (authorization and cookie headers, sensitive query parameters, secret-looking JSON
// fields in frames). Bounded: it stops after `maxSeconds` or `maxBytes` recorded.
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";

export interface ProxyOptions {
  target: string;
  port: number;
  host: string;
  maxSeconds: number;
  maxBytes: number;
}

export interface RecordingProxy {
  url: string;
  /** Resolves with the HAR when the proxy stops (stop() or a bound), never rejects. */
  done: Promise<{ har: object; why: string }>;
  stop(why?: string): void;
}

/** Header names whose values are never written. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-[\w-]*(token|key|secret|auth)[\w-]*)$/i;
/** JSON fields and query parameters whose values are never written. */
const SECRET_FIELD = /token|secret|passw|jwt|api.?key|credential|session|cookie|^auth$/i;
const REDACTED = "[redacted]";

export const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export async function startRecordingProxy(options: ProxyOptions): Promise<RecordingProxy> {
  if (!LOOPBACK.test(options.host)) throw new Error(`--host ${options.host}: the recording proxy listens on loopback only (127.0.0.1 or ::1)`);
  const target = new URL(options.target);
  if (target.protocol !== "http:" && target.protocol !== "https:") throw new Error(`--target ${options.target}: an http:// or https:// URL`);
  const entries: object[] = [];
  let recorded = 0;
  let stopped: string | undefined;
  let finish!: (r: { har: object; why: string }) => void;
  const done = new Promise<{ har: object; why: string }>((r) => (finish = r));
  const sockets = new Set<WebSocket>();

  const count = (bytes: number): void => {
    recorded += bytes;
    if (recorded > options.maxBytes) stop(`${options.maxBytes} bytes recorded (--max-bytes)`);
  };

  const server: Server = createServer((req, res) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const upstream = request(new URL(req.url ?? "/", target), { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
        const back: Buffer[] = [];
        up.on("data", (c: Buffer) => back.push(c));
        up.on("end", () => {
          const answer = Buffer.concat(back);
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(answer);
          if (stopped) return;
          count(body.length + answer.length);
          entries.push(httpEntry(req, body, up.statusCode ?? 0, up.headers, answer, started, target));
        });
      });
      upstream.on("error", (err) => {
        res.writeHead(502, { "content-type": "text/plain" }).end(`recording proxy: ${options.target} did not answer: ${err.message}\n`);
      });
      upstream.end(body);
    });
  });

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", target);
    url.protocol = target.protocol === "https:" ? "wss:" : "ws:";
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && !/^(host|upgrade|connection|sec-websocket-.*)$/i.test(k)) headers[k] = v;
    const upstream = new WebSocket(url, { headers, perMessageDeflate: false });
    const messages: { type: string; time: number; opcode: number; data: string }[] = [];
    const started = Date.now();
    upstream.once("error", (err) => {
      if (upstream.readyState !== WebSocket.OPEN) socket.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\n\r\nrecording proxy: ${err.message}\n`);
    });
    upstream.once("open", () => {
      wss.handleUpgrade(req, socket, head, (client) => {
        sockets.add(client);
        const keep = (type: "send" | "receive", data: WebSocket.RawData, binary: boolean): void => {
          if (stopped) return;
          const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
          count(buf.length);
          messages.push({ type, time: Date.now() / 1000, opcode: binary ? 2 : 1, data: binary ? buf.toString("base64") : redactFrame(buf.toString("utf8")) });
        };
        client.on("message", (data, binary) => {
          keep("send", data, binary);
          if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
        });
        upstream.on("message", (data, binary) => {
          keep("receive", data, binary);
          if (client.readyState === WebSocket.OPEN) client.send(data, { binary });
        });
        const closeBoth = (): void => {
          sockets.delete(client);
          client.close();
          upstream.close();
        };
        client.on("close", closeBoth);
        upstream.on("close", closeBoth);
        client.on("error", closeBoth);
        upstream.on("error", closeBoth);
        entries.push({
          startedDateTime: new Date(started).toISOString(),
          time: 0,
          request: { method: "GET", url: url.href.replace(/^http/, "ws"), headers: headerList(req.headers), queryString: [] },
          response: { status: 101, headers: [], content: { mimeType: "" } },
          _resourceType: "websocket",
          _webSocketMessages: messages,
        });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const timer = setTimeout(() => stop(`${options.maxSeconds} s passed (--max-seconds)`), options.maxSeconds * 1000);

  function stop(why = "stopped"): void {
    if (stopped) return;
    stopped = why;
    clearTimeout(timer);
    for (const s of sockets) s.close();
    server.close();
    server.closeAllConnections?.();
    for (const e of entries as { request: { url: string } }[]) e.request.url = redactUrl(e.request.url);
    finish({ har: { log: { version: "1.2", creator: { name: "k6-socketio recording proxy", version: "1" }, entries } }, why });
  }

  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  return { url: `http://${shownHost}:${port}`, done, stop };
}

function httpEntry(req: IncomingMessage, body: Buffer, status: number, headers: IncomingMessage["headers"], answer: Buffer, started: number, target: URL): object {
  const mimeType = String(headers["content-type"] ?? "").split(";")[0]!.trim();
  const text = (b: Buffer): string => redactFrame(b.toString("utf8"));
  return {
    startedDateTime: new Date(started).toISOString(),
    time: Date.now() - started,
    request: { method: req.method ?? "GET", url: new URL(req.url ?? "/", target).href, headers: headerList(req.headers), ...(body.length ? { postData: { mimeType: String(req.headers["content-type"] ?? ""), text: text(body) } } : {}) },
    response: { status, headers: headerList(headers), content: { mimeType, text: text(answer) } },
  };
}

function headerList(headers: IncomingMessage["headers"]): { name: string; value: string }[] {
  return Object.entries(headers).flatMap(([name, v]) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((value) => ({ name, value: SECRET_HEADER.test(name) ? REDACTED : value }))));
}

/** A URL with its sensitive query values replaced. */
export function redactUrl(raw: string): string {
  const url = new URL(raw);
  for (const k of [...url.searchParams.keys()]) if (SECRET_FIELD.test(k)) url.searchParams.set(k, REDACTED);
  return url.href;
}

/**
 * A text frame or body with the values of secret-looking JSON fields replaced, wherever the JSON
 * starts in it (Engine.IO and Socket.IO prefixes, polling's separators): `"token":"…"`.
 */
export function redactFrame(text: string): string {
  return text.replace(/"([^"\\]{1,64})"\s*:\s*"((?:[^"\\]|\\.)*)"/g, (whole, key: string) => (SECRET_FIELD.test(key) ? `"${key}":"${REDACTED}"` : whole));
}
