// Matchmaking queue load test. The flow is what players do; the contract (-e CONTRACT=reference |
// baloot-ai, or -e CONTRACT_FILE=my-queue.json) is how the server speaks: event names, payloads,
// which reply means queued or rate-limited, which match event seats a player, the rate limit.
//   queue      players connect, join the queue, wait for the match that seats them, leave.
//              join latency = emit to reply; match formation = emit to the match event.
//   rate_limit probe players each send PROBE_JOINS joins within one rate-limit window: every
//              join past the limit must be refused as rate-limited, none before it.
//   dropouts   before the queue opens, tableSize - 1 players join and drop off without leaving;
//              then a table's worth of witnesses join: every one must be answered and seated
//              (a server that keeps dead players queued stalls here).
// Run: k6 run -e TARGET_URL=http://127.0.0.1:3000 dist/matchmaking.js   (options: docs/scenarios/matchmaking.md)
import { check } from "k6";
import exec from "k6/execution";
import { Counter, Rate, Trend } from "../kit/metrics";
import presets from "../../thresholds/matchmaking.json";
import { type MatchmakingContract, matchmakingFromJson, matchmakingPresets, type QueuePlayer } from "../contracts/matchmaking";
import { readConnectionEnv, withContract } from "../kit/connection-env";
import { selectContract } from "../kit/contract-env";
import { mainFlow } from "../kit/default-scenario";
import { EnvReader } from "../kit/env";
import { ContractMismatches, exchange } from "../kit/exchange";
import { allPlayers, pause } from "../kit/flow";
import { Logins } from "../kit/login";
import { PlayerDirectory } from "../kit/players";
import { runIdFrom } from "../kit/run-id";
import { prepareRun, scenarioOptions } from "../kit/scenario-options";
import { makeHandleSummary } from "../kit/summary";
import { buildThresholds } from "../kit/thresholds";
import { io, type Socket } from "../socketio";

const env = new EnvReader(__ENV);
const connection = readConnectionEnv(env);
const contract: MatchmakingContract = selectContract(env, "matchmaking", matchmakingPresets, matchmakingFromJson);
const config = {
  targetUrl: connection.targetUrl,
  vus: env.int("VUS", 20, 1, 100_000),
  duration: env.duration("DURATION", "30s", 1000),
  eloMin: env.int("ELO_MIN", 1100, 0, 10_000),
  eloMax: env.int("ELO_MAX", 1300, 0, 10_000),
  thinkTimeMs: env.int("THINK_TIME_MS", 500, 0, 600_000),
  connectTimeoutMs: connection.connectTimeoutMs,
  ackTimeoutMs: connection.ackTimeoutMs,
  matchTimeoutMs: env.int("MATCH_TIMEOUT_MS", 15_000, 1, 600_000),
  probeVus: env.int("PROBE_VUS", 2, 0, 1_000),
  rateLimit: env.int("RATE_LIMIT", contract.rateLimit.joins, 1, 1_000),
  probeJoins: env.int("PROBE_JOINS", contract.rateLimit.joins + 3, 1, 1_000),
  probeIntervalMs: env.int("PROBE_INTERVAL_MS", 250, 0, 60_000),
  dropouts: env.int("DROPOUTS", 1, 0, 1),
  socketsPerVu: env.int("SOCKETS_PER_VU", 1, 1, 10_000),
};
if (config.eloMin > config.eloMax) throw new Error(`-e ELO_MIN=${config.eloMin} is above ELO_MAX=${config.eloMax}`);
const clockMinute = contract.rateLimit.window === "clock-minute";

const probeJoinsMs = config.probeJoins * (2 * config.ackTimeoutMs + config.probeIntervalMs);
// A clock-minute limit is probed within one minute: a probe may first wait for the next one.
const probeBudgetMs = probeJoinsMs + config.connectTimeoutMs + (clockMinute ? 60_000 : 0);
/** The dropout check runs first; the queue opens once its tables have formed (or stalled). */
const DROPOUT_PHASE_MS = 2_000;
const dropoutBudgetMs = config.connectTimeoutMs + config.ackTimeoutMs + config.matchTimeoutMs + DROPOUT_PHASE_MS;

