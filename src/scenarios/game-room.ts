// Game rooms load test. ROOMS rooms of ROOM_SIZE players, every event named by the contract
// (src/contracts/game-room.ts; -e CONTRACT=<preset> or -e CONTRACT_FILE=x.json):
//   HTTP: login (connection.login), room creation (by each player, or by a host in setup() with
//   server-picked codes), room entry; each step refreshes the session cookie
//   join -> its confirmation to the room (join latency; the room fills, read by player count)
//   each turn: every player sends its choice with its send time; the broadcast fans out to the
//   room with the turn number and the all-submitted flag (fan-out latency, delivery ratio)
//   presence request -> answer (member count), ping -> pong, typing -> broadcast to the others
//   seat 0 drops after RECONNECT_AFTER_TURN and reconnects: a state sync for it (turn number,
//   who the turn waits for), disconnected / reconnected broadcasts for the others
// A step the contract lacks is not run and its thresholds are NOT JUDGED. A separate `errors`
// scenario checks the reference server's error codes (contract errorChecks).
import { check } from "k6";
import exec from "k6/execution";
import { Counter, Rate, Trend } from "../kit/metrics";
import presets from "../../thresholds/game-room.json";
import { readConnectionEnv, withAuth, withContract } from "../kit/connection-env";
import { EnvReader } from "../kit/env";
import { runIdFrom } from "../kit/run-id";
import { scenarioOptions, prepareRun } from "../kit/scenario-options";
import { makeHandleSummary } from "../kit/summary";
import { declareNotJudged } from "../kit/summary/not-judged";
import { buildThresholds } from "../kit/thresholds";
import { pause } from "../kit/flow";
import { boundedJson, type ConnectOptions, io, Redactor, type Socket } from "../socketio";
import { type GameRoomContract, type HttpStep, gameRoomFromJson, gameRoomPresets, read } from "../contracts/game-room";
import { fill } from "../contracts/pattern";
import { flatten } from "../contracts/json";
import { selectContract } from "../kit/contract-env";
import { Logins } from "../kit/login";
import { mainFlow } from "../kit/default-scenario";
import { PlayerDirectory } from "../kit/players";
import type { Player as Identity } from "../contracts/contract";
import { ContractMismatches } from "../kit/exchange";
import { failSetup } from "../kit/setup-failure";
import { judge, oneLine, runStep, type StepAnswer } from "../kit/http-step";

const env = new EnvReader(__ENV);
const connection = readConnectionEnv(env);
const contract: GameRoomContract = selectContract(env, "game-room", gameRoomPresets, gameRoomFromJson);
const ev = contract.events;
const config = {
  rooms: env.int("ROOMS", 10, 1, 10_000),
  roomSize: env.int("ROOM_SIZE", 4, 2, 64),
  turns: env.int("TURNS", 5, 1, 10_000),
  thinkMs: env.int("THINK_TIME_MS", 200, 0, 600_000),
  waitTimeoutMs: env.int("WAIT_TIMEOUT_MS", 10_000, 1, 600_000),
  reconnectAfterTurn: env.int("RECONNECT_AFTER_TURN", 2, 0, 10_000),
  gamesApiPath: env.string("GAMES_API_PATH", contract.rooms.create?.path ?? "/api/games"),
};
const create: (HttpStep & { by: "player" | "host"; code?: string }) | undefined = contract.rooms.create ? { ...contract.rooms.create, path: config.gamesApiPath } : undefined;
const players = config.rooms * config.roomSize;
const budgetMs = (config.turns + 4) * (config.waitTimeoutMs + config.thinkMs) + 10_000;
const budget = `${Math.ceil(budgetMs / 1000)}s`;
const errorChecks = contract.errorChecks && create?.by === "player";

export const options = scenarioOptions(
  {
    players: { executor: "per-vu-iterations", vus: players, iterations: 1, maxDuration: budget, exec: "player" },
    ...(errorChecks ? { errors: { executor: "per-vu-iterations", vus: 1, iterations: 1, maxDuration: budget, exec: "errorContract" } } : {}),
  },
  buildThresholds(presets, {}, env.json("THRESHOLDS")),
);

/** Seat 0 drops and reconnects once, after RECONNECT_AFTER_TURN, when that turn is not the last and the contract has a reconnect. */
const dropConfigured = ev.reconnect !== undefined && config.reconnectAfterTurn > 0 && config.reconnectAfterTurn < config.turns;

