// How a matchmaking queue speaks: what a join sends and how its reply reads, which match event
// seats this player, the leave, the rate limit and the table size. The flow
// (src/scenarios/matchmaking.ts) never looks at a payload itself.
import type { ContractConnection, Exchange, Player, Reply } from "./contract";
import { ContractError } from "./contract";
import { connectionFromJson } from "./connection-json";
import { exchangeFromJson, leaveFromJson, flatten, obj, replyView, str } from "./json";
import { fill, matches, type Pattern } from "./pattern";

export interface QueuePlayer extends Player {
  elo: number;
}

export const JOIN_CLASSES = ["accepted", "rate_limited", "rejected", "error"] as const;
/** accepted: queued; rate_limited: refused by the rate limit; rejected: refused for another reason; error: the server says it failed. */
export type JoinClass = (typeof JOIN_CLASSES)[number];

export interface MatchmakingContract {
  name: string;
  /** One line: which server this contract describes. */
  describes: string;
  join: Exchange<{ player: QueuePlayer }, JoinClass>;
  leave: { event: string; args(ctx: { player: QueuePlayer }): unknown[]; reply: "ack" | "none" };
  match: {
    event: string;
    /** true: this match seats the player; false: someone else's match; undefined: not a match this contract knows (a mismatch). */
    seats(args: unknown[], player: QueuePlayer): boolean | undefined;
    expects: string;
  };
  /** Joins a player may make per window, and whether the window rolls or is the clock's minute. */
  rateLimit: { joins: number; window: "rolling" | "clock-minute" };
  /** Players seated at one table. */
  tableSize: number;
  connection?: ContractConnection;
}

const record = (v: unknown): Record<string, unknown> | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** Our reference server (src/target): {status: queued | rejected(reason) | error}, match_found {players:[{player_id}]} to every seated player. */
export const referenceMatchmaking: MatchmakingContract = {
  name: "reference",
  describes: "the k6-socketio reference server",
  join: {
    event: "queue_join",
    args: ({ player }) => [{ player_id: player.id, elo: player.elo }],
    classify: (r: Reply) => {
      const d = record(r.data);
      if (d?.status === "queued") return "accepted";
      if (d?.status === "rejected") return d.reason === "rate_limited" ? "rate_limited" : "rejected";
      if (d?.status === "error") return "error";
      return undefined;
    },
    expects: '{status:"queued"} | {status:"rejected", reason:"rate_limited"|…} | {status:"error"}',
  },
  leave: { event: "queue_leave", args: ({ player }) => [{ player_id: player.id }], reply: "ack" },
  match: {
    event: "match_found",
    seats: (args, player) => {
      const players = record(args[0])?.players;
      if (!Array.isArray(players)) return undefined;
      return players.some((p) => record(p)?.player_id === player.id);
    },
    expects: "match_found {players: [{player_id}, …]}",
  },
  rateLimit: { joins: 5, window: "rolling" },
  tableSize: 2,
};

/**
 * baloot-ai's queue (python-socketio): every reply is an ack {success, …}; a guest is its socket
 * (the payload only names it), so match_found {roomId, yourIndex, gameState, avgElo} goes to
 * each seated player's own socket; 5 joins per socket per clock minute; tables of 4.
 */
export const balootAiMatchmaking: MatchmakingContract = {
  name: "baloot-ai",
  describes: "baloot-ai's matchmaking queue (python-socketio)",
  join: {
    event: "queue_join",
    args: ({ player }) => [{ playerName: player.id }],
    classify: (r: Reply) => {
      const d = record(r.data);
      if (d?.success === true) return "accepted";
      if (d?.success !== false || typeof d.error !== "string") return undefined;
      if (/too many requests/i.test(d.error)) return "rate_limited";
      if (/invalid request/i.test(d.error)) return "error";
      return "rejected"; // "Already in queue", or another refusal in words
    },
    expects: '{success:true, queueSize, avgWait} | {success:false, error:"Too many requests. Please wait."} | {success:false, error:"…"}',
  },
  leave: { event: "queue_leave", args: () => [{}], reply: "ack" },
  match: {
    event: "match_found",
    seats: (args) => (typeof record(args[0])?.roomId === "string" ? true : undefined),
    expects: "match_found {roomId, yourIndex, gameState, avgElo}, sent to each seated player's socket",
  },
  rateLimit: { joins: 5, window: "clock-minute" },
  tableSize: 4,
};

/** A matchmaking contract from JSON (see docs/contracts.md for the format). */
export function matchmakingFromJson(raw: unknown, source: string): MatchmakingContract {
  const o = obj(raw, source);
  const name = str(o.name, `${source}: name`);
  const join = exchangeFromJson<{ player: QueuePlayer }, JoinClass>(o.join, `${source}: join`, JOIN_CLASSES);
  const leave = leaveFromJson<{ player: QueuePlayer }>(o.leave, `${source}: leave`, "ack");
  const match = obj(o.match, `${source}: match`);
  const seats = match.seats ?? "any";
  const shape = (match.shape ?? null) as Pattern | null;
  const limit = obj(o.rateLimit ?? { joins: 5, window: "rolling" }, `${source}: rateLimit`);
  const joins = limit.joins;
  if (typeof joins !== "number" || !Number.isInteger(joins) || joins < 1) throw new ContractError(`${source}: rateLimit.joins must be a whole number >= 1`);
  if (limit.window !== "rolling" && limit.window !== "clock-minute") throw new ContractError(`${source}: rateLimit.window must be "rolling" or "clock-minute"`);
  const connection = connectionFromJson(o.connection, `${source}: connection`);
  const tableSize = o.tableSize ?? 2;
  if (typeof tableSize !== "number" || !Number.isInteger(tableSize) || tableSize < 1) throw new ContractError(`${source}: tableSize must be a whole number >= 1`);
  return {
    name,
    describes: typeof o.describes === "string" ? o.describes : `the contract in ${source}`,
    join,
    leave,
    match: {
      event: str(match.event, `${source}: match.event`),
      seats: (args, player) => {
        const view = replyView({ event: undefined, args, data: args[0] });
        if (shape !== null && !matches(view, shape)) return undefined;
        return seats === "any" ? true : matches(view, fill(seats, flatten({ player })) as Pattern);
      },
      expects: `${String(match.event)}${shape ? ` shaped ${JSON.stringify(shape)}` : ""}${seats === "any" ? ", to each seated player's socket" : `, seating when ${JSON.stringify(seats)}`}`,
    },
    rateLimit: { joins, window: limit.window },
    tableSize,
    ...(connection ? { connection } : {}),
  };
}

export const matchmakingPresets: Record<string, MatchmakingContract> = {
  reference: referenceMatchmaking,
  "baloot-ai": balootAiMatchmaking,
};