const probeMetrics = ["matchmaking_rate_limit_missed", "matchmaking_over_limit_rejected", "matchmaking_rate_limit_rejections"];
const dropoutMetrics = ["matchmaking_dropout_stalls"];
const skipped = [...(config.probeVus > 0 ? [] : probeMetrics), ...(config.dropouts > 0 ? [] : dropoutMetrics)];

export const options = scenarioOptions(
  {
    queue: {
      executor: "constant-vus",
      exec: "queue",
      vus: config.vus,
      duration: config.duration,
      ...(config.dropouts > 0 ? { startTime: `${DROPOUT_PHASE_MS}ms` } : {}),
      // A player already waiting when the time is up may still finish its session.
      gracefulStop: `${Math.ceil((config.connectTimeoutMs + config.ackTimeoutMs + config.matchTimeoutMs) / 1000) + 1}s`,
    },
    ...(config.probeVus > 0
      ? {
          rate_limit: {
            executor: "per-vu-iterations",
            exec: "rateLimitProbe",
            vus: config.probeVus,
            iterations: 1,
            maxDuration: `${Math.ceil(probeBudgetMs / 1000) + 1}s`,
            // After the dropout check too: a probe's join must not be the one seated with its dropouts.
            ...(config.dropouts > 0 ? { startTime: `${DROPOUT_PHASE_MS}ms` } : {}),
          },
        }
      : {}),
    ...(config.dropouts > 0
      ? { dropouts: { executor: "per-vu-iterations", exec: "dropoutCheck", vus: 1, iterations: 1, maxDuration: `${Math.ceil(dropoutBudgetMs / 1000) + 1}s` } }
      : {}),
  },
  buildThresholds(Object.fromEntries(Object.entries(presets).filter(([m]) => !skipped.includes(m))), {}, env.json("THRESHOLDS")),
);

const joinDuration = new Trend("matchmaking_join_duration", true);
const matchDuration = new Trend("matchmaking_match_duration", true);
const matched = new Rate("matchmaking_matched");
const matchUnfinished = new Counter("matchmaking_match_unfinished");
const rateLimitRejections = new Counter("matchmaking_rate_limit_rejections");
// Over-limit joins a probe saw accepted or unanswered. Each probe counts its own, so the
// contract (every join past the limit is rejected) holds per k6 instance and when aggregated,
// however the probes are split across instances.
const rateLimitMissed = new Counter("matchmaking_rate_limit_missed");
const overLimitRejected = new Rate("matchmaking_over_limit_rejected");
const falseRejections = new Counter("matchmaking_false_rejections");
const joinErrors = new Counter("matchmaking_join_errors");
const unexpectedDisconnects = new Counter("matchmaking_unexpected_disconnects");
const dropoutStalls = new Counter("matchmaking_dropout_stalls");
const joinTimeouts = new Counter("matchmaking_join_timeouts");
const mismatchCount = new Counter("matchmaking_contract_mismatches");
const logins = new Logins("matchmaking", connection.login ?? contract.connection?.login, `contract "${contract.name}"`);
const mismatches = new ContractMismatches("matchmaking", contract.name, mismatchCount, connection.connectOptions.auth ? Object.values(connection.connectOptions.auth).map(String) : []);

interface RunData {
  runId: string;
}

export function setup(): RunData {
  prepareRun(rateLimitRejections, rateLimitMissed, falseRejections, joinErrors, unexpectedDisconnects, matchUnfinished, dropoutStalls, mismatchCount, logins.counter, joinTimeouts);
  console.log(`matchmaking: contract "${contract.name}" (${contract.describes}); tables of ${contract.tableSize}, rate limit ${config.rateLimit} joins per ${clockMinute ? "clock minute" : "rolling minute"}`);
  // Player ids are unique per run, so that a re-run within the server's rate-limit window
  // does not inherit the previous run's joins.
  return { runId: runIdFrom(env) };
}

const directory = new PlayerDirectory(contract.connection?.players, env, `contract "${contract.name}"`);
let playersMade = 0;

