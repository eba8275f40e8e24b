// Seed 001's Arcane Codex game rooms. Games are created over HTTP (as in the seed, where game
// data is saved over HTTP first); players identify themselves in the CONNECT auth payload
// {player_id, player_name} (the seed's session cookie). Errors are `error` {code, message}.
//   POST /api/games {game_code, max_players}   create (idempotent) -> 200 {game_code, max_players}
//   join_game_room {game_code}        -> player_joined {player_id, player_name, player_count, timestamp} to the room
//   choice_submitted {game_code, choice, sent_at}
//                                     -> player_chose {player_id, player_name, choices_submitted, total_players,
//                                        all_submitted, waiting_for, turn_number, sent_at, timestamp} to the room
//   request_presence {game_code}      -> presence_update {online_players, total_players, players} to the sender
//   typing {game_code, is_typing}     -> player_typing {player_id, player_name, is_typing} to the room but the sender
//   ping {sent_at}                    -> pong {sent_at, timestamp} to the sender
//   reconnect {game_code}             -> reconnect_sync {game_code, players, game_started, turn_number,
//                                        choices_submitted, waiting_for} to the sender; player_reconnected to the others
//   disconnect                        -> player_disconnected {player_id, player_name, timestamp} to the room
// Error codes: AUTH_REQUIRED (no player_id in auth), INVALID_GAME (unknown code), NOT_IN_GAME
// (acting in a game one has not joined), GAME_FULL (join beyond max_players), ALREADY_CHOSE.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Namespace, Socket } from "socket.io";
import { type Broadcaster, emitError } from "./common.ts";

interface Member {
  playerId: string;
  playerName: string;
  online: boolean;
  socketId: string | null;
}

interface Game {
  code: string;
  maxPlayers: number;
  members: Map<string, Member>;
  turn: number;
  choices: Set<string>;
}

export interface GameRooms {
  /** Handles POST /api/games; returns false for any other request. */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean;
}

