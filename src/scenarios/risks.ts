// Risk checks for a real game backend, against a server on NAMESPACE (default /game):
//   race            two players submit an outcome for the same dice roll at the same instant,
//                   ROUNDS times per table: exactly one submission must be accepted each time
//   authz           a connected user who is not in a game rolls and submits there: refused
//   unauthenticated a connect without a token must get CONNECT_ERROR
//   zombie          a player vanishes (no DISCONNECT, no close, no pongs): the server must tell
//                   the room (user_disconnected) within pingInterval + pingTimeout
//   duplicate       the same user connects twice: what the server does is reported
// Tokens are "user:<id>" (TOKEN_PREFIX); the reference server's /game namespace accepts them.
import { check } from "k6";
import exec from "k6/execution";
import { Counter, Rate, Trend } from "../kit/metrics";
import presets from "../../thresholds/risks.json";
import { readConnectionEnv, withAuth } from "../kit/connection-env";
import { EnvReader } from "../kit/env";
import { runIdFrom } from "../kit/run-id";
import { prepareRun, scenarioOptions } from "../kit/scenario-options";
import { makeHandleSummary } from "../kit/summary";
import { declareNotJudged } from "../kit/summary/not-judged";
import { buildThresholds } from "../kit/thresholds";
import { io, type Socket } from "k6-socketio";
import { pause } from "../kit/flow";
import { mainFlow } from "../kit/default-scenario";

const env = new EnvReader(__ENV);
const connection = readConnectionEnv(env);
const config = {
  namespace: env.string("NAMESPACE", "/game"),
  tokenPrefix: env.string("TOKEN_PREFIX", "user:"),
  tables: env.int("TABLES", 5, 1, 10_000),
  rounds: env.int("ROUNDS", 20, 1, 100_000),
  zombies: env.int("ZOMBIES", 2, 0, 1_000),
  waitMs: env.int("WAIT_TIMEOUT_MS", 5_000, 1, 600_000),
  settleMs: env.int("SETTLE_MS", 300, 1, 60_000),
};
// ZOMBIES=0 switches the zombie check off: its thresholds stay listed, as not judged (never "no data").
if (config.zombies === 0) declareNotJudged(["risks_zombie_announced"], "the zombie check is off (-e ZOMBIES=0)");
const zombieBoundMs = env.int("ZOMBIE_BOUND_MS", 120_000, 1_000, 3_600_000);
const budget = `${Math.ceil((config.rounds * (config.settleMs + 100) + zombieBoundMs + 4 * config.waitMs) / 1000) + 10}s`;
const one = (exec_: string, vus = 1, startTime = "0s") => ({ executor: "per-vu-iterations", vus, iterations: 1, maxDuration: budget, exec: exec_, startTime });

export const options = scenarioOptions(
  {
    race: one("race", config.tables * 2),
    authz: one("authz", 1, "1s"),
    unauthenticated: one("unauthenticated"),
    ...(config.zombies > 0 ? { zombie: one("zombie", config.zombies * 2) } : {}),
    duplicate: one("duplicate", 2),
  },
  buildThresholds(presets, {}, env.json("THRESHOLDS")),
);

const raceExactlyOne = new Rate("risks_race_exactly_one");
const raceAccepted = new Counter("risks_race_accepted");
const authzEnforced = new Rate("risks_authz_enforced");
const unauthenticatedRefused = new Rate("risks_unauthenticated_refused");
const zombieAnnounced = new Rate("risks_zombie_announced");
const zombieDeparture = new Trend("risks_zombie_departure", true);
const duplicateSessions = new Counter("risks_duplicate_sessions");
const timeouts = new Counter("risks_timeouts");

interface RunData {
  runId: string;
}

export function setup(): RunData {
  prepareRun(raceAccepted, duplicateSessions, timeouts);
  return { runId: runIdFrom(env) };
}

const as = (user: string | null) =>
  withAuth({ ...connection.connectOptions, namespace: config.namespace }, user === null ? {} : { token: `${config.tokenPrefix}${user}` });

