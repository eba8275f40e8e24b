// A small HTTP + WebSocket reverse proxy for the doctor's tests: round-robin over several
// reference-server instances, the way a load balancer without session affinity behaves.
//   npm run proxy -- --port 0 --backend http://127.0.0.1:3001 --backend http://127.0.0.1:3002
//     [--sticky]          route by a cookie it sets (session affinity)
//     [--no-upgrade]      forward WebSocket upgrades as plain HTTP, as a proxy without
//                         WebSocket support does (the server then refuses them)
//     [--max-age-ms N]    cut every connection after N ms, as a platform timeout does
import { createServer, request, type IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

interface ProxyOptions {
  port: number;
  backends: URL[];
  sticky: boolean;
  noUpgrade: boolean;
  maxAgeMs: number;
}

const COOKIE = "k6sio_backend";

function parse(argv: string[]): ProxyOptions {
  const o: ProxyOptions = { port: 0, backends: [], sticky: false, noUpgrade: false, maxAgeMs: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--port") o.port = Number(argv[++i]);
    else if (a === "--backend") o.backends.push(new URL(argv[++i]!));
    else if (a === "--sticky") o.sticky = true;
    else if (a === "--no-upgrade") o.noUpgrade = true;
    else if (a === "--max-age-ms") o.maxAgeMs = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}`);
  }
  if (o.backends.length === 0) throw new Error("give at least one --backend URL");
  for (const b of o.backends) if (!/^(127\.|localhost$|\[::1\]$)/.test(b.hostname)) throw new Error(`backend ${b} is not loopback`);
  return o;
}

function main(): void {
  const o = parse(process.argv.slice(2));
  let next = 0;
  const pick = (req: IncomingMessage): { index: number; backend: URL } => {
    const cookie = /(?:^|;\s*)k6sio_backend=(\d+)/.exec(req.headers.cookie ?? "");
    const index = o.sticky && cookie && Number(cookie[1]) < o.backends.length ? Number(cookie[1]) : next++ % o.backends.length;
    return { index, backend: o.backends[index]! };
  };
  const limitAge = (socket: Socket): void => {
    if (o.maxAgeMs > 0) setTimeout(() => socket.destroy(), o.maxAgeMs).unref();
  };

  const server = createServer((req, res) => {
    const { index, backend } = pick(req);
    const upstream = request({ host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const headers = { ...up.headers };
      if (o.sticky) headers["set-cookie"] = [...(up.headers["set-cookie"] ?? []), `${COOKIE}=${index}; Path=/`];
      res.writeHead(up.statusCode ?? 502, headers);
      up.pipe(res);
    });
    upstream.on("error", () => {
      res.writeHead(502);
      res.end("bad gateway\n");
    });
    req.pipe(upstream);
  });
  server.on("connection", limitAge);

  server.on("upgrade", (req, client: Socket, head) => {
    const { backend } = pick(req);
    if (o.noUpgrade) {
      // Forward without the hop-by-hop upgrade headers and relay the plain HTTP answer.
      const headers = { ...req.headers };
      delete headers.upgrade;
      delete headers.connection;
      const upstream = request({ host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers }, (up) => {
        let body = "";
        up.on("data", (c) => (body += c));
        up.on("end", () => {
          client.end(`HTTP/1.1 ${up.statusCode} ${up.statusMessage}\r\nContent-Type: ${up.headers["content-type"] ?? "text/plain"}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        });
      });
      upstream.on("error", () => client.destroy());
      upstream.end();
      return;
    }
    const upstream = connect(Number(backend.port), backend.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}: ${x}`) : [`${k}: ${v}`]))];
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const close = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on("error", close);
    client.on("error", close);
    upstream.on("close", close);
    client.on("close", close);
  });

  server.listen(o.port, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo;
    console.log(`proxy listening on http://127.0.0.1:${port} -> ${o.backends.join(", ")}${o.sticky ? " (sticky)" : ""}${o.noUpgrade ? " (no upgrade)" : ""}${o.maxAgeMs ? ` (max age ${o.maxAgeMs} ms)` : ""}`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

try {
  main();
} catch (err) {
  console.error(`proxy: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
