// Risk checks for a real game backend (seed 003), against a server on NAMESPACE (default /game):
//   race            two players submit an outcome for the same dice roll at the same instant,
//                   ROUNDS times per table: exactly one submission must be accepted each time
//   authz           a connected user who is not in a game rolls and submits there: refused
//   unauthenticated a connect without a token must get CONNECT_ERROR
//   zombie          a player vanishes (no DISCONNECT, no close, no pongs): the server must tell
//                   the room (user_disconnected) within pingInterval + pingTimeout
//   duplicate       the same user connects twice: what the server does is reported
// Tokens are "user:<id>" (TOKEN_PREFIX); the reference server's /game namespace accepts them.
import { check, sleep } from "k6";
import exec from "k6/execution";
import { Counter, Rate, Trend } from "k6/metrics";
import presets from "../../thresholds/risks.json";
import { readConnectionEnv, withAuth } from "../kit/connection-env";
import { EnvReader } from "../kit/env";
import { runIdFrom } from "../kit/run-id";
import { prepareRun, scenarioOptions } from "../kit/scenario-options";
import { makeHandleSummary } from "../kit/summary";
import { buildThresholds } from "../kit/thresholds";
import { mainFlow } from "../kit/default-scenario";
import { connect, type Socket } from "k6-socketio";

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

function timedOut(what: string, socket: Socket): void {
  timeouts.add(1, { wait: what });
  console.warn(`risks: no ${what} within ${config.waitMs} ms`);
  socket.disconnect();
}

/** Joins a game; `ready` runs once both players are in it. */
function joinTable(socket: Socket, game: string, ready: () => void): void {
  socket.emitWithAck("join_game", [{ game_id: game }], (ack) => {
    const players = (ack.data as { players?: string[] } | undefined)?.players ?? [];
    if (!ack.ok) return timedOut("join_game ack", socket);
    if (players.length >= 2) return ready();
    socket.waitFor("user_joined", { timeout: config.waitMs, filter: (j: { players?: string[] }) => (j?.players?.length ?? 0) >= 2 }, (j) => (j.ok ? ready() : j.reason === "timeout" && timedOut("second player", socket)));
  });
}

export function race(data: RunData): void {
  const index = exec.scenario.iterationInTest;
  const table = Math.floor(index / 2);
  const roller = index % 2 === 0;
  const game = `${data.runId}-race${table}`;
  connect(connection.targetUrl, as(`${data.runId}-r${index}`), (socket) => {
    let rounds = 0;
    // Both players submit for every roll the moment they hear of it: the same instant, give or take a packet.
    socket.on("dice_rolled", (d: { game_id: string; roll_id: string }) => {
      if (d.game_id !== game) return;
      socket.emitWithAck("submit_manual_outcome", [{ game_id: game, roll_id: d.roll_id, outcome: roller ? "single" : "double" }], () => undefined);
      if (!roller && ++rounds >= config.rounds) socket.setTimeout(() => socket.disconnect(), config.settleMs * 2);
    });
    const roll = (): void => {
      if (rounds >= config.rounds) return socket.disconnect();
      const accepted: string[] = [];
      let rollId = "";
      const onAccepted = (o: { roll_id: string; user_id: string }) => {
        if (o.roll_id === rollId) accepted.push(o.user_id);
      };
      socket.on("outcome_accepted", onAccepted);
      socket.emitWithAck("roll_dice", [{ game_id: game }], (ack) => {
        if (!ack.ok) return timedOut("roll_dice ack", socket);
        rollId = (ack.data as { roll_id: string }).roll_id;
        // Give both submissions time to be judged, then count the acceptances the room heard.
        socket.setTimeout(() => {
          socket.off("outcome_accepted", onAccepted);
          raceAccepted.add(accepted.length);
          const ok = check(accepted.length, { "exactly one of two simultaneous submissions accepted": (n) => n === 1 });
          raceExactlyOne.add(ok);
          if (!ok && rounds === 0) console.warn(`risks: roll ${rollId}: ${accepted.length} submissions accepted (${accepted.join(", ")})`);
          rounds += 1;
          roll();
        }, config.settleMs);
      });
    };
    socket.on("connect", () => joinTable(socket, game, () => (roller ? roll() : undefined)));
  });
}