function timedOut(what: string): false {
  timeouts.add(1, { wait: what });
  console.warn(`risks: no ${what} within ${config.waitMs} ms`);
  return false;
}

/** Joins a game and resolves once both players are in it (false when a wait ran out). */
async function joinTable(socket: Socket, game: string): Promise<boolean> {
  const second = socket.waitFor("user_joined", { timeout: config.waitMs, filter: (j: { players?: string[] }) => (j?.players?.length ?? 0) >= 2 });
  const ack = await socket.request("join_game", { game_id: game });
  if (!ack.ok) return timedOut("join_game ack");
  if (((ack.data as { players?: string[] } | undefined)?.players ?? []).length >= 2) return true;
  const j = await second;
  return j.ok || (j.reason === "timeout" && timedOut("second player"));
}

export async function race(data: RunData): Promise<void> {
  const index = exec.scenario.iterationInTest;
  const table = Math.floor(index / 2);
  const roller = index % 2 === 0;
  const game = `${data.runId}-race${table}`;
  const socket = await io(connection.targetUrl, as(`${data.runId}-r${index}`));
  if (!socket.connected) return;
  let rounds = 0;
  // Both players submit for every roll the moment they hear of it: the same instant, give or take a packet.
  socket.on("dice_rolled", (d: { game_id: string; roll_id: string }) => {
    if (d.game_id !== game) return;
    void socket.request("submit_manual_outcome", { game_id: game, roll_id: d.roll_id, outcome: roller ? "single" : "double" });
    if (!roller) rounds += 1;
  });
  if (!(await joinTable(socket, game))) {
    socket.disconnect();
    return;
  }
  while (!roller && rounds < config.rounds) {
    const d = await socket.waitFor("dice_rolled", { timeout: config.waitMs + config.settleMs, filter: (x: { game_id?: string }) => x?.game_id === game });
    if (!d.ok) {
      if (d.reason === "timeout") timedOut("dice_rolled");
      break;
    }
  }
  if (!roller) await pause(config.settleMs * 2); // the last roll is judged before this player leaves
  while (roller && rounds < config.rounds) {
    const accepted: string[] = [];
    let rollId = "";
    const onAccepted = (o: { roll_id: string; user_id: string }) => {
      if (o.roll_id === rollId) accepted.push(o.user_id);
    };
    socket.on("outcome_accepted", onAccepted);
    const ack = await socket.request("roll_dice", { game_id: game });
    if (!ack.ok) {
      timedOut("roll_dice ack");
      break;
    }
    rollId = String((ack.data as { roll_id?: string } | undefined)?.roll_id ?? "");
    // Give both submissions time to be judged, then count the acceptances the room heard.
    await pause(config.settleMs);
    socket.off("outcome_accepted", onAccepted);
    raceAccepted.add(accepted.length);
    const ok = check(accepted.length, { "exactly one of two simultaneous submissions accepted": (n) => n === 1 });
    raceExactlyOne.add(ok);
    if (!ok && rounds === 0) console.warn(`risks: roll ${rollId}: ${accepted.length} submissions accepted (${accepted.join(", ")})`);
    rounds += 1;
  }
  socket.disconnect();
  await socket.closed;
}

export async function authz(data: RunData): Promise<void> {
  const game = `${data.runId}-race0`; // a game the intruder never joined
  const socket = await io(connection.targetUrl, as(`${data.runId}-intruder`));
  if (!socket.connected) return;
  const roll = await socket.request("roll_dice", { game_id: game });
  const refused = roll.ok && (roll.data as { ok?: boolean } | undefined)?.ok === false;
  authzEnforced.add(check(refused, { "roll_dice in someone else's game is refused": (r) => r }), { action: "roll_dice" });
  const submit = await socket.request("submit_manual_outcome", { game_id: game, roll_id: `${game}#1`, outcome: "homer" });
  const refused2 = submit.ok && (submit.data as { error?: string } | undefined)?.error === "NOT_AUTHORIZED";
  authzEnforced.add(check(refused2, { "submit_manual_outcome in someone else's game is refused NOT_AUTHORIZED": (r) => r }), { action: "submit_manual_outcome" });
  socket.disconnect();
}

