// Risk checks for a game engine (seed 003's five risk areas), fitted by a contract
// (-e CONTRACT=reference, or -e CONTRACT_FILE=my-engine.json: src/contracts/risks.ts). One VU per
// table holds RACERS players and an intruder, all in one game:
//   race            each round the players act at once on one item; with an exclusive act at most
//                   one may be accepted (risks_race_exactly_one); with a version in the state, the
//                   version must advance by every accepted act (risks_lost_updates)
//   authz           a player that never joined the game prepares and acts there: refused
//   recovery        a player drops its transport, reconnects and asks for the state: it gets it
//   stale members   a player leaves (or drops): the state's member list no longer names it, and
//                   the room's state broadcasts no longer reach it (risks_ghost_deliveries)
//   cleanup         after the run, the contract's HTTP stats are back at their starting figures
// Besides the tables: a connect without the contract's credentials must be refused, a player that
// vanishes (no close, no pongs) must be announced to its room, and two sessions of one user are
// reported. A check whose contract parts are absent is listed as not judged.
import { check, sleep } from "k6";
import exec from "k6/execution";
import { Counter, Rate, Trend } from "../kit/metrics";
import presets from "../../thresholds/risks.json";
import type { Player } from "../contracts/contract";
import { at, type RiskClass, type RiskCtx, type RisksContract, readMembers, readVersion, risksFromJson, risksPresets, view } from "../contracts/risks";
import { readConnectionEnv, withContract } from "../kit/connection-env";
import { selectContract } from "../kit/contract-env";
import { EnvReader } from "../kit/env";
import { awaitRecognised, ContractMismatches, exchange, type ExchangeResult } from "../kit/exchange";
import { pause, reconnected } from "../kit/flow";
import { Logins } from "../kit/login";
import { PlayerDirectory } from "../kit/players";
import { runIdFrom } from "../kit/run-id";
import { prepareRun, scenarioOptions } from "../kit/scenario-options";
import { makeHandleSummary } from "../kit/summary";
import { declareNotJudged } from "../kit/summary/not-judged";
import { buildThresholds } from "../kit/thresholds";
import { guardCounts } from "../kit/data-guard";
import { mainFlow } from "../kit/default-scenario";
import { boundedJson, io, type ConnectOptions, type Socket } from "../socketio";
import { readStats, type Stats } from "./risks-stats";

const env = new EnvReader(__ENV);
const connection = readConnectionEnv(env);
const contract: RisksContract = selectContract(env, "risks", risksPresets, risksFromJson);
const config = {
  tables: env.int("TABLES", 5, 1, 10_000),
  racers: env.int("RACERS", 2, 2, 50),
  rounds: env.int("ROUNDS", 20, 1, 100_000),
  zombies: env.int("ZOMBIES", 2, 0, 1_000),
  waitMs: env.int("WAIT_TIMEOUT_MS", 5_000, 1, 600_000),
  settleMs: env.int("SETTLE_MS", 300, 1, 60_000),
  cleanupWaitMs: env.int("CLEANUP_WAIT_MS", 5_000, 0, 600_000),
  zombieBoundMs: env.int("ZOMBIE_BOUND_MS", 120_000, 1_000, 3_600_000),
};
const { join, prepare, act, state, broadcasts, leave, stats } = contract;
const credentials = Boolean(contract.connection?.auth || contract.connection?.players?.jwt || contract.connection?.cookies || contract.connection?.headers || connection.connectOptions.auth);

/** Which checks this contract lets the run judge: the missing part, said in the summary. */
const missing = {
  race: !act ? "the contract has no act" : !act.exclusive ? "the contract's act is not exclusive" : undefined,
  lost: !act ? "the contract has no act" : !state?.version ? "the contract's state has no version" : undefined,
  authz: !join ? "the contract has no join (no game to be outside of)" : !act && !prepare ? "the contract has no act or prepare" : undefined,
  recovery: !state ? "the contract has no state request" : undefined,
  stale: !join ? "the contract has no join" : !state?.members ? "the contract's state has no member list" : undefined,
  ghost: !join || !leave || !broadcasts?.state || !act ? "the contract needs join, leave, act and broadcasts.state for it" : undefined,
  cleanup: !stats ? "the contract has no stats probe" : undefined,
  unauthenticated: !credentials ? "the contract sends no credentials" : undefined,
  zombie: config.zombies === 0 ? "the zombie check is off (-e ZOMBIES=0)" : !join || !broadcasts?.left ? "the contract needs join and broadcasts.left for it" : undefined,
};
const judgedBy: Record<keyof typeof missing, string[]> = {
  race: ["risks_race_exactly_one"],
  lost: ["risks_lost_updates"],
  authz: ["risks_authz_enforced"],
  recovery: ["risks_recovered"],
  stale: ["risks_stale_members"],
  ghost: ["risks_ghost_deliveries"],
  cleanup: ["risks_cleanup"],
  unauthenticated: ["risks_unauthenticated_refused"],
  zombie: ["risks_zombie_announced"],
};
for (const [k, why] of Object.entries(missing)) if (why) declareNotJudged(judgedBy[k as keyof typeof missing], why);