// Checks whose contract parts are absent, or switched off, are not judged (never "no data").
const off = (keys: string[], why: string) => declareNotJudged(keys, `${why} (contract "${contract.name}")`);
if (!ev.turn.sentAt) off(["game_room_fanout_duration"], "the turn broadcast carries no send time (events.turn.sentAt)");
if (!ev.presence) off(["game_room_presence_correct"], "no presence request (events.presence)");
if (!ev.reconnect) off(["game_room_reconnect_sync_duration"], "no reconnect with a state sync (events.reconnect)");
else if (!dropConfigured) off(["game_room_reconnect_sync_duration"], "no drop and reconnect in this run (RECONNECT_AFTER_TURN=0 or >= TURNS)");
if (!ev.typing && !(dropConfigured && (ev.disconnected || ev.reconnected))) off(["game_room_presence_delivery"], "no typing broadcast and no disconnected/reconnected broadcasts to check");
if (!ev.error) off(["game_room_server_errors"], "no error event (events.error)");
if (!errorChecks) off(["game_room_error_contract"], "the reference error codes are not checked: errorChecks off, or rooms not created by each player");
if (!contract.connection?.login && !connection.login) off(["game_room_login_failures"], "no login step (connection.login)");

const joinDuration = new Trend("game_room_join_duration", true);
const fanoutDuration = new Trend("game_room_fanout_duration", true);
const delivery = new Rate("game_room_delivery");
const presenceDelivery = new Rate("game_room_presence_delivery");
const presenceCorrect = new Rate("game_room_presence_correct");
const reconnectSync = new Trend("game_room_reconnect_sync_duration", true);
const presenceDuration = new Trend("game_room_presence_duration", true);
const pongDuration = new Trend("game_room_pong_duration", true);
const errorContractKept = new Rate("game_room_error_contract");
const timeouts = new Counter("game_room_timeouts");
const serverErrors = new Counter("game_room_server_errors");
const setupErrors = new Counter("game_room_setup_errors");
const mismatchCount = new Counter("game_room_contract_mismatches");
// Who the players are: our ids (<RUN_ID>-p<n>), or a users file's rows / minted JWTs (connection.players).
const directory = new PlayerDirectory(contract.connection?.players, env, `contract "${contract.name}"`);
const secrets = [...(connection.connectOptions.auth ? Object.values(connection.connectOptions.auth).map(String) : []), ...directory.secrets];
const mismatches = new ContractMismatches("game-room", contract.name, mismatchCount, secrets);

interface RunData {
  runId: string;
  /** The rooms' codes when the server picks them (created in setup()), by room index. */
  codes?: string[];
}

// A login refused as malformed (400/422, 404, "missing"/"required"/"invalid") is the contract's fault: a mismatch of step "login".
const logins = new Logins("game_room", connection.login ?? contract.connection?.login, `contract "${contract.name}"`, (refusal) => {
  if (judge(refusal.status, refusal.answer) !== "mismatch") return false;
  httpMismatch("login", { line: new Redactor(secrets).text(`${refusal.sent} answered ${refusal.status}: ${oneLine(refusal.answer)}`) }, "connection.login");
  return true;
});

/** An HTTP step refused in a way that says the request was malformed: counted and said once per step and VU. */
const httpMismatchSaid = new Set<string>();
function httpMismatch(step: string, answer: Pick<StepAnswer, "line">, field = `rooms.${step}`): void {
  mismatchCount.add(1, { event: step });
  if (httpMismatchSaid.has(step)) return;
  httpMismatchSaid.add(step);
  console.warn(
    `game-room: probable contract mismatch at HTTP step "${step}" of contract "${contract.name}": ${answer.line}; ` +
      `counted in game_room_contract_mismatches{event:${step}}, not as a server fault: fix ${field} in the contract (logged once per step and VU)`,
  );
}

/** An HTTP step the server failed (5xx, 401, 409, no answer): a server fault, counted in game_room_setup_errors. */
function httpFault(step: string, answer: StepAnswer): void {
  setupErrors.add(1, { status: String(answer.status) });
  console.warn(`game-room: contract "${contract.name}", HTTP step "${step}": ${answer.line}`);
}

