// Game rooms load test. ROOMS rooms of ROOM_SIZE players:
//   join_game_room -> player_joined to the room (join latency; the room fills)
//   each turn: every player sends choice_submitted with its send time; player_chose fans out to
//   the room with choices_submitted / waiting_for / all_submitted (fan-out latency, delivery ratio)
//   request_presence -> presence_update, ping -> pong, typing -> player_typing to the others
//   seat 0 drops after RECONNECT_AFTER_TURN and reconnects: reconnect_sync with the full state for
//   it, player_disconnected / player_reconnected for the others (reconnect-to-sync time)
// A separate `errors` scenario checks AUTH_REQUIRED, INVALID_GAME, NOT_IN_GAME and GAME_FULL.
// Games are created with POST <TARGET_URL>/api/games {game_code, max_players} (GAMES_API_PATH).
import { check } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { Counter, Rate, Trend } from "../kit/metrics";
import presets from "../../thresholds/game-room.json";
import { readConnectionEnv, withAuth, withContract } from "../kit/connection-env";
import { EnvReader } from "../kit/env";
import { runIdFrom } from "../kit/run-id";
import { scenarioOptions, prepareRun } from "../kit/scenario-options";
import { makeHandleSummary } from "../kit/summary";
import { buildThresholds } from "../kit/thresholds";
import { pause } from "../kit/flow";
import { type ConnectOptions, io, parseTarget, type Socket } from "../socketio";
import { ContractError } from "../contracts/contract";
import { type GameRoomContract, gameRoomPresets } from "../contracts/game-room";
import { selectContract } from "../kit/contract-env";
import { Logins } from "../kit/login";
import { mainFlow } from "../kit/default-scenario";

const env = new EnvReader(__ENV);
const connection = readConnectionEnv(env);
const contract: GameRoomContract = selectContract(env, "game-room", gameRoomPresets, () => {
  throw new ContractError("the game-room scenario takes TypeScript contracts (-e CONTRACT=reference | cookie-session, or your own in src/contracts/game-room.ts), not CONTRACT_FILE");
});
const config = {
  rooms: env.int("ROOMS", 10, 1, 10_000),
  roomSize: env.int("ROOM_SIZE", 4, 2, 64),
  turns: env.int("TURNS", 5, 1, 10_000),
  thinkMs: env.int("THINK_TIME_MS", 200, 0, 600_000),
  waitTimeoutMs: env.int("WAIT_TIMEOUT_MS", 10_000, 1, 600_000),
  reconnectAfterTurn: env.int("RECONNECT_AFTER_TURN", 2, 0, 10_000),
  gamesApiPath: env.string("GAMES_API_PATH", contract.rooms.path),
};
const target = parseTarget(connection.targetUrl);
const gamesApi = `${target.secure ? "https" : "http"}://${target.authority}${config.gamesApiPath}`;
const players = config.rooms * config.roomSize;
const budget = `${Math.ceil(((config.turns + 4) * (config.waitTimeoutMs + config.thinkMs)) / 1000) + 10}s`;

export const options = scenarioOptions(
  {
    players: { executor: "per-vu-iterations", vus: players, iterations: 1, maxDuration: budget, exec: "player" },
    ...(contract.errorChecks ? { errors: { executor: "per-vu-iterations", vus: 1, iterations: 1, maxDuration: budget, exec: "errorContract" } } : {}),
  },
  buildThresholds(contract.errorChecks ? presets : Object.fromEntries(Object.entries(presets).filter(([m]) => m !== "game_room_error_contract")), {}, env.json("THRESHOLDS")),
);

const joinDuration = new Trend("game_room_join_duration", true);
const fanoutDuration = new Trend("game_room_fanout_duration", true);
const delivery = new Rate("game_room_delivery");
const presenceDelivery = new Rate("game_room_presence_delivery");
const reconnectSync = new Trend("game_room_reconnect_sync_duration", true);
const presenceDuration = new Trend("game_room_presence_duration", true);
const pongDuration = new Trend("game_room_pong_duration", true);
const errorContractKept = new Rate("game_room_error_contract");
const timeouts = new Counter("game_room_timeouts");
const serverErrors = new Counter("game_room_server_errors");
const setupErrors = new Counter("game_room_setup_errors");

interface RunData {
  runId: string;
  /** The rooms' codes when the server picks them (created in setup()), by room index. */
  codes?: string[];
}