// A finding counted only when its check judged a table: "0 lost updates" without a judged table is no data.
guardCounts("risks_lost_updates", "risks_stale_members", "risks_ghost_deliveries");

const perRound = config.settleMs + 2 * config.waitMs;
const budgetMs = config.rounds * perRound + 12 * config.waitMs + 6 * config.settleMs + config.zombieBoundMs + 10_000;
const budget = `${Math.ceil(budgetMs / 1000)}s`;
const one = (fn: string, vus = 1) => ({ executor: "per-vu-iterations", vus, iterations: 1, maxDuration: budget, exec: fn });
/** Players per table: the racers and the intruder; zombie pairs and the duplicate user come after every table. */
const seatsPerTable = config.racers + 1;

export const options = scenarioOptions(
  {
    tables: one("table", config.tables),
    ...(missing.unauthenticated ? {} : { unauthenticated: one("unauthenticated") }),
    ...(missing.zombie ? {} : { zombie: one("zombie", config.zombies) }),
    duplicate: one("duplicate"),
  },
  buildThresholds(presets, {}, env.json("THRESHOLDS")),
);

const raceExactlyOne = new Rate("risks_race_exactly_one");
const actsAccepted = new Counter("risks_acts_accepted");
const lostUpdates = new Counter("risks_lost_updates");
const authzEnforced = new Rate("risks_authz_enforced");
const recovered = new Rate("risks_recovered");
const staleMembers = new Counter("risks_stale_members");
const ghostDeliveries = new Counter("risks_ghost_deliveries");
const cleanup = new Rate("risks_cleanup");
const unauthenticatedRefused = new Rate("risks_unauthenticated_refused");
const zombieAnnounced = new Rate("risks_zombie_announced");
const zombieDeparture = new Trend("risks_zombie_departure", true);
const duplicateSessions = new Counter("risks_duplicate_sessions");
const timeouts = new Counter("risks_timeouts");
const mismatchCount = new Counter("risks_contract_mismatches");
const logins = new Logins("risks", connection.login ?? contract.connection?.login, `contract "${contract.name}"`);
const directory = new PlayerDirectory(contract.connection?.players, env, `contract "${contract.name}"`);
const mismatches = new ContractMismatches("risks", contract.name, mismatchCount, [
  ...(connection.connectOptions.auth ? Object.values(connection.connectOptions.auth).map(String) : []),
  ...directory.secrets,
]);

interface RunData {
  runId: string;
  /** The stats probe's figures before any load, when the contract has one and it answered. */
  baseline?: Stats;
}

export function setup(): RunData {
  prepareRun(actsAccepted, duplicateSessions, timeouts, mismatchCount, logins.counter);
  const players = config.tables * seatsPerTable + 2 * config.zombies + 1;
  const short = directory.shortage(players);
  if (short) console.warn(short);
  const judged = Object.entries(missing).filter(([, why]) => !why).map(([k]) => k);
  console.log(`risks: contract "${contract.name}" (${contract.describes}); ${config.tables} tables of ${config.racers} players, ${config.rounds} rounds; checks: ${judged.join(", ")}`);
  const data: RunData = { runId: runIdFrom(env) };
  if (stats) {
    const baseline = readStats(stats, connection.origin, config.waitMs);
    if (baseline.ok) data.baseline = baseline.figures;
    else mismatches.record("stats", baseline.answer, baseline.expects);
  }
  return data;
}

