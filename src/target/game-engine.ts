// Seed 003's game backend (the "Paper Dynasty" engine), on namespace /game, with the risks
// the seed lists as fault modes:
//   connect auth {token: "user:<id>"} (the seed's JWT)   -> `connected` {user_id}
//                 anything else -> CONNECT_ERROR "unauthorized"        (--fault no-auth accepts all)
//   join_game {game_id}                ack {ok, role: home|away|spectator, players}; `user_joined` to the room
//   roll_dice {game_id}                ack {ok, roll_id} | {ok:false, error:"NOT_AUTHORIZED"}; `dice_rolled` to the room
//   submit_manual_outcome {game_id, roll_id, outcome}
//                                      ack {ok:true, version} and `outcome_accepted` {roll_id, user_id},
//                                      `game_state_update` {game_id, version} to the room
//                                      | {ok:false, error:"NO_PENDING_ROLL"|"NOT_AUTHORIZED"}
//   request_game_state {game_id}       ack {ok, game_id, version, players} | {ok:false, error:"GAME_NOT_FOUND"}
//   leave_game {game_id}               ack {ok}; the player's seat is freed
//   disconnect                         `user_disconnected` {user_id} to every room the user was in
// Only the game's two players may roll or submit (--fault no-authz lets anyone). A roll is
// consumed by exactly one submission (--fault race checks, awaits a simulated database write,
// then consumes: two concurrent submissions are both accepted). --fault stale-sessions does not
// announce clients that vanish (ping timeout), only clean disconnects. The same user may hold
// several sessions at once (the seed's behaviour).
import type { Namespace, Server, Socket } from "socket.io";
import type { TargetOptions } from "./options.ts";

interface Game {
  players: string[];
  pendingRoll: string | null;
  rolls: number;
  /** Accepted outcomes so far. */
  version: number;
}

type Ack = ((response: unknown) => void) | undefined;

export function serveGameEngine(io: Server, options: TargetOptions): Namespace {
  const nsp = io.of("/game");
  const games = new Map<string, Game>();
  const f = options.faults;
  const userOf = (socket: Socket): string => socket.data.userId as string;
  const reply = (ack: Ack, body: unknown) => typeof ack === "function" && ack(body);
  const gameId = (p: unknown) => {
    const id = (p as { game_id?: unknown } | null)?.game_id;
    return typeof id === "string" && id.length > 0 && id.length <= 128 ? id : null;
  };
  const authorized = (socket: Socket, game: Game | undefined) => f.has("no-authz") || (game !== undefined && game.players.includes(userOf(socket)));

  nsp.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const m = typeof token === "string" ? /^user:([\w-]{1,64})$/.exec(token) : null;
    if (m) {
      socket.data.userId = m[1];
      return next();
    }
    if (f.has("no-auth")) {
      socket.data.userId = `anonymous-${socket.id}`;
      return next();
    }
    const err = new Error("unauthorized") as Error & { data?: unknown };
    err.data = { reason: token === undefined ? "missing token" : "invalid token" };
    next(err);
  });

  nsp.on("connection", (socket: Socket) => {
    socket.emit("connected", { user_id: userOf(socket) });

    socket.on("join_game", (payload: unknown, ack: Ack) => {
      const id = gameId(payload);
      if (!id) return reply(ack, { ok: false, error: "VALIDATION_ERROR" });
      let game = games.get(id);
      if (!game) games.set(id, (game = { players: [], pendingRoll: null, rolls: 0, version: 0 }));
      const user = userOf(socket);
      if (!game.players.includes(user) && game.players.length < 2) game.players.push(user);
      const seat = game.players.indexOf(user);
      void socket.join(id);
      reply(ack, { ok: true, role: seat === 0 ? "home" : seat === 1 ? "away" : "spectator", players: [...game.players] });
      socket.to(id).emit("user_joined", { user_id: user, players: [...game.players] });
    });

    socket.on("roll_dice", (payload: unknown, ack: Ack) => {
      const id = gameId(payload);
      const game = id ? games.get(id) : undefined;
      if (!authorized(socket, game)) return reply(ack, { ok: false, error: "NOT_AUTHORIZED" });
      const target = game ?? { players: [], pendingRoll: null, rolls: 0, version: 0 };
      if (!game && id) games.set(id, target);
      target.rolls += 1;
      target.pendingRoll = `${id}#${target.rolls}`;
      reply(ack, { ok: true, roll_id: target.pendingRoll });
      nsp.to(id!).emit("dice_rolled", { game_id: id, roll_id: target.pendingRoll });
    });

    socket.on("submit_manual_outcome", async (payload: unknown, ack: Ack) => {
      const id = gameId(payload);
      const game = id ? games.get(id) : undefined;
      if (!authorized(socket, game) || !game) return reply(ack, { ok: false, error: game ? "NOT_AUTHORIZED" : "GAME_NOT_FOUND" });
      const rollId = (payload as { roll_id?: unknown }).roll_id;
      if (game.pendingRoll === null || game.pendingRoll !== rollId) return reply(ack, { ok: false, error: "NO_PENDING_ROLL" });
      if (f.has("race")) {
        // The seed's bug: check, then await the database, then consume, with no lock.
        await new Promise((r) => setTimeout(r, 20));
      }
      game.pendingRoll = null;
      game.version += 1;
      reply(ack, { ok: true, version: game.version });
      nsp.to(id!).emit("outcome_accepted", { game_id: id, roll_id: rollId, user_id: userOf(socket) });
      nsp.to(id!).emit("game_state_update", { game_id: id, version: game.version });
    });

    socket.on("request_game_state", (payload: unknown, ack: Ack) => {
      const id = gameId(payload);
      const game = id ? games.get(id) : undefined;
      if (!game) return reply(ack, { ok: false, error: "GAME_NOT_FOUND" });
      reply(ack, { ok: true, game_id: id, version: game.version, players: [...game.players] });
    });

    socket.on("leave_game", (payload: unknown, ack: Ack) => {
      const id = gameId(payload);
      const game = id ? games.get(id) : undefined;
      if (game) game.players = game.players.filter((p) => p !== userOf(socket));
      if (id) void socket.leave(id);
      reply(ack, { ok: true });
    });

    socket.on("disconnect", (reason) => {
      if (f.has("stale-sessions") && reason === "ping timeout") return; // the session lingers
      for (const room of (socket.data.rooms as string[] | undefined) ?? []) nsp.to(room).emit("user_disconnected", { user_id: userOf(socket) });
    });
    // socket.rooms is empty by the time "disconnect" fires: remember them while "disconnecting".
    socket.on("disconnecting", () => {
      socket.data.rooms = [...socket.rooms].filter((r) => r !== socket.id);
    });
  });
  return nsp;
}
