// Peer events for dist/conformance.js, on "/" and on "/custom" (which requires auth
// {token: "custom-secret"}; anything else is refused with "unauthorized" and data {reason}):
//   echo (...args, ack)        (echo.ts) acks its arguments back, binary included
//   ask (question)             -> `question` (question, ack) to the client; its answer comes back as `answered`
//   kick_me                    -> the server disconnects this namespace socket ("io server disconnect")
//   drop_me                    -> the server closes the whole Engine.IO connection (a lost transport)
//   burst {count, interval_ms} -> `burst_item` {n} count times (at most 50) to this socket's room, on
//                                 through a disconnect: with --recovery a reconnect gets the missed ones
//   stop_pinging (ack)         -> test hook: this connection gets no more Engine.IO pings
import type { Namespace, Server, Socket } from "socket.io";
import { serveEcho } from "./echo.ts";

export function serveConformance(io: Server, main: Namespace): void {
  const custom = io.of("/custom");
  custom.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (token === "custom-secret") return next();
    const err = new Error("unauthorized") as Error & { data?: unknown };
    err.data = { reason: token === undefined ? "missing token" : "invalid token" };
    next(err);
  });
  serveEcho(custom);
  for (const nsp of [main, custom]) {
    nsp.on("connection", (socket: Socket) => {
      // A plain ack callback (no socket.timeout()): test/peers/socketio-v3.ts serves these events on socket.io 3.x too.
      socket.on("ask", (question: unknown) => socket.emit("question", question, (answer: unknown) => socket.emit("answered", answer)));
      socket.on("kick_me", () => socket.disconnect());
      socket.on("drop_me", () => socket.conn.close());
      socket.on("burst", (payload: unknown) => {
        const p = (payload ?? {}) as { count?: unknown; interval_ms?: unknown };
        const count = Math.min(50, Math.max(0, Math.floor(Number(p.count) || 0)));
        const interval = Math.min(5_000, Math.max(1, Math.floor(Number(p.interval_ms) || 50)));
        const room = socket.id;
        for (let n = 1; n <= count; n++) setTimeout(() => nsp.to(room).emit("burst_item", { n }), n * interval);
      });
      socket.on("stop_pinging", (ack: unknown) => {
        const conn = socket.conn as unknown as { pingIntervalTimer: NodeJS.Timeout | null; pingTimeoutTimer: NodeJS.Timeout | null; schedulePing(): void };
        if (conn.pingIntervalTimer) clearTimeout(conn.pingIntervalTimer);
        if (conn.pingTimeoutTimer) clearTimeout(conn.pingTimeoutTimer);
        conn.schedulePing = () => undefined;
        if (typeof ack === "function") ack(true);
      });
    });
  }
}