/** Every bounded wait that ran out: counted by what was awaited, said once per kind and VU. */
const saidTimeout = new Set<string>();
function timedOut(what: string, where: string): void {
  timeouts.add(1, { wait: what });
  if (saidTimeout.has(what)) return;
  saidTimeout.add(what);
  console.warn(`risks: ${where}: no ${what} within ${config.waitMs} ms (counted in risks_timeouts; said once per VU)`);
}

interface Seat {
  player: Player;
  socket: Socket;
}

async function connect(player: Player, extra: Partial<ConnectOptions> = {}): Promise<Socket | null> {
  const opts = await logins.optionsFor({ ...withContract(connection.connectOptions, contract.connection, player), ...extra }, connection.origin, player, connection.connectTimeoutMs);
  if (!opts) return null; // the login failed: counted in risks_login_failures
  const socket = await io(connection.targetUrl, opts);
  return socket.connected ? socket : (socket.disconnect(), null);
}

/** The library's reconnect delay for the player that drops in the recovery check. */
const reconnectDelayMs = 200;

const ctxOf = (player: Player, game: string, n = 0, token?: unknown): RiskCtx => ({ player, game, round: token === undefined ? { n } : { n, token } });
const payload = (r: { reply: { event: string | undefined; data: unknown } }) => `${r.reply.event ?? "ack"} ${boundedJson(r.reply.data, 200)}`;

/** Joins `seat` to the game; false (said once) when the join was not accepted. */
async function joinGame(seat: Seat, game: string, where: string): Promise<boolean> {
  if (!join) return true;
  const r = await exchange(seat.socket, join, ctxOf(seat.player, game), config.waitMs, mismatches);
  if (r.kind === "class" && r.cls === "accepted") return true;
  if (r.kind === "timeout") timedOut(`${join.event} reply`, where);
  else if (r.kind === "class") console.warn(`risks: ${where}: player ${seat.player.id} could not join: ${join.event} was ${r.cls}: ${payload(r)}`);
  return false;
}

type StateRead = { ok: true; version?: number; members?: string[] } | { ok: false; why: string; mismatch: boolean };

/** Asks for the game's state as `seat` and reads its version and member list as the contract says. */
async function readState(seat: Seat, game: string, where: string): Promise<StateRead> {
  const request = state!.request;
  const r = await exchange(seat.socket, request, ctxOf(seat.player, game), config.waitMs, mismatches);
  if (r.kind === "mismatch") return { ok: false, why: `its ${request.event} reply fits no class of the contract`, mismatch: true };
  if (r.kind !== "class") {
    if (r.kind === "timeout") timedOut(`${request.event} reply`, where);
    return { ok: false, why: `${request.event} got no reply (${r.kind})`, mismatch: false };
  }
  if (r.cls !== "accepted") return { ok: false, why: `${request.event} was ${r.cls}: ${payload(r)}`, mismatch: false };
  const v = view(r.reply.event, r.reply.args);
  const version = readVersion(v, state!);
  const members = readMembers(v, state!);
  const unread = [state!.version && version === undefined ? `a version number at ${state!.version}` : "", state!.members && members === undefined ? `a member list at ${state!.members}` : ""].filter(Boolean);
  if (unread.length > 0) {
    mismatches.record(request.event, r.reply.args, `an accepted reply with ${unread.join(" and ")}`);
    return { ok: false, why: `its ${request.event} reply does not hold ${unread.join(" and ")}`, mismatch: true };
  }
  return { ok: true, ...(version !== undefined ? { version } : {}), ...(members ? { members } : {}) };
}

/** Runs the contract's prepare step as `seat`: the accepted item to act on (its token), or null. */
async function prepared(seat: Seat, game: string, n: number, where: string): Promise<{ token?: unknown } | null> {
  if (!prepare) return {};
  const r = await exchange(seat.socket, prepare.exchange, ctxOf(seat.player, game, n), config.waitMs, mismatches);
  if (r.kind === "timeout") timedOut(`${prepare.exchange.event} reply`, where);
  if (r.kind !== "class" || r.cls !== "accepted") {
    if (r.kind === "class") console.warn(`risks: ${where}: ${prepare.exchange.event} was ${r.cls}: ${payload(r)}`);
    return null;
  }
  if (!prepare.token) return {};
  const token = at(view(r.reply.event, r.reply.args), prepare.token);
  if (token === undefined) {
    mismatches.record(prepare.exchange.event, r.reply.args, `an accepted reply with the item to act on at ${prepare.token}`);
    return null;
  }
  return { token };
}

