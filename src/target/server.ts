// The reference server: a real socket.io 4.x server with the seeds' contracts and fault modes.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Server, type Socket } from "socket.io";
import msgpackParser from "socket.io-msgpack-parser";
import { serveChat } from "./chat.ts";
import { serveChsh } from "./chsh.ts";
import { serveConformance } from "./conformance.ts";
import { serveBench } from "./bench.ts";
import { serveEcho } from "./echo.ts";
import { broadcaster, seededRandom } from "./common.ts";
import { serveGameEngine } from "./game-engine.ts";
import { serveGameRooms } from "./game-room.ts";
import { serveMatchmaking } from "./matchmaking.ts";
import type { TargetOptions } from "./options.ts";

export interface RunningTarget {
  url: string;
  close(): Promise<void>;
}

/** The Engine.IO handshake check, when one is asked for: the Origin (fault forbidden-origin), required query parameters and headers. */
function admits(options: TargetOptions): ((req: IncomingMessage) => boolean) | undefined {
  const origin = options.faults.has("forbidden-origin");
  if (!origin && options.requiredQuery.size === 0 && options.requiredHeaders.size === 0) return undefined;
  return (req) => {
    if (origin && req.headers.origin !== "https://allowed.example") return false;
    const query = new URL(req.url ?? "/", "http://target").searchParams;
    for (const [name, value] of options.requiredQuery) if (query.get(name) !== value) return false;
    for (const [name, value] of options.requiredHeaders) if (req.headers[name] !== value) return false;
    return true;
  };
}

export async function startTarget(options: TargetOptions): Promise<RunningTarget> {
  // Requests outside the Socket.IO path: the game-room HTTP API, else 404 (never left hanging).
  let httpApi: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  const http = createServer((req, res) => {
    if (httpApi?.(req, res)) return;
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end("not found\n");
  });
  const faults = options.faults;
  const admit = admits(options);
  const io = new Server(http, {
    serveClient: false,
    pingInterval: options.pingInterval,
    pingTimeout: options.pingTimeout,
    transports: faults.has("no-websocket") ? ["polling"] : ["polling", "websocket"],
    path: options.path,
    ...(options.parser === "msgpack" ? { parser: msgpackParser } : {}),
    ...(options.recovery ? { connectionStateRecovery: { maxDisconnectionDuration: 120_000, skipMiddlewares: true } } : {}),
    ...(admit ? { allowRequest: (req: IncomingMessage, done: (err: string | null | undefined, ok: boolean) => void) => done(null, admit(req)) } : {}),
  });

  if (faults.has("close-handshake")) {
    // Drop the TCP connection right after Engine.IO accepted it, before any namespace CONNECT,
    // and forget the session so that a polling client cannot carry on over a new connection.
    io.engine.on("connection", (conn: { request: { socket: { destroy(): void } }; close(): void }) => {
      setImmediate(() => {
        conn.request.socket.destroy();
        conn.close();
      });
    });
  }

  const nsp = io.of(options.namespace);
  if (options.authToken !== undefined) {
    const expected = options.authToken;
    nsp.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (token === expected) return next();
      const err = new Error("unauthorized") as Error & { data?: unknown };
      err.data = { reason: token === undefined ? "missing token" : "invalid token" };
      next(err);
    });
  }
  nsp.on("connection", (socket: Socket) => applyConnectionFaults(socket, options));
  // Every seed's contract on the same namespace, as the seeds' servers have them.
  const random = seededRandom(options.seed);
  serveMatchmaking(nsp, options);
  serveEcho(nsp);
  serveConformance(io, nsp);
  serveChsh(nsp, options, random);
  const broadcast = broadcaster(
    nsp,
    faults.has("room-namespace") ? io.of("/misrouted") : null,
    Number(faults.get("drop-broadcast") ?? 0),
    random,
  );
  serveChat(nsp, broadcast);
  const rooms = serveGameRooms(nsp, broadcast);
  const bench = serveBench(nsp, options.broadcastRate);
  httpApi = (req, res) => rooms.handleHttp(req, res) || bench.handleHttp(req, res);
  serveGameEngine(io, options);

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        bench.stop();
        io.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

function applyConnectionFaults(socket: Socket, options: TargetOptions): void {
  const conn = socket.conn as unknown as {
    write(data: string): void;
    transport: { name: string; socket?: { send(data: string): void } };
    pingIntervalTimer: NodeJS.Timeout | null;
    pingTimeoutTimer: NodeJS.Timeout | null;
  };
  if (options.faults.has("garbage")) {
    // An Engine.IO message whose Socket.IO packet type does not exist, and a frame that is not
    // Engine.IO at all.
    conn.write("9garbage");
    if (conn.transport.name === "websocket") conn.transport.socket?.send("~not an engine.io packet~");
  }
  if (options.faults.has("stop-pings")) {
    if (conn.pingIntervalTimer) clearTimeout(conn.pingIntervalTimer);
    if (conn.pingTimeoutTimer) clearTimeout(conn.pingTimeoutTimer);
  }
}