/** Connects `player`: its identity (users file row, minted token), its login when there is one (null when that failed: counted), then the socket. */
async function connectPlayer(player: QueuePlayer): Promise<Socket | null> {
  // Distinct rows for distinct VUs while the file has enough of them.
  Object.assign(player, directory.player(exec.vu.idInTest - 1 + 10_007 * playersMade++, player.id), { elo: player.elo });
  const options = await logins.optionsFor(withContract(connection.connectOptions, contract.connection, player), connection.origin, player, connection.connectTimeoutMs);
  return options ? io(config.targetUrl, options) : null;
}

function watchDisconnects(socket: Socket): void {
  socket.on("disconnect", (reason: string) => {
    if (reason !== "io client disconnect") unexpectedDisconnects.add(1, { reason });
  });
}

/**
 * Match events this contract does not recognise are mismatches, wherever they arrive. Also keeps
 * the last one that reached this player's socket without seating it: when no seating one comes,
 * that is the contract's seats() not finding the player, not a server that never matched it.
 */
function watchMatches(socket: Socket, player: QueuePlayer): { unseated: unknown[] | undefined } {
  const seen: { unseated: unknown[] | undefined } = { unseated: undefined };
  socket.on(contract.match.event, (...args: unknown[]) => {
    const seats = contract.match.seats(args, player);
    if (seats === undefined) mismatches.record(contract.match.event, args, contract.match.expects);
    else if (!seats) seen.unseated = args;
  });
  return seen;
}

/** A match this player's socket got but the contract could not seat it in: a mismatch. Returns whether it was one. */
function unseatedMismatch(seen: { unseated: unknown[] | undefined }): boolean {
  if (!seen.unseated) return false;
  mismatches.record(contract.match.event, seen.unseated, `${contract.match.expects}; this ${contract.match.event} reached the player's own socket, but the contract's seats() did not find the player in it`);
  return true;
}

/** Waits for the match event that seats `player`. */
function seating(socket: Socket, player: QueuePlayer, timeout: number) {
  return socket.waitFor(contract.match.event, { timeout, filter: (...args: unknown[]) => contract.match.seats(args, player) === true });
}

async function leave(socket: Socket, player: QueuePlayer): Promise<void> {
  const args = contract.leave.args({ player });
  if (contract.leave.reply === "ack") await socket.request(contract.leave.event, ...args);
  else socket.emit(contract.leave.event, ...args);
}

/**
 * One queue iteration: SOCKETS_PER_VU players at once, each on its own connection, then the
 * think time (or a back-off when the server refused us; the error is counted).
 */
export async function queue(data: RunData): Promise<void> {
  const connected = await allPlayers(Array.from({ length: config.socketsPerVu }, (_, slot) => player(data, slot)));
  await pause(connected.every(Boolean) ? Math.max(1, config.thinkTimeMs) : 1_000);
}

/** A player: join the queue, wait for a match that seats it, leave. Resolves with whether it connected. */
async function player(data: RunData, slot: number): Promise<boolean> {
  const me: QueuePlayer = { id: `${data.runId}-q${exec.vu.idInTest}-${exec.vu.iterationInScenario}-${slot}`, elo: config.eloMin + Math.floor(Math.random() * (config.eloMax - config.eloMin + 1)) };
  const socket = await connectPlayer(me);
  if (!socket || !check(socket, { "connected to the namespace": (s) => s.connected })) return false;
  watchDisconnects(socket);
  const matches = watchMatches(socket, me);

  // Wait first, then join: the match can arrive before the join's reply.
  const match = seating(socket, me, config.ackTimeoutMs + config.matchTimeoutMs);
  const joinedAt = Date.now();
  const join = await exchange(socket, contract.join, { player: me }, config.ackTimeoutMs, mismatches);
  if (join.kind === "class") {
    joinDuration.add(join.elapsedMs);
    if (join.cls !== "accepted") {
      if (join.cls === "error") joinErrors.add(1);
      else falseRejections.add(1, { phase: "queue", class: join.cls });
      socket.disconnect(); // not in the queue: no match will come
    }
  } else if (join.kind === "timeout") {
    joinTimeouts.add(1);
  } else if (join.kind === "mismatch") {
    // Whether we are queued is unknown: leave the queue (a server that keeps dead players
    // queued would stall on us) and go, counting no server fault (the mismatch is counted).
    await leave(socket, me);
    socket.disconnect();
    await socket.closed;
    return true;
  }
  // A timed-out reply is counted by the library; the server may still seat us, so keep waiting.
  // The session ends only once both the reply and the match are settled: a match can overtake a
  // slow reply, and leaving early would hide the reply's latency (or its timeout).
  const seated = await match;
  if (seated.ok) {
    matchDuration.add(Date.now() - joinedAt);
    matched.add(true);
  } else if (seated.reason === "timeout" && exec.scenario.progress >= 1) {
    // Near the end of the test nobody new joins, so a lone waiter is expected: not a failure.
    matchUnfinished.add(1);
  } else if (seated.reason === "timeout" && unseatedMismatch(matches)) {
    // Counted as a contract mismatch: the server did send this player a match.
  } else {
    // Timed out, or the session ended first (join refused, server dropped us).
    matched.add(false);
  }
  if (!seated.ok && seated.reason === "timeout") await leave(socket, me);
  socket.disconnect();
  await socket.closed;
  return true;
}