const logins = new Logins("game_room", connection.login ?? contract.connection?.login, `contract "${contract.name}"`);

export async function setup(): Promise<RunData> {
  prepareRun(timeouts, serverErrors, setupErrors, logins.counter);
  console.log(`game-room: contract "${contract.name}" (${contract.describes})`);
  const runId = runIdFrom(env);
  const rooms = contract.rooms;
  if (rooms.picks === "ours") return { runId };
  // The server picks the codes: one host creates every room, the players learn them from here.
  const host = await logins.optionsFor({ headers: { ...(connection.connectOptions.headers ?? {}) } }, connection.origin, { id: `${runId}-host` }, connection.connectTimeoutMs);
  if (!host) throw new Error(`game-room: contract "${contract.name}": the host's login failed, so no room can be created (see above)`);
  const codes: string[] = [];
  for (let i = 0; i < config.rooms; i++) {
    const res = http.post(gamesApi, JSON.stringify(rooms.body(config.roomSize)), { headers: { "Content-Type": "application/json", ...host.headers }, tags: { name: gamesApi } });
    let code: string | undefined;
    try {
      code = rooms.code(JSON.parse(String(res.body)));
    } catch {
      code = undefined;
    }
    if (res.status !== 200 || code === undefined) {
      throw new Error(`game-room: contract "${contract.name}", room creation: POST ${gamesApi} answered ${res.status}: ${String(res.body).slice(0, 200)}`);
    }
    codes.push(code);
  }
  return { runId, codes };
}

function createGame(code: string, maxPlayers: number): boolean {
  if (contract.rooms.picks !== "ours") return true; // setup() made it
  const res = http.post(gamesApi, JSON.stringify(contract.rooms.body(code, maxPlayers)), {
    headers: { "Content-Type": "application/json", ...connection.connectOptions.headers },
    tags: { name: gamesApi },
  });
  const ok = check(res, { "game created over HTTP": (r) => r.status === 200 });
  if (!ok) setupErrors.add(1, { status: String(res.status) });
  if (!ok) console.warn(`game-room: POST ${gamesApi} for ${code} answered ${res.status}: ${String(res.body).slice(0, 200)}`);
  return ok;
}

interface Chose {
  player_id: string;
  turn_number: number;
  all_submitted: boolean;
  sent_at: number | null;
}

/** What one player knows across its sessions (seat 0 reconnects once). */
class Player {
  turn = 1;
  /** Members whose choice for `turn` arrived, or that reconnect_sync reported as made. */
  readonly seen = new Set<string>();
  sawTyping = false;
  sawDisconnect = false;
  sawReconnect = false;

  constructor(
    readonly id: string,
    readonly seat: number,
    readonly game: string,
    /** Every member's player id, by seat. */
    readonly members: string[],
  ) {}

  /** Seat 0 drops and reconnects once, after RECONNECT_AFTER_TURN, when that turn is not the last. */
  static get dropConfigured(): boolean {
    return config.reconnectAfterTurn > 0 && config.reconnectAfterTurn < config.turns;
  }

  /** Closes the current turn: each member's choice either arrived or counts as lost. */
  closeTurn(): void {
    for (const member of this.members) delivery.add(this.seen.has(member));
    this.seen.clear();
    this.turn += 1;
  }
}

export async function player(data: RunData): Promise<void> {
  const index = exec.scenario.iterationInTest;
  const room = Math.floor(index / config.roomSize);
  const game = data.codes?.[room] ?? `${data.runId}-g${room}`;
  const members = Array.from({ length: config.roomSize }, (_, seat) => `${data.runId}-p${room * config.roomSize + seat}`);
  const me = new Player(members[index % config.roomSize]!, index % config.roomSize, game, members);
  if (!createGame(game, config.roomSize)) return;
  const admitted = await admit(me);
  if (!admitted) return;
  if ((await session(me, admitted, false)) === "dropped") await session(me, admitted, true);
  // Turns this player never finished (a wait ran out, the room never filled): every choice it
  // should have seen and did not is a lost delivery, so the ratio cannot pass without data.
  while (me.turn <= config.turns) me.closeTurn();
  if (me.seat !== 0) {
    presenceDelivery.add(me.sawTyping, { event: "player_typing" });
    if (Player.dropConfigured && me.turn > config.reconnectAfterTurn) {
      presenceDelivery.add(me.sawDisconnect, { event: "player_disconnected" });
      presenceDelivery.add(me.sawReconnect, { event: "player_reconnected" });
    }
  }
}


