// The reference matchmaking contract on one namespace:
//   queue_join {player_id, elo}  -> ack {status:"queued", position}
//                                   | {status:"rejected", reason:"rate_limited", retry_after_ms}
//                                   | {status:"error", reason:"invalid_payload"}
//   queue_leave {player_id}      -> ack {status:"left"} | {status:"not_queued"}
//   match_found {match_id, players:[{player_id, elo}], table_size}  to every seated player
import type { Namespace, Socket } from "socket.io";
import { MatchmakingQueue } from "./matchmaking-queue.ts";
import type { TargetOptions } from "./options.ts";
import { SlidingWindowLimiter } from "./rate-limiter.ts";

type Ack = ((response: unknown) => void) | undefined;

export function serveMatchmaking(nsp: Namespace, options: TargetOptions): void {
  const queue = new MatchmakingQueue(options.tableSize, options.eloWindow);
  const limiter = new SlidingWindowLimiter(options.rateLimit, options.rateWindowMs);
  const slowAck = options.faults.has("slow-ack") ? Number(options.faults.get("slow-ack")) : 0;
  let matches = 0;

  const reply = (ack: Ack, response: unknown): void => {
    if (typeof ack !== "function" || options.faults.has("no-ack")) return;
    if (slowAck > 0) setTimeout(() => ack(response), slowAck);
    else ack(response);
  };

  nsp.on("connection", (socket: Socket) => {
    socket.on("queue_join", (payload: unknown, ack: Ack) => {
      const player = validPlayer(payload);
      if (!player) {
        reply(ack, { status: "error", reason: "invalid_payload" });
        return;
      }
      if (!options.faults.has("no-rate-limit")) {
        const decision = limiter.attempt(player.player_id, Date.now());
        if (!decision.allowed) {
          reply(ack, { status: "rejected", reason: "rate_limited", retry_after_ms: decision.retryAfterMs });
          return;
        }
      }
      const { position, seated } = queue.join({ playerId: player.player_id, elo: player.elo, socketId: socket.id });
      // keep-dead-players: seating a disconnected player fails inside the handler, after the
      // table left the queue: this join is never acked and nobody hears of the table.
      if (seated?.some((s) => !nsp.sockets.has(s.socketId)) && !options.faults.has("seat-dead-players")) return;
      reply(ack, { status: "queued", position });
      if (!seated) return;
      const match = {
        match_id: `m${++matches}`,
        players: seated.map((s) => ({ player_id: s.playerId, elo: s.elo })),
        table_size: options.tableSize,
      };
      for (const s of seated) nsp.to(s.socketId).emit("match_found", match);
    });

    socket.on("queue_leave", (payload: unknown, ack: Ack) => {
      const id = (payload as { player_id?: unknown } | null)?.player_id;
      const left = typeof id === "string" && queue.leave(id);
      if (typeof ack === "function") ack({ status: left ? "left" : "not_queued" });
    });

    socket.on("disconnect", () => {
      if (!options.faults.has("keep-dead-players") && !options.faults.has("seat-dead-players")) queue.removeSocket(socket.id);
    });
  });
}

function validPlayer(payload: unknown): { player_id: string; elo: number } | null {
  if (typeof payload !== "object" || payload === null) return null;
  const { player_id, elo } = payload as { player_id?: unknown; elo?: unknown };
  if (typeof player_id !== "string" || player_id === "" || player_id.length > 128) return null;
  if (typeof elo !== "number" || !Number.isFinite(elo)) return null;
  return { player_id, elo };
}