export async function setup(): Promise<RunData> {
  prepareRun(timeouts, serverErrors, setupErrors, mismatchCount, logins.counter);
  console.log(`game-room: contract "${contract.name}" (${contract.describes})`);
  const runId = runIdFrom(env);
  const short = directory.shortage(players);
  if (short) console.warn(short);
  if (create?.by !== "host") return { runId };
  // The server picks the codes: one host creates every room, the players learn them from here.
  const hostId = `${runId}-host`;
  const base = withContract(connection.connectOptions, contract.connection, { id: hostId, index: -1 });
  const host = await logins.optionsFor({ headers: { ...(base.headers ?? {}) } }, connection.origin, { id: hostId }, connection.connectTimeoutMs);
  if (!host) failSetup("game-room", "host login", `contract "${contract.name}": the host ${hostId} could not log in (the reason is logged above), so no room can be created`);
  let headers = host.headers ?? {};
  const codes: string[] = [];
  for (let i = 0; i < config.rooms; i++) {
    const answer = await runStep(create, connection.origin, { room: { size: config.roomSize, index: i }, player: { id: hostId }, run: { id: runId } }, headers, secrets, connection.connectTimeoutMs);
    if (answer.verdict === "mismatch") {
      mismatchCount.add(1, { event: "create" });
      failSetup("game-room", "create", `probable contract mismatch (contract "${contract.name}", rooms.create): ${answer.line}`);
    }
    if (answer.verdict === "fault") failSetup("game-room", "create", `contract "${contract.name}": ${answer.line}`);
    const code = read(answer.json, create.code!);
    if (typeof code !== "string" && typeof code !== "number") {
      mismatchCount.add(1, { event: "create" });
      failSetup("game-room", "create", `probable contract mismatch (contract "${contract.name}"): no room code at "${create.code}" in the answer: ${answer.line}`);
    }
    headers = answer.headers;
    codes.push(String(code));
  }
  return { runId, codes };
}

/** Creates a room under our code (rooms.create.by "player"): the refreshed headers, or null when it failed (counted). */
async function createRoom(code: string, size: number, headers: Record<string, string>, playerId: string, runId: string): Promise<Record<string, string> | null> {
  if (create?.by !== "player") return headers; // setup() made it, or the server needs none
  const answer = await runStep(create, connection.origin, { room: { code, size }, player: { id: playerId }, run: { id: runId } }, headers, secrets, connection.connectTimeoutMs);
  check(answer, { "room created over HTTP": (a) => a.verdict === "ok" });
  if (answer.verdict === "ok") return answer.headers;
  if (answer.verdict === "mismatch") httpMismatch("create", answer);
  else httpFault("create", answer);
  return null;
}

/** A turn broadcast as the contract reads it, or undefined when a field is missing or of the wrong type. */
interface Chose {
  playerId: string;
  turn: number;
  all: boolean;
  sentAt: number | undefined;
}
const turnExpects = `${ev.turn.broadcast} with a string at "${ev.turn.playerId}", a number at "${ev.turn.turn}", a boolean at "${ev.turn.allSubmitted}"${ev.turn.sentAt ? `, a number at "${ev.turn.sentAt}"` : ""}`;
function readChose(data: unknown): Chose | undefined {
  const playerId = read(data, ev.turn.playerId);
  const turn = read(data, ev.turn.turn);
  const all = read(data, ev.turn.allSubmitted);
  const sentAt = ev.turn.sentAt ? read(data, ev.turn.sentAt) : undefined;
  if (typeof playerId !== "string" || typeof turn !== "number" || typeof all !== "boolean") return undefined;
  if (ev.turn.sentAt && typeof sentAt !== "number" && sentAt !== null) return undefined;
  return { playerId, turn, all, sentAt: typeof sentAt === "number" ? sentAt : undefined };
}

/** A string at `path` of a broadcast's first argument; a missing one is a mismatch (undefined). */
function idIn(event: string, path: string, args: unknown[]): string | undefined {
  const id = read(args[0], path);
  if (typeof id === "string") return id;
  mismatches.record(event, args, `${event} with the player id (a string) at "${path}"`);
  return undefined;
}

