// Benchmark support (bench/run.mjs):
//   --broadcast-rate R   emits `broadcast` {n, sent_at} to every socket on the namespace R times a second
//   GET /bench/stats     {connected, disconnects: {reason: count}, broadcasts} as JSON, so the
//                        benchmark counts heartbeat losses the same way for every tool
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Namespace, Socket } from "socket.io";

export interface BenchSupport {
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean;
  stop(): void;
}

export function serveBench(nsp: Namespace, broadcastRate: number): BenchSupport {
  let connected = 0;
  const disconnects: Record<string, number> = {};
  nsp.on("connection", (socket: Socket) => {
    connected += 1;
    socket.once("disconnect", (reason: string) => {
      connected -= 1;
      disconnects[reason] = (disconnects[reason] ?? 0) + 1;
    });
  });

  // Keep the rate exact over time whatever the timer granularity: emit what is due at each tick.
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  if (broadcastRate > 0) {
    const startedAt = Date.now();
    const tickMs = Math.max(1, Math.min(50, Math.floor(1000 / broadcastRate)));
    timer = setInterval(() => {
      const due = Math.floor(((Date.now() - startedAt) * broadcastRate) / 1000);
      while (sent < due) {
        sent += 1;
        nsp.emit("broadcast", { n: sent, sent_at: Date.now() });
      }
    }, tickMs);
  }

  return {
    handleHttp(req, res) {
      if (req.method !== "GET" || req.url !== "/bench/stats") return false;
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ connected, disconnects, broadcasts: sent }));
      return true;
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