/**
 * What lets `me` in, as the contract says: its login (the session cookie goes with every
 * handshake), its HTTP entry into the room, its CONNECT auth. Null when a step failed (counted).
 */
async function admit(me: Player): Promise<ConnectOptions | null> {
  const options = await logins.optionsFor(withContract(connection.connectOptions, contract.connection, { id: me.id }), connection.origin, { id: me.id }, connection.connectTimeoutMs);
  if (!options || !contract.enter) return options;
  const url = `${connection.origin}${contract.enter.path(me.game)}`;
  const res = await http.asyncRequest("POST", url, "{}", { headers: { "Content-Type": "application/json", ...(options.headers ?? {}) }, tags: { name: "enter room" } });
  if (res.status >= 200 && res.status < 300) return options;
  setupErrors.add(1, { status: String(res.status) });
  console.warn(`game-room: contract "${contract.name}", entering the room: POST ${url} answered ${res.status}: ${String(res.body).slice(0, 200)}`);
  return null;
}

/** One connection of a player. Resolves with "dropped" when seat 0 leaves to test reconnection. */
async function session(me: Player, options: ConnectOptions, resume: boolean): Promise<"done" | "dropped" | "failed"> {
  const startedAt = Date.now();
  const socket = await io(connection.targetUrl, options);
  if (!check(socket, { "player connected": (s) => s.connected })) return "failed";
  const outcome = await play(socket, me, resume, startedAt);
  socket.disconnect();
  await socket.closed;
  return outcome;
}

async function play(socket: Socket, me: Player, resume: boolean, startedAt: number): Promise<"done" | "dropped" | "failed"> {
  const timedOut = (wait: string): "failed" => {
    timeouts.add(1, { wait });
    console.warn(`game-room: ${me.id} in ${me.game}: no ${wait} within ${config.waitTimeoutMs} ms`);
    return "failed";
  };
  socket.on("error", (e: { code?: string; message?: string }) => {
    serverErrors.add(1, { code: String(e?.code ?? "unknown") });
    console.warn(`game-room: ${me.id}: server error ${String(e?.code)}: ${String(e?.message)}`);
  });
  socket.on("player_typing", (t: { player_id?: string }) => {
    if (t?.player_id === me.members[0]) me.sawTyping = true;
  });
  socket.on("player_disconnected", (p: { player_id?: string }) => {
    if (p?.player_id === me.members[0]) me.sawDisconnect = true;
  });
  socket.on("player_reconnected", (p: { player_id?: string }) => {
    if (p?.player_id === me.members[0]) me.sawReconnect = true;
  });
  socket.on("player_chose", (c: Chose) => {
    if (c.turn_number !== me.turn) return;
    if (c.player_id !== me.id && typeof c.sent_at === "number") fanoutDuration.add(Date.now() - c.sent_at);
    me.seen.add(c.player_id);
  });

  if (resume) {
    const sync = socket.waitFor("reconnect_sync", { timeout: config.waitTimeoutMs });
    socket.emit("reconnect", { game_code: me.game, player_id: me.id });
    const synced = await sync;
    if (!synced.ok) return synced.reason === "timeout" ? timedOut("reconnect_sync") : "failed";
    reconnectSync.add(Date.now() - startedAt);
    const state = synced.data as { turn_number: number; waiting_for: string[] };
    // The sync reports the choices made while this player was away: they count as known.
    me.turn = state.turn_number;
    me.seen.clear();
    const waiting = new Set(state.waiting_for);
    for (const member of me.members) if (!waiting.has(member)) me.seen.add(member);
  } else {
    const joinedAt = Date.now();
    const own = socket.waitFor("player_joined", { timeout: config.waitTimeoutMs, filter: (j: { player_id?: string }) => j?.player_id === me.id });
    const full = socket.waitFor("player_joined", { timeout: config.waitTimeoutMs, filter: (j: { player_count?: number }) => (j?.player_count ?? 0) >= config.roomSize });
    socket.emit("join_game_room", { game_code: me.game });
    const j = await own;
    if (j.ok) joinDuration.add(Date.now() - joinedAt);
    else if (j.reason === "timeout") timedOut("own player_joined");
    const filled = await full;
    if (!filled.ok) return filled.reason === "timeout" ? timedOut("a full room") : "failed";
    void probes(socket, me, timedOut);
  }

  while (me.turn <= config.turns) {
    if (me.seat === 0 && Player.dropConfigured && !resume && me.turn === config.reconnectAfterTurn + 1) return "dropped";
    const end = socket.waitFor("player_chose", { timeout: config.waitTimeoutMs, filter: (c: Chose) => c.turn_number === me.turn && c.all_submitted });
    await pause(1 + Math.floor(Math.random() * config.thinkMs));
    socket.emit("choice_submitted", { game_code: me.game, choice: `c${me.turn}`, sent_at: Date.now() });
    const ended = await end;
    if (!ended.ok) return ended.reason === "timeout" ? timedOut(`all_submitted for turn ${me.turn}`) : "failed";
    me.closeTurn();
  }
  return "done";
}