/** What one player knows across its sessions (seat 0 reconnects once). */
class Player {
  turn = 1;
  /** Members whose choice for `turn` arrived, or that the state sync reported as made. */
  readonly seen = new Set<string>();
  sawTyping = false;
  sawDisconnect = false;
  sawReconnect = false;
  /** The room token the entry answered with (rooms.enter.token), for ${room.token}. */
  token: string | undefined;
  private missSaid = false;

  readonly id: string;

  constructor(
    /** This player's identity: its id, and a users file's columns or its token when the contract has them. */
    readonly identity: Identity & Record<string, unknown>,
    readonly seat: number,
    readonly game: string,
    /** Every member's player id, by seat. */
    readonly members: string[],
  ) {
    this.id = identity.id;
  }

  /** The template variables of an event this player sends. */
  vars(turn?: { number: number; choice: string; sentAt: number }): Record<string, unknown> {
    return flatten({ room: { code: this.game, token: this.token ?? "", size: config.roomSize }, player: this.identity, ...(turn ? { turn } : {}), now: Date.now() });
  }

  /** Closes the current turn: each member's choice either arrived or counts as lost. `unfinished`: the turn never ended for this player. */
  closeTurn(unfinished = false): void {
    for (const member of this.members) {
      const got = this.seen.has(member);
      delivery.add(got);
      if (!got && !this.missSaid) {
        this.missSaid = true;
        const why = unfinished ? "the turn never ended for it (a wait ran out, see above)" : "the broadcast skipped a member";
        console.warn(`game-room: ${this.id} in room ${this.game} never received ${member}'s choice of turn ${this.turn} (${ev.turn.broadcast}): ${why} (said once per player)`);
      }
    }
    this.seen.clear();
    this.turn += 1;
  }
}

function send(socket: Socket, e: { send: string; args?: unknown[] }, vars: Record<string, unknown>): void {
  socket.emit(e.send, ...(fill(e.args ?? [], vars) as unknown[]));
}

export async function player(data: RunData): Promise<void> {
  const index = exec.scenario.iterationInTest;
  const room = Math.floor(index / config.roomSize);
  const game = data.codes?.[room] ?? `${data.runId}-g${room}`;
  const roster = Array.from({ length: config.roomSize }, (_, seat) => directory.player(room * config.roomSize + seat, `${data.runId}-p${room * config.roomSize + seat}`));
  const me = new Player(roster[index % config.roomSize]!, index % config.roomSize, game, roster.map((p) => p.id));
  const admitted = await admit(me, data.runId);
  if (!admitted) return;
  if ((await session(me, admitted, false)) === "dropped") await session(me, admitted, true);
  // Turns this player never finished (a wait ran out, the room never filled): every choice it
  // should have seen and did not is a lost delivery, so the ratio cannot pass without data.
  while (me.turn <= config.turns) me.closeTurn(true);
  if (me.seat !== 0) {
    if (ev.typing) presenceDelivery.add(me.sawTyping, { event: "typing" });
    if (dropConfigured && me.turn > config.reconnectAfterTurn) {
      if (ev.disconnected) presenceDelivery.add(me.sawDisconnect, { event: "disconnected" });
      if (ev.reconnected) presenceDelivery.add(me.sawReconnect, { event: "reconnected" });
    }
  }
}

/**
 * What lets `me` in, as the contract says: its login (the session cookie goes with every
 * handshake), the room's creation under our code, its HTTP entry into the room (the session
 * cookie refreshed from each answer), its CONNECT auth. Null when a step failed (counted).
 */
