// Two small events for the scenario template and for trying the library out:
//   echo (...args, ack)        acks with the same arguments
//   subscribe {count, interval_ms}  -> `tick` {n, sent_at} count times (at most 100), interval_ms apart
import type { Namespace, Socket } from "socket.io";

export function serveEcho(nsp: Namespace): void {
  nsp.on("connection", (socket: Socket) => {
    socket.on("echo", (...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof ack === "function") ack(...args.slice(0, -1));
    });
    socket.on("subscribe", (payload: unknown) => {
      const p = (payload ?? {}) as { count?: unknown; interval_ms?: unknown };
      const count = Math.min(100, Math.max(0, Math.floor(Number(p.count) || 0)));
      const interval = Math.min(10_000, Math.max(1, Math.floor(Number(p.interval_ms) || 100)));
      let n = 0;
      const timer = setInterval(() => {
        n += 1;
        if (n > count || socket.disconnected) return clearInterval(timer);
        socket.emit("tick", { n, sent_at: Date.now() });
      }, interval);
      socket.once("disconnect", () => clearInterval(timer));
    });
  });
}
