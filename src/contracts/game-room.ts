// How a game-room server speaks, in one model for presets and JSON files (-e CONTRACT_FILE):
// its HTTP steps (login through `connection`, room creation, room entry) and the name and field
// paths of every room event. The flow (src/scenarios/game-room.ts) never reads a payload field
// by a name of its own: it asks `read(payload, path)` with a path from here. A preset is a spec
// in the JSON shape, parsed by the same function as a file, so both are checked alike.
import { readPath } from "./path";
import type { ContractConnection } from "./contract";
import { ContractError } from "./contract";
import { connectionFromJson } from "./connection-json";
import { obj, str } from "./json";
import { checkPattern } from "./pattern";

/** An HTTP step. Templates: ${room.code}, ${room.size}, ${player.id}, ${run.id}. */
export interface HttpStep {
  method: "POST" | "PUT" | "GET";
  path: string;
  body?: unknown;
}

export interface CreateStep extends HttpStep {
  /** "player": each player creates its room under a code of ours (idempotently); "host": setup() logs a host in and creates every room, the server picks codes. */
  by: "player" | "host";
  /** With by "host": where the answer's JSON holds the room code ("game_code", "data.room.code"). */
  code?: string;
}

export interface EnterStep extends HttpStep {
  /** Where the answer's JSON holds a token for this player in this room (then ${room.token} in event templates). */
  token?: string;
}

/** Event templates (`args`): ${room.code}, ${room.token}, ${player.id}, ${turn.number}, ${turn.choice}, ${turn.sentAt}, ${now}. */
export interface RoomEvents {
  /**
   * confirm: the room event that confirms a join (read at playerId and count), or "ack": the
   * join's ack confirms it and `broadcast` is the room event whose count tells that the room filled.
   */
  join: { send: string; args?: unknown[]; confirm: string; playerId: string; count: string; broadcast?: string };
  turn: { send: string; args?: unknown[]; broadcast: string; playerId: string; turn: string; allSubmitted: string; sentAt?: string };
  presence?: { send: string; args?: unknown[]; answer: string; count: string };
  typing?: { send: string; args?: unknown[]; broadcast: string; playerId: string };
  ping?: { send: string; args?: unknown[]; answer: string };
  reconnect?: { send: string; args?: unknown[]; sync: string; turn: string; waitingFor: string };
  disconnected?: { event: string; playerId: string };
  reconnected?: { event: string; playerId: string };
  error?: { event: string; code: string };
}

export interface GameRoomContract {
  name: string;
  describes: string;
  connection?: ContractConnection;
  rooms: { create?: CreateStep; enter?: EnterStep };
  events: RoomEvents;
  /** The reference server's error codes (AUTH_REQUIRED, INVALID_GAME, NOT_IN_GAME, GAME_FULL) are checked. */
  errorChecks: boolean;
}

/** A value at a dot path ("data.room.code", "players.0.id"); undefined when any step is missing. */
export const read = readPath;

const TOP = ["name", "describes", "connection", "rooms", "events", "errorChecks"];
const EVENT_FIELDS: Record<keyof RoomEvents, { required: string[]; optional: string[] }> = {
  join: { required: ["send", "confirm", "playerId", "count"], optional: ["args", "broadcast"] },
  turn: { required: ["send", "broadcast", "playerId", "turn", "allSubmitted"], optional: ["args", "sentAt"] },
  presence: { required: ["send", "answer", "count"], optional: ["args"] },
  typing: { required: ["send", "broadcast", "playerId"], optional: ["args"] },
  ping: { required: ["send", "answer"], optional: ["args"] },
  reconnect: { required: ["send", "sync", "turn", "waitingFor"], optional: ["args"] },
  disconnected: { required: ["event", "playerId"], optional: [] },
  reconnected: { required: ["event", "playerId"], optional: [] },
  error: { required: ["event", "code"], optional: [] },
};
const OPTIONAL_EVENTS = ["presence", "typing", "ping", "reconnect", "disconnected", "reconnected", "error"];

function known(o: Record<string, unknown>, fields: string[], where: string): void {
  for (const k of Object.keys(o)) if (!fields.includes(k)) throw new ContractError(`${where}.${k}: unknown field (known: ${fields.join(", ")})`);
}

function httpStep(raw: unknown, where: string, extra: string[]): HttpStep & Record<string, unknown> {
  const o = obj(raw, where);
  known(o, ["method", "path", "body", ...extra], where);
  const method = o.method ?? "POST";
  if (method !== "POST" && method !== "PUT" && method !== "GET") throw new ContractError(`${where}.method must be POST, PUT or GET`);
  const path = str(o.path, `${where}.path`);
  if (!path.startsWith("/")) throw new ContractError(`${where}.path must start with "/" (a template such as "/api/games/\${room.code}/join")`);
  if (o.body !== undefined) checkPattern(o.body, `${where}.body`);
  return { ...o, method, path };
}