const isAccepted = (r: ExchangeResult<RiskClass>) => r.kind === "class" && r.cls === "accepted";

/** The race rounds: every racer acts at once; returns the acts accepted, or null when a round could not run. */
async function race(seats: Seat[], game: string, where: string): Promise<number | null> {
  let accepted = 0;
  let said = false;
  for (let n = 1; n <= config.rounds; n++) {
    const item = await prepared(seats[0]!, game, n, where);
    if (!item) return null;
    const results = await Promise.all(seats.map((s) => exchange(s.socket, act!, ctxOf(s.player, game, n, item.token), config.waitMs, mismatches)));
    const got = results.filter(isAccepted).length;
    for (const r of results) if (r.kind === "timeout") timedOut(`${act!.event} reply`, where);
    accepted += got;
    actsAccepted.add(got);
    // Judged only when every act was answered and classified: a timeout or mismatch says nothing of the race.
    if (act!.exclusive && results.every((r) => r.kind === "class") && got > 0) {
      const ok = check(got, { "of simultaneous exclusive acts at most one is accepted": (g) => g === 1 });
      raceExactlyOne.add(ok);
      if (!ok && !said) {
        said = true;
        console.warn(`risks: ${where}: round ${n}: ${got} of ${seats.length} simultaneous ${act!.event} were accepted for one ${prepare ? prepare.exchange.event : "item"}; at most one may be (more rounds in risks_race_exactly_one)`);
      }
    } else if (got === 0 && results.every((r) => r.kind === "class") && !said) {
      said = true;
      console.warn(`risks: ${where}: round ${n}: none of ${seats.length} simultaneous ${act!.event} was accepted (first: ${payload(results[0] as { reply: { event: string | undefined; data: unknown } })}); the round is not judged`);
    }
  }
  return accepted;
}

/** An intruder (never joined) prepares and acts in the game: each must be refused. */
async function authz(intruder: Seat, racer: Seat, game: string, where: string): Promise<void> {
  const judge = (action: string, r: ExchangeResult<RiskClass>) => {
    if (r.kind === "timeout") return timedOut(`${action} reply`, where);
    if (r.kind !== "class") return;
    const ok = r.cls !== "accepted";
    authzEnforced.add(ok, { action });
    if (!ok) console.warn(`risks: ${where}: player ${intruder.player.id}, which never joined game ${game}, had ${action} accepted there: ${payload(r)}`);
  };
  if (prepare) {
    judge(prepare.exchange.event, await exchange(intruder.socket, prepare.exchange, ctxOf(intruder.player, game, config.rounds + 1), config.waitMs, mismatches));
    // What an accepted intruder's step broadcast must reach the players before they prepare anew.
    await pause(config.settleMs);
  }
  if (!act) return;
  // A fresh item from a player of the game, so a refusal can only be the intruder's.
  const item = await prepared(racer, game, config.rounds + 2, where);
  if (item) judge(act.event, await exchange(intruder.socket, act, ctxOf(intruder.player, game, config.rounds + 2, item.token), config.waitMs, mismatches));
}

/** `seat` drops its transport, the library reconnects it, it asks for the state (then rejoins). */
async function recovery(seat: Seat, game: string, before: number | undefined, where: string): Promise<void> {
  const outageMs = 4 * reconnectDelayMs + connection.connectTimeoutMs;
  const back = reconnected(seat.socket, outageMs);
  seat.socket.drop();
  if (!(await back)) {
    recovered.add(false);
    console.warn(`risks: ${where}: player ${seat.player.id} dropped its transport and could not reconnect within ${outageMs} ms`);
    return;
  }
  const s = await readState(seat, game, where);
  if (!s.ok && s.mismatch) return; // counted as a mismatch, not judged
  const stale = s.ok && before !== undefined && s.version !== undefined && s.version < before;
  recovered.add(s.ok && !stale);
  if (!s.ok) console.warn(`risks: ${where}: player ${seat.player.id} dropped its transport, reconnected and asked for the game's state: ${s.why}`);
  else if (stale) console.warn(`risks: ${where}: player ${seat.player.id} reconnected and got the game's state at version ${s.version}, older than ${before} before it dropped`);
  await joinGame(seat, game, where);
}