export async function unauthenticated(): Promise<void> {
  const socket = await io(connection.targetUrl, { ...as(null), sessionTimeout: config.waitMs });
  const refused = !socket.connected && socket.connectError?.reason === "connect_error";
  unauthenticatedRefused.add(check(socket, { "connect without a token gets CONNECT_ERROR": () => refused }));
  if (socket.connected) {
    console.warn("risks: a connection without a token was accepted");
    socket.disconnect(); // the check is already decided
  }
}

export async function zombie(data: RunData): Promise<void> {
  const index = exec.scenario.iterationInTest;
  const pair = Math.floor(index / 2);
  const observer = index % 2 === 0;
  const game = `${data.runId}-zombie${pair}`;
  const zombieUser = `${data.runId}-z${pair}`;
  const socket = await io(connection.targetUrl, { ...as(observer ? `${data.runId}-o${pair}` : zombieUser), sessionTimeout: zombieBoundMs });
  if (!socket.connected || !(await joinTable(socket, game))) {
    socket.disconnect();
    return;
  }
  if (!observer) {
    // The zombie drops off the network the moment the observer's roll reaches it.
    const d = await socket.waitFor("dice_rolled", { timeout: config.waitMs });
    if (d.ok) socket.vanish(zombieBoundMs);
    else {
      timedOut("dice_rolled");
      socket.disconnect();
    }
    await socket.closed;
    return;
  }
  const hs = socket.handshake!;
  const allowance = hs.pingInterval + hs.pingTimeout;
  // The server needs pingInterval + pingTimeout to notice, plus one ping interval of phase.
  const limit = allowance + hs.pingInterval + 1_000;
  const rolled = socket.waitFor("dice_rolled", { timeout: config.waitMs });
  await pause(200);
  void socket.request("roll_dice", { game_id: game });
  const d = await rolled;
  if (!d.ok) {
    timedOut("dice_rolled");
    socket.disconnect();
    return;
  }
  const vanishedAt = Date.now();
  const gone = await socket.waitFor("user_disconnected", { timeout: limit, filter: (u: { user_id?: string }) => u?.user_id === zombieUser });
  if (gone.ok) zombieDeparture.add(Date.now() - vanishedAt);
  const ok = check(gone, { "a vanished player is announced within pingInterval + pingTimeout": (g) => g.ok });
  zombieAnnounced.add(ok);
  if (!ok) console.warn(`risks: ${zombieUser} vanished and was not announced within ${limit} ms (pingInterval ${hs.pingInterval} + pingTimeout ${hs.pingTimeout})`);
  socket.disconnect();
}

export async function duplicate(data: RunData): Promise<void> {
  const second = exec.scenario.iterationInTest === 1;
  const user = `${data.runId}-dup`;
  if (second) await pause(500); // the first session is up before the second one connects
  let endedBy: string | undefined;
  const socket = await io(connection.targetUrl, as(user));
  if (socket.connected) {
    socket.on("disconnect", (reason: string) => {
      endedBy = reason;
    });
    void socket.request("join_game", { game_id: `${data.runId}-dup` });
    await pause(second ? 700 : 1_500);
    socket.disconnect();
    await socket.closed;
  }
  const outcome = !socket.connected && endedBy === undefined && socket.connectError ? "refused" : endedBy && endedBy !== "io client disconnect" ? `ended by server (${endedBy})` : "kept";
  duplicateSessions.add(1, { session: second ? "second" : "first", outcome });
  console.log(`risks: duplicate sessions of one user: the ${second ? "second" : "first"} session was ${outcome}`);
}

// `k6 run --vus 11 --duration 1m dist/risks.js`: the race tables, then the unauthenticated check (docs/k6-versions.md).
export default mainFlow(race, {
  plays: "race",
  seats: { count: config.tables * 2, setBy: "-e TABLES" },
  then: { unauthenticated },
  skips: { authz: ["risks_authz_enforced"], zombie: ["risks_zombie_announced", "risks_zombie_departure"], duplicate: ["risks_duplicate_sessions"] },
});

export const handleSummary = makeHandleSummary("risks", __ENV);