export function authz(data: RunData): void {
  const game = `${data.runId}-race0`; // a game the intruder never joined
  connect(connection.targetUrl, as(`${data.runId}-intruder`), (socket) => {
    socket.on("connect", () => {
      socket.emitWithAck("roll_dice", [{ game_id: game }], (roll) => {
        const refused = roll.ok && (roll.data as { ok?: boolean }).ok === false;
        authzEnforced.add(check(refused, { "roll_dice in someone else's game is refused": (r) => r }), { action: "roll_dice" });
        socket.emitWithAck("submit_manual_outcome", [{ game_id: game, roll_id: `${game}#1`, outcome: "homer" }], (submit) => {
          const refused2 = submit.ok && (submit.data as { error?: string }).error === "NOT_AUTHORIZED";
          authzEnforced.add(check(refused2, { "submit_manual_outcome in someone else's game is refused NOT_AUTHORIZED": (r) => r }), { action: "submit_manual_outcome" });
          socket.disconnect();
        });
      });
    });
  });
}

export function unauthenticated(): void {
  // If the server wrongly accepts, leave at once: the check is already decided.
  const result = connect(connection.targetUrl, { ...as(null), sessionTimeout: config.waitMs }, (socket) => socket.on("connect", () => socket.disconnect()));
  const refused = !result.connected && result.connectError?.reason === "connect_error";
  unauthenticatedRefused.add(check(result, { "connect without a token gets CONNECT_ERROR": () => refused }));
  if (result.connected) console.warn("risks: a connection without a token was accepted");
}

export function zombie(data: RunData): void {
  const index = exec.scenario.iterationInTest;
  const pair = Math.floor(index / 2);
  const observer = index % 2 === 0;
  const game = `${data.runId}-zombie${pair}`;
  const zombieUser = `${data.runId}-z${pair}`;
  connect(connection.targetUrl, { ...as(observer ? `${data.runId}-o${pair}` : zombieUser), sessionTimeout: zombieBoundMs }, (socket) => {
    socket.on("connect", () =>
      joinTable(socket, game, () => {
        if (!observer) {
          // The zombie drops off the network the moment the observer's roll reaches it.
          socket.waitFor("dice_rolled", { timeout: config.waitMs }, (d) => (d.ok ? socket.vanish(zombieBoundMs) : timedOut("dice_rolled", socket)));
          return;
        }
        const hs = socket.handshake!;
        const allowance = hs.pingInterval + hs.pingTimeout;
        // The server needs pingInterval + pingTimeout to notice, plus one ping interval of phase.
        const limit = allowance + hs.pingInterval + 1_000;
        socket.waitFor("dice_rolled", { timeout: config.waitMs }, (d) => {
          if (!d.ok) return timedOut("dice_rolled", socket);
          const vanishedAt = Date.now();
          socket.waitFor("user_disconnected", { timeout: limit, filter: (u: { user_id?: string }) => u?.user_id === zombieUser }, (gone) => {
            const ms = Date.now() - vanishedAt;
            if (gone.ok) zombieDeparture.add(ms);
            const ok = check(gone, { "a vanished player is announced within pingInterval + pingTimeout": (g) => g.ok });
            zombieAnnounced.add(ok);
            if (!ok) console.warn(`risks: ${zombieUser} vanished and was not announced within ${limit} ms (pingInterval ${hs.pingInterval} + pingTimeout ${hs.pingTimeout})`);
            socket.disconnect();
          });
        });
        socket.setTimeout(() => socket.emitWithAck("roll_dice", [{ game_id: game }], () => undefined), 200);
      }),
    );
  });
}

export function duplicate(data: RunData): void {
  const second = exec.scenario.iterationInTest === 1;
  const user = `${data.runId}-dup`;
  if (second) sleep(0.5); // the first session is up before the second one connects
  let endedBy: string | undefined;
  const result = connect(connection.targetUrl, as(user), (socket) => {
    socket.on("disconnect", (reason: string) => {
      endedBy = reason;
    });
    socket.on("connect", () => {
      socket.emitWithAck("join_game", [{ game_id: `${data.runId}-dup` }], () => undefined);
      socket.setTimeout(() => socket.disconnect(), second ? 700 : 1_500);
    });
  });
  const outcome = !result.connected ? "refused" : endedBy && endedBy !== "io client disconnect" ? `ended by server (${endedBy})` : "kept";
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