/** `leaver` leaves (or drops), then must be neither in the member list nor reached by state broadcasts. */
async function staleMembership(leaver: Seat, reader: Seat, game: string, where: string): Promise<void> {
  if (missing.stale && missing.ghost) return;
  const id = leaver.player.id;
  let listed = !missing.stale;
  if (!missing.stale) {
    const s = await readState(reader, game, where);
    if (!s.ok || !s.members) listed = false;
    else if (!s.members.includes(id)) {
      listed = false;
      mismatches.record(state!.request.event, s.members, `a member list at ${state!.members} naming each joined player by its id (${id}), e.g. with "memberId"`);
    }
  }
  let ghosts = 0;
  const bs = broadcasts?.state;
  const onState = (...args: unknown[]) => {
    if (bs?.game && String(at(view(bs.event, args), bs.game)) !== game) return;
    ghosts++;
  };
  const how = leave ? `left game ${game} (${leave.event})` : `disconnected from game ${game}`;
  if (leave) {
    const args = leave.args(ctxOf(leaver.player, game));
    if (leave.reply === "ack") {
      const r = await leaver.socket.timeout(config.waitMs).request(leave.event, ...args);
      if (!r.ok && r.reason === "timeout") timedOut(`${leave.event} ack`, where);
    } else leaver.socket.emit(leave.event, ...args);
    await pause(config.settleMs);
    if (!missing.ghost && bs) {
      leaver.socket.on(bs.event, onState);
      // A mutation by a player still in the game: its state broadcast must not reach the leaver.
      const item = await prepared(reader, game, config.rounds + 3, where);
      const r = item ? await exchange(reader.socket, act!, ctxOf(reader.player, game, config.rounds + 3, item.token), config.waitMs, mismatches) : undefined;
      await pause(config.settleMs);
      leaver.socket.off(bs.event, onState);
      if (r && isAccepted(r)) {
        ghostDeliveries.add(ghosts);
        if (ghosts > 0) console.warn(`risks: ${where}: player ${id} ${how} and still received ${ghosts} ${bs.event} broadcast${ghosts === 1 ? "" : "s"} for it`);
      }
    }
  }
  leaver.socket.disconnect();
  await pause(config.settleMs);
  if (!listed) return;
  const after = await readState(reader, game, where);
  if (!after.ok || !after.members) return;
  const stale = after.members.includes(id);
  staleMembers.add(stale ? 1 : 0);
  if (stale) console.warn(`risks: ${where}: player ${id} ${how} and disconnected, but ${config.settleMs} ms later the game's state still lists it among its ${after.members.length} members`);
}


export async function table(data: RunData): Promise<void> {
  const t = exec.scenario.iterationInTest;
  const game = `${data.runId}-g${t}`;
  const where = `table ${t} (game ${game})`;
  const first = t * seatsPerTable;
  const players = Array.from({ length: seatsPerTable }, (_, i) => directory.player(first + i, `${data.runId}-t${t}-${i === config.racers ? "x" : `p${i}`}`));
  const last = config.racers - 1;
  const reconnect = { reconnect: { attempts: 5, delayMs: reconnectDelayMs, maxDelayMs: reconnectDelayMs * 4, jitter: 0.2 } };
  const sockets = await Promise.all(players.map((p, i) => connect(p, i === last && !missing.recovery ? reconnect : {})));
  const seats: Seat[] = sockets.flatMap((socket, i) => (socket ? [{ socket, player: players[i]! }] : []));
  const close = () => seats.forEach((s) => s.socket.disconnect());
  if (seats.length < sockets.length) {
    console.warn(`risks: ${where}: ${sockets.length - seats.length} of ${sockets.length} players could not connect (socketio_connect_errors says why); the table plays no check`);
    return close();
  }
  const racers = seats.slice(0, config.racers);
  const intruder = seats[config.racers]!;
  for (const s of racers) if (!(await joinGame(s, game, where))) return close();

  let v0: StateRead | undefined;
  if (state) v0 = await readState(racers[0]!, game, where);
  if (act) {
    const accepted = await race(racers, game, where);
    await pause(config.settleMs);
    const v1 = state ? await readState(racers[0]!, game, where) : undefined;
    if (!missing.lost && accepted !== null && v0?.ok && v1?.ok && v0.version !== undefined && v1.version !== undefined) {
      const advanced = v1.version - v0.version;
      const lost = Math.max(0, accepted - advanced);
      lostUpdates.add(lost);
      if (lost > 0) console.warn(`risks: ${where}: ${accepted} accepted ${act.event}, version advanced by ${advanced}: ${lost} lost update${lost === 1 ? "" : "s"}`);
      else if (advanced > accepted) console.log(`risks: ${where}: version advanced by ${advanced} for ${accepted} accepted ${act.event} (the server also counts other steps)`);
    }
  }
  const versionNow = state ? await readState(racers[0]!, game, where) : undefined;
  if (!missing.authz) await authz(intruder, racers[0]!, game, where);
  if (!missing.recovery) await recovery(racers[last]!, game, versionNow?.ok ? versionNow.version : undefined, where);
  await staleMembership(racers[last]!, racers[0]!, game, where);
  close();
  await Promise.all(seats.map((s) => s.socket.closed));
}