export async function rateLimitProbe(data: RunData): Promise<void> {
  // An elo far from everyone else's (and from other probes'): a probe is seated only by a
  // server that ignores elo, and then leaves at once.
  const me: QueuePlayer = { id: `${data.runId}-probe${exec.vu.idInTest}`, elo: 100_000 + exec.vu.idInTest * 10_000 };
  if (clockMinute) {
    // The server counts joins per clock minute: all of the probe's joins must fall in one.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < probeJoinsMs / 2 + config.connectTimeoutMs) await pause(left + 250);
  }
  const socket = await connectPlayer(me);
  if (!socket) return; // the login failed: counted in matchmaking_login_failures
  if (!check(socket, { "probe connected to the namespace": (s) => s.connected })) {
    // No evidence about the limit either way (the connect error is counted by the library); with
    // no probe judged, matchmaking_over_limit_rejected has no data and fails as such.
    console.warn(`matchmaking: the rate-limit probe ${me.id} could not connect: the limit is not judged for it`);
    return;
  }
  watchDisconnects(socket);
  watchMatches(socket, me);
  for (let attempt = 1; attempt <= config.probeJoins; attempt++) {
    const r = await exchange(socket, contract.join, { player: me }, config.ackTimeoutMs, mismatches);
    if (r.kind === "mismatch") {
      // Whether the server limited this join is unknown: counted as a mismatch, not as a missed limit.
      await leave(socket, me);
      break;
    }
    if (r.kind !== "class") {
      // No answer, or the connection ended: whether the server limits joins cannot be told from
      // here. The missing answer is counted as such (join timeouts, disconnects), not as a missed limit.
      if (r.kind === "timeout") joinTimeouts.add(1);
      break;
    }
    const limited = r.cls === "rate_limited";
    if (attempt > config.rateLimit) {
      rateLimitRejections.add(limited ? 1 : 0);
      rateLimitMissed.add(limited ? 0 : 1);
      overLimitRejected.add(limited);
    } else if (r.cls !== "accepted") {
      falseRejections.add(1, { phase: "probe", class: r.cls });
    }
    // Leave after each accepted join, so that the probe never waits in the queue.
    if (r.cls === "accepted") await leave(socket, me);
    await pause(Math.max(1, config.probeIntervalMs));
  }
  socket.disconnect();
  await socket.closed;
}

/**
 * Players who drop off while queued must leave the queue with their connection. tableSize - 1
 * players join and disconnect without leaving; then a table's worth of witnesses join one by
 * one. On a server that keeps the dead players, the first witness completes a table with them:
 * its join is never answered and nobody is seated.
 */