export function serveGameRooms(nsp: Namespace, broadcast: Broadcaster): GameRooms {
  const games = new Map<string, Game>();
  const now = () => new Date().toISOString();

  const player = (socket: Socket): { id: string; name: string } | null => {
    const auth = socket.handshake.auth as { player_id?: unknown; player_name?: unknown } | undefined;
    if (typeof auth?.player_id !== "string" || auth.player_id === "") return null;
    return { id: auth.player_id, name: typeof auth.player_name === "string" ? auth.player_name : auth.player_id };
  };

  /** The game a request names, if the sender is allowed to act in it; else an error is sent. */
  const memberGame = (socket: Socket, payload: unknown): { game: Game; me: Member } | null => {
    const who = player(socket);
    if (!who) {
      emitError(socket, "AUTH_REQUIRED", "Authentication required: connect with auth {player_id}");
      return null;
    }
    const code = (payload as { game_code?: unknown } | null)?.game_code;
    const game = typeof code === "string" ? games.get(code) : undefined;
    if (!game) {
      emitError(socket, "INVALID_GAME", `Game code not found: ${String(code)}`);
      return null;
    }
    const me = game.members.get(who.id);
    if (!me) {
      emitError(socket, "NOT_IN_GAME", `Player ${who.id} is not in game ${game.code}`);
      return null;
    }
    return { game, me };
  };

  const snapshot = (game: Game) => [...game.members.values()].map((m) => ({ player_id: m.playerId, player_name: m.playerName, online: m.online }));
  const waitingFor = (game: Game) => [...game.members.keys()].filter((id) => !game.choices.has(id));

  nsp.on("connection", (socket: Socket) => {
    socket.on("join_game_room", (payload: unknown) => {
      const who = player(socket);
      if (!who) return emitError(socket, "AUTH_REQUIRED", "Authentication required: connect with auth {player_id}");
      const code = (payload as { game_code?: unknown } | null)?.game_code;
      const game = typeof code === "string" ? games.get(code) : undefined;
      if (!game) return emitError(socket, "INVALID_GAME", `Game code not found: ${String(code)}`);
      if (!game.members.has(who.id) && game.members.size >= game.maxPlayers) {
        return emitError(socket, "GAME_FULL", `Game ${game.code} is full (${game.maxPlayers} players)`);
      }
      game.members.set(who.id, { playerId: who.id, playerName: who.name, online: true, socketId: socket.id });
      void socket.join(game.code);
      broadcast.toRoom(game.code, "player_joined", { player_id: who.id, player_name: who.name, player_count: game.members.size, timestamp: now() });
    });

    socket.on("choice_submitted", (payload: unknown) => {
      const found = memberGame(socket, payload);
      if (!found) return;
      const { game, me } = found;
      if (game.choices.has(me.playerId)) return emitError(socket, "ALREADY_CHOSE", `already chose in turn ${game.turn}`);
      game.choices.add(me.playerId);
      const all = game.choices.size >= game.members.size;
      broadcast.toRoom(game.code, "player_chose", {
        player_id: me.playerId,
        player_name: me.playerName,
        choices_submitted: game.choices.size,
        total_players: game.members.size,
        all_submitted: all,
        waiting_for: waitingFor(game),
        turn_number: game.turn,
        sent_at: (payload as { sent_at?: unknown }).sent_at ?? null,
        timestamp: now(),
      });
      if (all) {
        game.turn += 1;
        game.choices.clear();
      }
    });

    socket.on("request_presence", (payload: unknown) => {
      const found = memberGame(socket, payload);
      if (!found) return;
      const players = snapshot(found.game);
      socket.emit("presence_update", { online_players: players.filter((p) => p.online).map((p) => p.player_id), total_players: players.length, players });
    });

    socket.on("typing", (payload: unknown) => {
      const found = memberGame(socket, payload);
      if (!found) return;
      const isTyping = (payload as { is_typing?: unknown }).is_typing === true;
      broadcast.toRoom(found.game.code, "player_typing", { player_id: found.me.playerId, player_name: found.me.playerName, is_typing: isTyping }, socket.id);
    });

    socket.on("ping", (payload: unknown) => {
      socket.emit("pong", { sent_at: (payload as { sent_at?: unknown } | null)?.sent_at ?? null, timestamp: now() });
    });

    socket.on("reconnect", (payload: unknown) => {
      const found = memberGame(socket, payload);
      if (!found) return;
      const { game, me } = found;
      me.online = true;
      me.socketId = socket.id;
      void socket.join(game.code);
      socket.emit("reconnect_sync", {
        game_code: game.code,
        players: snapshot(game),
        game_started: true,
        turn_number: game.turn,
        choices_submitted: game.choices.size,
        waiting_for: waitingFor(game),
      });
      broadcast.toRoom(game.code, "player_reconnected", { player_id: me.playerId, player_name: me.playerName, timestamp: now() }, socket.id);
    });

    socket.on("disconnect", () => {
      for (const game of games.values()) {
        for (const m of game.members.values()) {
          if (m.socketId !== socket.id) continue;
          m.online = false;
          m.socketId = null;
          broadcast.toRoom(game.code, "player_disconnected", { player_id: m.playerId, player_name: m.playerName, timestamp: now() });
        }
      }
    });
  });

  return {
    handleHttp(req, res) {
      if (req.url !== "/api/games" || req.method !== "POST") return false;
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => {
        body += c;
        if (body.length > 10_000) req.destroy();
      });
      req.on("end", () => {
        let parsed: { game_code?: unknown; max_players?: unknown };
        try {
          parsed = JSON.parse(body) as typeof parsed;
        } catch {
          return json(res, 400, { code: "VALIDATION_ERROR", message: "body is not JSON" });
        }
        const code = parsed.game_code;
        const max = parsed.max_players ?? 4;
        if (typeof code !== "string" || !/^[\w-]{1,64}$/.test(code) || !Number.isInteger(max) || (max as number) < 1 || (max as number) > 64) {
          return json(res, 400, { code: "VALIDATION_ERROR", message: "need {game_code: [A-Za-z0-9_-]{1,64}, max_players: 1..64}" });
        }
        if (!games.has(code)) games.set(code, { code, maxPlayers: max as number, members: new Map(), turn: 1, choices: new Set() });
        const game = games.get(code)!;
        json(res, 200, { game_code: game.code, max_players: game.maxPlayers });
      });
      return true;
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}