export async function unauthenticated(): Promise<void> {
  // The contract's path and namespace, none of its credentials (nor -e AUTH_TOKEN's).
  const { auth: _auth, headers: _headers, ...bare } = connection.connectOptions;
  const opts = withContract(bare, { ...(contract.connection?.path ? { path: contract.connection.path } : {}), ...(contract.connection?.namespace ? { namespace: contract.connection.namespace } : {}) }, { id: "anonymous" });
  const socket = await io(connection.targetUrl, { ...opts, sessionTimeout: config.waitMs, expectRefusal: true });
  const refused = !socket.connected && socket.connectError?.reason === "connect_error";
  unauthenticatedRefused.add(check(socket, { "connect without credentials gets CONNECT_ERROR": () => refused }));
  if (socket.connected) {
    console.warn(`risks: a connection without the contract's credentials was accepted`);
    socket.disconnect();
  } else if (refused) console.log("risks: a connect without credentials was refused, as it must be (the connect_error logged for it is this check's)");
}

export async function zombie(data: RunData): Promise<void> {
  const k = exec.scenario.iterationInTest;
  const game = `${data.runId}-z${k}`;
  const first = config.tables * seatsPerTable + 2 * k;
  const watcherPlayer = directory.player(first, `${data.runId}-z${k}-watcher`);
  const zombiePlayer = directory.player(first + 1, `${data.runId}-z${k}-zombie`);
  const where = `zombie pair ${k} (game ${game})`;
  const [watcher, ghost] = await Promise.all([connect(watcherPlayer), connect(zombiePlayer, { sessionTimeout: config.zombieBoundMs })]);
  if (!watcher || !ghost) {
    watcher?.disconnect();
    ghost?.disconnect();
    return;
  }
  const joined = (await joinGame({ socket: watcher, player: watcherPlayer }, game, where)) && (await joinGame({ socket: ghost, player: zombiePlayer }, game, where));
  if (!joined) {
    watcher.disconnect();
    ghost.disconnect();
    return;
  }
  const left = broadcasts!.left!;
  const hs = watcher.handshake!;
  // The server needs pingInterval + pingTimeout to notice, plus one ping interval of phase.
  const limit = hs.pingInterval + hs.pingTimeout + hs.pingInterval + 1_000;
  ghost.vanish(Math.min(config.zombieBoundMs, limit + 5_000));
  const vanishedAt = Date.now();
  const gone = await awaitRecognised(watcher, left.event, limit, (args) => {
    const user = at(view(left.event, args), left.user);
    return user === undefined ? undefined : String(user) === zombiePlayer.id;
  }, `${left.event} with the departed user's id at ${left.user}`, mismatches);
  if (gone.outcome.ok) zombieDeparture.add(Date.now() - vanishedAt);
  if (gone.outcome.ok || !gone.unrecognised) {
    zombieAnnounced.add(gone.outcome.ok);
    if (!gone.outcome.ok) console.warn(`risks: ${where}: player ${zombiePlayer.id} vanished (no close, no pongs) and no ${left.event} named it within ${limit} ms (pingInterval ${hs.pingInterval} + pingTimeout ${hs.pingTimeout} + one interval + 1 s)`);
  }
  watcher.disconnect();
  await Promise.all([watcher.closed, ghost.closed]);
}