export async function dropoutCheck(data: RunData): Promise<void> {
  const band = config.eloMin; // one elo for all: any of them may sit together
  const ghosts: QueuePlayer[] = [];
  for (let i = 0; i < contract.tableSize - 1; i++) {
    const ghost: QueuePlayer = { id: `${data.runId}-dropout${i}`, elo: band };
    ghosts.push(ghost);
    const socket = await connectPlayer(ghost);
    // Counted by the library (or as a login failure); without its dropouts the check has nothing to judge.
    if (!socket?.connected) return void console.warn(`matchmaking: the dropout check is not played: ${ghost.id} could not connect (the connect error above says why)`);
    const join = await exchange(socket, contract.join, { player: ghost }, config.ackTimeoutMs, mismatches);
    socket.disconnect(); // gone while queued, without queue_leave
    await socket.closed;
    if (join.kind !== "class" || join.cls !== "accepted") return; // nobody queued: nothing to check
  }
  await pause(300); // the server handles the disconnects
  const witnesses: Promise<string | null>[] = [];
  for (let i = 0; i < contract.tableSize; i++) {
    witnesses.push(witness({ id: `${data.runId}-witness${i}`, elo: band }, ghosts));
    await pause(50); // in order, 50 ms apart: the first witness is the one a dead player would sit with
  }
  const stalls = (await allPlayers(witnesses)).filter((w): w is string => w !== null);
  dropoutStalls.add(stalls.length);
  if (stalls.length > 0) {
    console.warn(`matchmaking: the server keeps dead players queued: ${stalls.join("; ")} (matchmaking_dropout_stalls)`);
  }
}

/** A witness of the dropout check: null when answered and seated with live players, else what went wrong. */
async function witness(me: QueuePlayer, ghosts: QueuePlayer[]): Promise<string | null> {
  const socket = await connectPlayer(me);
  if (!socket?.connected) {
    // No evidence about the queue either way: the connect error is counted by the library.
    console.warn(`matchmaking: dropout check: witness ${me.id} could not connect; not judged for it`);
    return null;
  }
  const matches = watchMatches(socket, me);
  const match = seating(socket, me, config.ackTimeoutMs + config.matchTimeoutMs);
  const join = await exchange(socket, contract.join, { player: me }, config.ackTimeoutMs, mismatches);
  const seated = await match;
  socket.disconnect();
  await socket.closed;
  if (join.kind === "timeout") return `acks stopped after queued players disconnected: ${me.id}'s ${contract.join.event} got no reply within ${config.ackTimeoutMs} ms`;
  if (join.kind !== "class" || join.cls !== "accepted") return null; // a mismatch or refusal is counted elsewhere
  if (!seated.ok) {
    if (seated.reason === "timeout" && unseatedMismatch(matches)) return null; // the contract's seats(), not the server
    return `${me.id} was answered but not seated within ${config.ackTimeoutMs + config.matchTimeoutMs} ms`;
  }
  // A contract whose seats() names players can tell who sits at the table: never a player who left.
  const names = contract.match.seats(seated.args, { id: "\u0000nobody", elo: 0 }) !== true;
  const gone = names ? ghosts.find((g) => contract.match.seats(seated.args, g) === true) : undefined;
  return gone ? `${me.id} was seated with ${gone.id}, who had disconnected while queued` : null;
}

// `k6 run --vus 10 --duration 30s dist/matchmaking.js` plays the queue only (docs/k6-versions.md).
export default mainFlow(queue, {
  graceMs: config.connectTimeoutMs + config.ackTimeoutMs + config.matchTimeoutMs,
  plays: "queue",
  skips: { rate_limit: probeMetrics, dropouts: dropoutMetrics },
});

export const handleSummary = makeHandleSummary("matchmaking", __ENV, {
  matchmaking_join_duration: "queue joins were answered slower than the limit",
  matchmaking_match_duration: "players waited longer than the limit between their join and their seat",
  matchmaking_matched: "queued players were not seated within MATCH_TIMEOUT_MS (joined and acked, but no match event for them)",
  matchmaking_over_limit_rejected: "joins past the rate limit were not refused as rate-limited",
  matchmaking_unexpected_disconnects: "the server ended player sessions the flow did not end (tag reason)",
  matchmaking_dropout_stalls: "the server keeps dead players queued: after players disconnected while queued, a join was not answered (acks stopped), not seated, or seated with a player who had left",
  matchmaking_join_timeouts: "queue joins got no reply within ACK_TIMEOUT_MS",
  matchmaking_contract_mismatches: `the server's replies do not fit contract "${contract.name}" (${contract.describes}): a mismatch, not a server fault; see the logged payload, and fix the contract (-e CONTRACT / CONTRACT_FILE)`,
  matchmaking_rate_limit_missed: "joins past the rate limit were accepted",
  matchmaking_false_rejections: "joins within the rate limit were refused",
  matchmaking_join_errors: "the server answered joins with an error",
}, { contractSteps: true });