/** A game-room contract from its JSON form; a ContractError names the place of the first problem. */
export function gameRoomFromJson(raw: unknown, source: string): GameRoomContract {
  const o = obj(raw, source);
  known(o, TOP, source);
  const name = str(o.name, `${source}: name`);
  const rooms = obj(o.rooms ?? {}, `${source}: rooms`);
  known(rooms, ["create", "enter"], `${source}: rooms`);
  const out: GameRoomContract = { name, describes: typeof o.describes === "string" ? o.describes : `the contract in ${source}`, rooms: {}, events: {} as RoomEvents, errorChecks: o.errorChecks === true };
  if (rooms.create !== undefined && rooms.create !== false) {
    const c = httpStep(rooms.create, `${source}: rooms.create`, ["by", "code"]);
    if (c.by !== "player" && c.by !== "host") throw new ContractError(`${source}: rooms.create.by must be "player" (each player creates its room under our code) or "host" (setup() creates them, the server picks codes)`);
    if (c.by === "host") str(c.code, `${source}: rooms.create.code (where the answer holds the room code, e.g. "data.room.code")`);
    out.rooms.create = c as unknown as CreateStep;
  }
  if (rooms.enter !== undefined && rooms.enter !== false) {
    const e = httpStep(rooms.enter, `${source}: rooms.enter`, ["token"]);
    if (e.token !== undefined) str(e.token, `${source}: rooms.enter.token`);
    out.rooms.enter = e as unknown as EnterStep;
  }
  const events = obj(o.events, `${source}: events`);
  known(events, Object.keys(EVENT_FIELDS), `${source}: events`);
  for (const [key, spec] of Object.entries(EVENT_FIELDS)) {
    const v = events[key];
    const where = `${source}: events.${key}`;
    if (v === undefined || v === false) {
      if (!OPTIONAL_EVENTS.includes(key)) throw new ContractError(`${where} is required (${spec.required.join(", ")})`);
      continue;
    }
    const e = obj(v, where);
    known(e, [...spec.required, ...spec.optional], where);
    for (const f of spec.required) str(e[f], `${where}.${f}`);
    if (e.sentAt !== undefined) str(e.sentAt, `${where}.sentAt`);
    if (e.broadcast !== undefined) str(e.broadcast, `${where}.broadcast`);
    if (key === "join" && e.confirm === "ack" && e.broadcast === undefined) {
      throw new ContractError(`${where}: with "confirm": "ack", name the room event that carries the player count in "broadcast" (how players learn the room filled)`);
    }
    if (e.args !== undefined) {
      if (!Array.isArray(e.args)) throw new ContractError(`${where}.args must be an array of the event's arguments (templates)`);
      checkPattern(e.args, `${where}.args`);
    }
    (out.events as unknown as Record<string, unknown>)[key] = e;
  }
  const connection = connectionFromJson(o.connection, `${source}: connection`);
  if (connection) out.connection = connection;
  return out;
}

/** The room events of our reference server (and of the cookie-session preset's servers). */
const seedEvents = {
  join: { send: "join_game_room", args: [{ game_code: "${room.code}" }], confirm: "player_joined", playerId: "player_id", count: "player_count" },
  turn: {
    send: "choice_submitted",
    args: [{ game_code: "${room.code}", choice: "${turn.choice}", sent_at: "${turn.sentAt}" }],
    broadcast: "player_chose",
    playerId: "player_id",
    turn: "turn_number",
    allSubmitted: "all_submitted",
    sentAt: "sent_at",
  },
  presence: { send: "request_presence", args: [{ game_code: "${room.code}" }], answer: "presence_update", count: "total_players" },
  typing: { send: "typing", args: [{ game_code: "${room.code}", is_typing: true }], broadcast: "player_typing", playerId: "player_id" },
  ping: { send: "ping", args: [{ sent_at: "${now}" }], answer: "pong" },
  reconnect: { send: "reconnect", args: [{ game_code: "${room.code}", player_id: "${player.id}" }], sync: "reconnect_sync", turn: "turn_number", waitingFor: "waiting_for" },
  disconnected: { event: "player_disconnected", playerId: "player_id" },
  reconnected: { event: "player_reconnected", playerId: "player_id" },
  error: { event: "error", code: "code" },
};

/** Our reference server: games under our codes over POST /api/games, the player in the CONNECT auth. */
export const referenceGameRoom: GameRoomContract = {
  ...gameRoomFromJson(
    {
      name: "reference",
      describes: "the k6-socketio reference server",
      rooms: { create: { by: "player", method: "POST", path: "/api/games", body: { game_code: "${room.code}", max_players: "${room.size}" } } },
      events: seedEvents,
      errorChecks: true,
    },
    "preset reference",
  ),
  connection: { auth: (player) => ({ player_id: player.id, player_name: `Player ${player.id}` }) },
};

/**
 * A Flask-SocketIO game-room server with a login page: players log in over HTTP (session cookie,
 * CSRF header), a host creates the rooms and the server picks their codes, a player enters a
 * room over HTTP (the room goes into its session), and the CONNECT is refused without the cookie.
 */
export const cookieSessionGameRoom: GameRoomContract = gameRoomFromJson(
  {
    name: "cookie-session",
    describes: "a Flask-SocketIO game-room server with an HTTP login session",
    connection: { login: { url: "/api/login", body: { username: "${player.id}", password: "pw" }, csrf: { url: "/api/csrf", json: "csrf_token", header: "X-CSRFToken" } } },
    rooms: {
      create: { by: "host", method: "POST", path: "/api/games", body: { max_players: "${room.size}" }, code: "game_code" },
      enter: { method: "POST", path: "/api/games/${room.code}/join", body: {} },
    },
    events: seedEvents,
  },
  "preset cookie-session",
);

export const gameRoomPresets: Record<string, GameRoomContract> = { reference: referenceGameRoom, "cookie-session": cookieSessionGameRoom };