export async function duplicate(data: RunData): Promise<void> {
  const player = directory.player(config.tables * seatsPerTable + 2 * config.zombies, `${data.runId}-dup`);
  const game = `${data.runId}-dup`;
  const outcomes: string[] = [];
  const sessions: Socket[] = [];
  for (const which of ["first", "second"]) {
    const socket = await connect(player);
    if (!socket) {
      outcomes.push(`the ${which} session was refused`);
      continue;
    }
    let endedBy: string | undefined;
    socket.on("disconnect", (reason: string) => {
      endedBy = reason;
    });
    sessions.push(socket);
    await joinGame({ socket, player }, game, "duplicate sessions");
    await pause(500);
    outcomes.push(`the ${which} session was ${endedBy === undefined ? "kept" : `ended by the server (${endedBy})`}`);
    if (which === "second" && sessions[0] && !sessions[0].connected) outcomes[0] = "the first session was ended by the server when the second connected";
  }
  for (const s of sessions) s.disconnect();
  await Promise.all(sessions.map((s) => s.closed));
  const kinds = outcomes.map((o) => (o.includes("refused") ? "refused" : o.includes("ended") ? "ended" : "kept"));
  kinds.forEach((outcome, i) => duplicateSessions.add(1, { session: i === 0 ? "first" : "second", outcome }));
  const said = kinds.every((k) => k === "kept") ? "both sessions were kept (the server lets one user hold two at once)" : outcomes.join("; ");
  console.log(`risks: duplicate sessions of one user (reported, not judged): ${said}`);
}

export function teardown(data: RunData): void {
  if (!stats || !data.baseline) return;
  const due = Date.now() + config.cleanupWaitMs;
  let now = readStats(stats, connection.origin, config.waitMs);
  while (now.ok && Object.entries(data.baseline).some(([f, v]) => now.ok && now.figures[f]! > v) && Date.now() < due) {
    sleep(0.25);
    now = readStats(stats, connection.origin, config.waitMs);
  }
  if (!now.ok) return mismatches.record("stats", now.answer, now.expects);
  for (const [field, before] of Object.entries(data.baseline)) {
    const after = now.figures[field]!;
    cleanup.add(after <= before, { field });
    if (after > before) console.warn(`risks: cleanup: after the run's games ended, ${stats.url} ${field} is ${after} (${before} before the run), still after ${config.cleanupWaitMs} ms`);
  }
}

// `k6 run --vus 6 --duration 1m dist/risks.js`: the tables, then the unauthenticated check (docs/k6-versions.md).
export default mainFlow(table, {
  plays: "tables",
  graceMs: budgetMs,
  seats: { count: config.tables, setBy: "-e TABLES" },
  ...(missing.unauthenticated ? {} : { then: { unauthenticated } }),
  skips: { zombie: ["risks_zombie_announced", "risks_zombie_departure"], duplicate: ["risks_duplicate_sessions"] },
});

export const handleSummary = makeHandleSummary("risks", __ENV, {
  risks_race_exactly_one: "simultaneous exclusive acts on one item were accepted more than once (a race: the \"round N: K of M … accepted\" line above names the table)",
  risks_lost_updates: "accepted acts did not all advance the game's version: updates were lost to a race (the \"N accepted …, version advanced by M\" lines above)",
  risks_authz_enforced: "a player that never joined a game could act in it (the \"… had X accepted there\" lines above)",
  risks_recovered: "a player that dropped and reconnected could not get the game's state (the \"… asked for the game's state\" lines above)",
  risks_stale_members: "a player that left and disconnected is still listed among the game's members",
  risks_ghost_deliveries: "a player that left a game still received its state broadcasts (it stayed in the room)",
  risks_cleanup: "after the run's games ended, the server's resource counts did not fall back to their starting figures (a leak: the \"cleanup:\" lines above)",
  risks_unauthenticated_refused: "a connection without credentials was accepted",
  risks_zombie_announced: "a player that vanished (no close, no pongs) was not announced to its room within pingInterval + pingTimeout",
  risks_timeouts: "a reply the flow waited for did not come within -e WAIT_TIMEOUT_MS (tag wait names it)",
  risks_contract_mismatches: `the server's replies do not fit contract "${contract.name}" (${contract.describes}): a mismatch, not a server fault; see the logged payload, and fix the contract (-e CONTRACT / CONTRACT_FILE)`,
}, { contractSteps: true });