/** Presence, ping and typing, answered beside the turns. */
async function probes(socket: Socket, me: Player, timedOut: (wait: string) => void): Promise<void> {
  const presence = socket.waitFor("presence_update", { timeout: config.waitTimeoutMs });
  socket.emit("request_presence", { game_code: me.game });
  const pong = socket.waitFor("pong", { timeout: config.waitTimeoutMs });
  socket.emit("ping", { sent_at: Date.now() });
  if (me.seat === 0) socket.emit("typing", { game_code: me.game, is_typing: true });
  const p = await presence;
  if (p.ok) {
    presenceDuration.add(p.elapsedMs);
    check(p.data as { total_players?: number }, { "presence_update lists the room": (d) => d?.total_players === config.roomSize });
  } else if (p.reason === "timeout") timedOut("presence_update");
  const q = await pong;
  if (q.ok) pongDuration.add(q.elapsedMs);
  else if (q.reason === "timeout") timedOut("pong");
}

/** Sends one request that must be refused and checks the error code it gets back. */
async function expectError(label: string, auth: Record<string, unknown> | null, send: (socket: Socket) => void, code: string): Promise<void> {
  let got = "no error event";
  const socket = await io(connection.targetUrl, auth ? withAuth(connection.connectOptions, auth) : connection.connectOptions);
  if (socket.connected) {
    const error = socket.waitFor("error", { timeout: config.waitTimeoutMs });
    send(socket);
    const e = await error;
    if (e.ok) got = String((e.data as { code?: string })?.code);
    socket.disconnect();
  } else got = `no connection (${socket.connectError?.reason})`;
  const ok = check(got, { [`${label} is refused with ${code}`]: (g) => g === code });
  errorContractKept.add(ok, { code });
  if (!ok) console.warn(`game-room: ${label}: expected error ${code}, got ${got}`);
}

export async function errorContract(data: RunData): Promise<void> {
  if (!contract.errorChecks) return; // the contract's server has other error semantics
  const open = `${data.runId}-open`;
  const full = `${data.runId}-full`;
  if (!createGame(open, config.roomSize) || !createGame(full, 1)) {
    errorContractKept.add(false);
    return;
  }
  await expectError("a game event without player_id", null, (s) => s.emit("join_game_room", { game_code: open }), "AUTH_REQUIRED");
  const who = { player_id: `${data.runId}-checker`, player_name: "checker" };
  await expectError("joining an unknown game", who, (s) => s.emit("join_game_room", { game_code: `${data.runId}-nowhere` }), "INVALID_GAME");
  await expectError("a choice in a game not joined", who, (s) => s.emit("choice_submitted", { game_code: open, choice: "x" }), "NOT_IN_GAME");
  // The first player takes the only seat (membership outlives the connection), the second is refused.
  const first = await io(connection.targetUrl, withAuth(connection.connectOptions, { player_id: `${data.runId}-first` }));
  if (first.connected) {
    const seated = first.waitFor("player_joined", { timeout: config.waitTimeoutMs });
    first.emit("join_game_room", { game_code: full });
    await seated;
    first.disconnect();
  }
  await expectError("joining a full game", { player_id: `${data.runId}-second` }, (s) => s.emit("join_game_room", { game_code: full }), "GAME_FULL");
}

// `k6 run --vus 41 --duration 1m dist/game-room.js`: one player per iteration, then the error checks (docs/k6-versions.md).
export default mainFlow(player, { plays: "players", seats: { count: players, setBy: "-e ROOMS, -e ROOM_SIZE" }, then: { errors: errorContract } });

export const handleSummary = makeHandleSummary("game-room", __ENV);