async function admit(me: Player, runId: string): Promise<ConnectOptions | null> {
  const base = withContract(connection.connectOptions, contract.connection, me.identity);
  const options = await logins.optionsFor(base, connection.origin, me.identity, connection.connectTimeoutMs);
  if (!options) return null;
  let headers = await createRoom(me.game, config.roomSize, options.headers ?? {}, me.id, runId);
  if (!headers) return null;
  const enter = contract.rooms.enter;
  if (!enter) return { ...options, headers };
  const answer = await runStep(enter, connection.origin, { room: { code: me.game, size: config.roomSize }, player: me.identity, run: { id: runId } }, headers, secrets, connection.connectTimeoutMs);
  if (answer.verdict === "mismatch") httpMismatch("enter", answer);
  if (answer.verdict === "fault") httpFault("enter", answer);
  if (answer.verdict !== "ok") return null;
  headers = answer.headers;
  if (enter.token) {
    const token = read(answer.json, enter.token);
    if (typeof token !== "string" && typeof token !== "number") {
      httpMismatch("enter", { ...answer, line: `${answer.line} (no token at "${enter.token}")` });
      return null;
    }
    me.token = String(token);
    // The token may be part of the CONNECT auth or headers too: the templates see it as ${player.token}.
    return { ...withContract(connection.connectOptions, contract.connection, { ...me.identity, token: me.token }), headers };
  }
  return { ...options, headers };
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

function listen(socket: Socket, me: Player): void {
  const error = ev.error;
  if (error) {
    socket.on(error.event, (...args: unknown[]) => {
      const code = read(args[0], error.code);
      if (typeof code !== "string" && typeof code !== "number") return mismatches.record(error.event, args, `${error.event} with its code at "${error.code}"`);
      serverErrors.add(1, { code: String(code) });
      console.warn(`game-room: ${me.id}: server error ${String(code)}: ${boundedJson(args[0], 200)}`);
    });
  }
  const watch = (e: { event?: string; broadcast?: string; playerId: string } | undefined, saw: () => void) => {
    const name = e?.event ?? e?.broadcast;
    if (!e || !name) return;
    socket.on(name, (...args: unknown[]) => {
      if (idIn(name, e.playerId, args) === me.members[0]) saw();
    });
  };
  watch(ev.typing, () => (me.sawTyping = true));
  watch(ev.disconnected, () => (me.sawDisconnect = true));
  watch(ev.reconnected, () => (me.sawReconnect = true));
  socket.on(ev.turn.broadcast, (...args: unknown[]) => {
    const c = readChose(args[0]);
    if (!c) return mismatches.record(ev.turn.broadcast, args, turnExpects);
    if (c.turn !== me.turn) return;
    if (c.playerId !== me.id && c.sentAt !== undefined) fanoutDuration.add(Date.now() - c.sentAt);
    me.seen.add(c.playerId);
  });
}

async function play(socket: Socket, me: Player, resume: boolean, startedAt: number): Promise<"done" | "dropped" | "failed"> {
  const timedOut = (wait: string, words = ""): "failed" => {
    timeouts.add(1, { wait });
    console.warn(`game-room: ${me.id} in ${me.game}: no ${wait} within ${config.waitTimeoutMs} ms${words}`);
    return "failed";
  };
  listen(socket, me);
  const reconnect = ev.reconnect;
  if (resume && reconnect) {
    const sync = socket.waitFor(reconnect.sync, { timeout: config.waitTimeoutMs });
    send(socket, reconnect, me.vars());
    const synced = await sync;
    if (!synced.ok) return synced.reason === "timeout" ? timedOut("reconnect sync", `: the server sent no ${reconnect.sync} after ${reconnect.send}, so a reconnecting player gets no state`) : "failed";
    const turn = read(synced.data, reconnect.turn);
    const waitingFor = read(synced.data, reconnect.waitingFor);
    if (typeof turn !== "number" || !Array.isArray(waitingFor)) {
      mismatches.record(reconnect.sync, synced.args, `${reconnect.sync} with a number at "${reconnect.turn}" and an array of player ids at "${reconnect.waitingFor}"`);
      return "failed";
    }
    reconnectSync.add(Date.now() - startedAt);
    // The sync reports the choices made while this player was away: they count as known.
    me.turn = turn;
    me.seen.clear();
    const waiting = new Set(waitingFor.map(String));
    for (const member of me.members) if (!waiting.has(member)) me.seen.add(member);
  } else {
    const join = ev.join;
    const byAck = join.confirm === "ack";
    const roomEvent = byAck ? join.broadcast! : join.confirm;
    const joinedAt = Date.now();
    const expects = (what: string) => `${what} with the player id (a string) at "${join.playerId}" and the player count (a number) at "${join.count}"`;
    const unreadable = (event: string, args: unknown[]) => mismatches.record(event, args, expects(byAck ? `the ${join.send} ack` : event));
    const isOwn = (args: unknown[]): boolean => {
      const id = read(args[0], join.playerId);
      if (typeof id !== "string" || typeof read(args[0], join.count) !== "number") unreadable(byAck ? join.send : roomEvent, args);
      return id === me.id;
    };
    const fills = (args: unknown[]): boolean => {
      const count = read(args[0], join.count);
      if (byAck && typeof count !== "number") mismatches.record(roomEvent, args, `${roomEvent} with the player count (a number) at "${join.count}"`);
      return typeof count === "number" && count >= config.roomSize;
    };
    const waitFull = () => socket.waitFor(roomEvent, { timeout: config.waitTimeoutMs, filter: (...args: unknown[]) => fills(args) });
    let full: Promise<{ ok: boolean; reason?: string }>;
    if (byAck) {
      // The ack confirms the join. The broadcast that fills the room may come before or after
      // the ack (the server interleaves joins), so every broadcast is watched from the start.
      let seenFull = false;
      socket.on(roomEvent, (...args: unknown[]) => {
        if (!seenFull && fills(args)) seenFull = true;
      });
      const o = await socket.timeout(config.waitTimeoutMs).request(join.send, ...(fill(join.args ?? [], me.vars()) as unknown[]));
      if (o.ok && isOwn(o.args)) joinDuration.add(o.elapsedMs);
      else if (!o.ok && o.reason === "timeout") timedOut(`${join.send} ack`);
      full = seenFull || (o.ok && fills(o.args)) ? Promise.resolve({ ok: true }) : waitFull();
    } else {
      full = waitFull();
      const own = socket.waitFor(roomEvent, { timeout: config.waitTimeoutMs, filter: (...args: unknown[]) => isOwn(args) });
      send(socket, join, me.vars());
      const j = await own;
      if (j.ok) joinDuration.add(Date.now() - joinedAt);
      else if (j.reason === "timeout") timedOut(`own ${roomEvent}`);
    }
    const filled = await full;
    if (!filled.ok) return filled.reason === "timeout" ? timedOut("a full room") : "failed";
    void probes(socket, me, timedOut);
  }

  while (me.turn <= config.turns) {
    if (me.seat === 0 && dropConfigured && !resume && me.turn === config.reconnectAfterTurn + 1) return "dropped";
    const end = socket.waitFor(ev.turn.broadcast, {
      timeout: config.waitTimeoutMs,
      filter: (...args: unknown[]) => {
        const c = readChose(args[0]);
        return c !== undefined && c.turn === me.turn && c.all;
      },
    });
    await pause(1 + Math.floor(Math.random() * config.thinkMs));
    send(socket, ev.turn, me.vars({ number: me.turn, choice: `c${me.turn}`, sentAt: Date.now() }));
    const ended = await end;
    if (!ended.ok) return ended.reason === "timeout" ? timedOut(`all submitted for turn ${me.turn}`) : "failed";
    me.closeTurn();
  }
  return "done";
}

/** Presence, ping and typing, answered beside the turns. */
async function probes(socket: Socket, me: Player, timedOut: (wait: string) => void): Promise<void> {
  const presence = ev.presence;
  const ping = ev.ping;
  const p = presence ? socket.waitFor(presence.answer, { timeout: config.waitTimeoutMs }) : undefined;
  if (presence) send(socket, presence, me.vars());
  const q = ping ? socket.waitFor(ping.answer, { timeout: config.waitTimeoutMs }) : undefined;
  if (ping) send(socket, ping, me.vars());
  if (me.seat === 0 && ev.typing) send(socket, ev.typing, me.vars());
  if (presence && p) {
    const got = await p;
    if (got.ok) {
      presenceDuration.add(got.elapsedMs);
      const count = read(got.data, presence.count);
      if (typeof count !== "number") mismatches.record(presence.answer, got.args, `${presence.answer} with the member count (a number) at "${presence.count}"`);
      else {
        presenceCorrect.add(count === config.roomSize);
        if (count !== config.roomSize) console.warn(`game-room: ${me.id} in ${me.game}: ${presence.answer} counts ${count} members at "${presence.count}", the room has ${config.roomSize}: stale presence`);
      }
    } else if (got.reason === "timeout") timedOut(presence.answer);
  }
  if (ping && q) {
    const got = await q;
    if (got.ok) pongDuration.add(got.elapsedMs);
    else if (got.reason === "timeout") timedOut(ping.answer);
  }
}

/** Sends one request that must be refused and checks the error code it gets back. */
async function expectError(label: string, auth: Record<string, unknown> | null, sendIt: (socket: Socket) => void, code: string): Promise<void> {
  let got = "no error event";
  const error = ev.error!;
  const socket = await io(connection.targetUrl, auth ? withAuth(connection.connectOptions, auth) : connection.connectOptions);
  if (socket.connected) {
    const e = socket.waitFor(error.event, { timeout: config.waitTimeoutMs });
    sendIt(socket);
    const r = await e;
    if (r.ok) got = String(read(r.data, error.code));
    socket.disconnect();
  } else got = `no connection (${socket.connectError?.reason})`;
  const ok = check(got, { [`${label} is refused with ${code}`]: (g) => g === code });
  errorContractKept.add(ok, { code });
  if (!ok) console.warn(`game-room: ${label}: expected error ${code}, got ${got}`);
}

/** The reference server's error codes (contract errorChecks): its auth carries the player id. */
export async function errorContract(data: RunData): Promise<void> {
  if (!errorChecks || !ev.error) return;
  const open = `${data.runId}-open`;
  const full = `${data.runId}-full`;
  const headers = connection.connectOptions.headers ?? {};
  if (!(await createRoom(open, config.roomSize, headers, "checker", data.runId)) || !(await createRoom(full, 1, headers, "checker", data.runId))) {
    errorContractKept.add(false);
    return;
  }
  const vars = (code: string, id: string) => flatten({ room: { code, token: "", size: 1 }, player: { id }, turn: { number: 1, choice: "x", sentAt: Date.now() }, now: Date.now() });
  await expectError("a game event without player_id", null, (s) => send(s, ev.join, vars(open, "")), "AUTH_REQUIRED");
  const who = { player_id: `${data.runId}-checker`, player_name: "checker" };
  await expectError("joining an unknown game", who, (s) => send(s, ev.join, vars(`${data.runId}-nowhere`, who.player_id)), "INVALID_GAME");
  await expectError("a choice in a game not joined", who, (s) => send(s, ev.turn, vars(open, who.player_id)), "NOT_IN_GAME");
  // The first player takes the only seat (membership outlives the connection), the second is refused.
  const first = await io(connection.targetUrl, withAuth(connection.connectOptions, { player_id: `${data.runId}-first` }));
  if (first.connected) {
    const seated = first.waitFor(ev.join.confirm, { timeout: config.waitTimeoutMs });
    send(first, ev.join, vars(full, `${data.runId}-first`));
    await seated;
    first.disconnect();
  }
  await expectError("joining a full game", { player_id: `${data.runId}-second` }, (s) => send(s, ev.join, vars(full, `${data.runId}-second`)), "GAME_FULL");
}

// `k6 run --vus 41 --duration 1m dist/game-room.js`: one player per iteration, then the error checks (docs/k6-versions.md).
export default mainFlow(player, { plays: "players", seats: { count: players, setBy: "-e ROOMS, -e ROOM_SIZE" }, then: { errors: errorContract }, graceMs: budgetMs });

export const handleSummary = makeHandleSummary("game-room", __ENV, {
  game_room_error_contract: "the server did not answer the reference's invalid requests with the documented error codes",
  game_room_server_errors: "the server sent its error event to players during the game (tag code)",
  game_room_delivery: `members missed choices of their room: a turn's broadcast (${ev.turn.broadcast}) skipped a member, or a turn never ended for them (a wait ran out); the warnings name who missed whose choice, and why`,
  game_room_presence_correct: `the presence answer (${ev.presence?.answer ?? "none"}) counted the room's members wrong: stale presence; the warnings give the count and the room size`,
  game_room_reconnect_sync_duration: `reconnecting players got no state sync (${ev.reconnect?.sync ?? "none"}) after ${ev.reconnect?.send ?? "reconnecting"}, or got it late`,
  game_room_presence_delivery: "typing, disconnected or reconnected broadcasts did not reach the other members",
  game_room_timeouts: "waits ran out (tag wait names which: a full room, a turn's all-submitted broadcast, the reconnect sync, presence, pong); the warnings say who waited for what",
  game_room_contract_mismatches: `the server does not speak as contract "${contract.name}" (${contract.describes}) says: a step or event it could not read (tag event); a mismatch, not a server fault: see the logged request or payload and fix the contract (-e CONTRACT / CONTRACT_FILE)`,
  game_room_setup_errors: "the server refused or failed an HTTP step (room creation or entry) for a reason other than a malformed request; the warnings give the request and the answer",
});
