// Matchmaking queue load test.
//   queue      players connect, emit queue_join {player_id, elo}, wait for match_found, leave.
//              join latency = emit to ack; match formation = emit to the match event.
//   rate_limit probe players each send PROBE_JOINS joins within a minute (default 8, limit 5):
//              every join past the limit must be rejected, none before it.
// Run: k6 run -e TARGET_URL=http://127.0.0.1:3000 dist/matchmaking.js   (options: docs/scenarios/matchmaking.md)
import { check } from "k6";
import exec from "k6/execution";
import { Counter, Rate, Trend } from "k6/metrics";
import presets from "../../thresholds/matchmaking.json";
import { EnvReader } from "../kit/env";
import { scenarioOptions, prepareRun } from "../kit/scenario-options";
import { makeHandleSummary } from "../kit/summary";
import { buildThresholds } from "../kit/thresholds";
import { readConnectionEnv } from "../kit/connection-env";
import { mainFlow } from "../kit/default-scenario";
import { runIdFrom } from "../kit/run-id";
import { allPlayers, pause } from "../kit/flow";
import { io, type Socket } from "../socketio";

const env = new EnvReader(__ENV);
const connection = readConnectionEnv(env);
const config = {
  targetUrl: connection.targetUrl,
  vus: env.int("VUS", 20, 1, 100_000),
  duration: env.duration("DURATION", "30s"),
  joinEvent: env.string("JOIN_EVENT", "queue_join"),
  leaveEvent: env.string("LEAVE_EVENT", "queue_leave"),
  matchEvent: env.string("MATCH_EVENT", "match_found"),
  eloMin: env.int("ELO_MIN", 1100, 0, 10_000),
  eloMax: env.int("ELO_MAX", 1300, 0, 10_000),
  thinkTimeMs: env.int("THINK_TIME_MS", 500, 0, 600_000),
  connectTimeoutMs: connection.connectTimeoutMs,
  ackTimeoutMs: connection.ackTimeoutMs,
  matchTimeoutMs: env.int("MATCH_TIMEOUT_MS", 15_000, 1, 600_000),
  probeVus: env.int("PROBE_VUS", 2, 0, 1_000),
  rateLimit: env.int("RATE_LIMIT", 5, 1, 1_000),
  probeJoins: env.int("PROBE_JOINS", 8, 1, 1_000),
  probeIntervalMs: env.int("PROBE_INTERVAL_MS", 250, 0, 60_000),
  socketsPerVu: env.int("SOCKETS_PER_VU", 1, 1, 10_000),
};
if (config.eloMin > config.eloMax) throw new Error(`-e ELO_MIN=${config.eloMin} is above ELO_MAX=${config.eloMax}`);
const connectOptions = connection.connectOptions;

const overLimitJoins = Math.max(0, config.probeJoins - config.rateLimit);
const probeBudgetMs = config.probeJoins * (2 * config.ackTimeoutMs + config.probeIntervalMs) + config.connectTimeoutMs;

export const options = scenarioOptions(
  {
    queue: {
      executor: "constant-vus",
      exec: "queue",
      vus: config.vus,
      duration: config.duration,
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
          },
        }
      : {}),
  },
  buildThresholds(
    config.probeVus > 0
      ? presets
      : Object.fromEntries(Object.entries(presets).filter(([m]) => !m.startsWith("matchmaking_rate_limit") && m !== "matchmaking_over_limit_rejected")),
    {},
    env.json("THRESHOLDS"),
  ),
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
const unexpectedDisconnects = new Counter("matchmaking_unexpected_disconnects");

interface RunData {
  runId: string;
}

export function setup(): RunData {
  prepareRun(rateLimitRejections, rateLimitMissed, falseRejections, unexpectedDisconnects, matchUnfinished);
  // Player ids are unique per run, so that a re-run within the server's rate-limit window
  // does not inherit the previous run's joins.
  return { runId: runIdFrom(env) };
}

interface JoinReply {
  status?: string;
  reason?: string;
  position?: number;
}

function watchDisconnects(socket: Socket): void {
  socket.on("disconnect", (reason: string) => {
    if (reason !== "io client disconnect") unexpectedDisconnects.add(1, { reason });
  });
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
  const playerId = `${data.runId}-q${exec.vu.idInTest}-${exec.vu.iterationInScenario}-${slot}`;
  const elo = config.eloMin + Math.floor(Math.random() * (config.eloMax - config.eloMin + 1));
  const socket = await io(config.targetUrl, connectOptions);
  if (!check(socket, { "connected to the namespace": (s) => s.connected })) return false;
  watchDisconnects(socket);

  // Wait first, then join: the match can arrive right behind the ack.
  const match = socket.waitFor(config.matchEvent, { timeout: config.ackTimeoutMs + config.matchTimeoutMs, filter: (m: unknown) => seats(m, playerId) });
  const joinedAt = Date.now();
  const join = await socket.request(config.joinEvent, { player_id: playerId, elo });
  // A timed-out ack is counted by the library; the server may still seat us, so keep waiting.
  if (join.ok) {
    joinDuration.add(join.elapsedMs);
    const reply = join.data as JoinReply | undefined;
    if (!check(reply, { "queue_join answered queued": (r) => r?.status === "queued" })) {
      if (reply?.status === "rejected") falseRejections.add(1, { phase: "queue" });
      socket.disconnect(); // not in the queue: no match will come
    }
  }
  // The session ends only once both the ack and the match are settled: a match can overtake a
  // slow ack, and leaving early would hide the ack's latency (or its timeout).
  const seated = await match;
  if (seated.ok) {
    matchDuration.add(Date.now() - joinedAt);
    matched.add(true);
  } else if (seated.reason === "timeout" && exec.scenario.progress >= 1) {
    // Near the end of the test nobody new joins, so a lone waiter is expected: not a failure.
    matchUnfinished.add(1);
  } else {
    // Timed out, or the session ended first (join rejected, server dropped us).
    matched.add(false);
  }
  if (!seated.ok && seated.reason === "timeout") socket.emit(config.leaveEvent, { player_id: playerId });
  socket.disconnect();
  await socket.closed;
  return true;
}

export async function rateLimitProbe(data: RunData): Promise<void> {
  const playerId = `${data.runId}-probe${exec.vu.idInTest}`;
  // An elo far from everyone else's (and from other probes'): a probe is never seated.
  const elo = 100_000 + exec.vu.idInTest * 10_000;
  const socket = await io(config.targetUrl, connectOptions);
  if (!check(socket, { "probe connected to the namespace": (s) => s.connected })) {
    // A probe that never got to send its over-limit joins could not verify them.
    rateLimitMissed.add(overLimitJoins);
    return;
  }
  watchDisconnects(socket);
  for (let attempt = 1; attempt <= config.probeJoins; attempt++) {
    const ack = await socket.request(config.joinEvent, { player_id: playerId, elo });
    if (!ack.ok) {
      // No answer: the limit cannot be verified for this and the remaining attempts.
      for (let n = attempt; n <= config.probeJoins; n++) {
        if (n <= config.rateLimit) continue;
        overLimitRejected.add(false);
        rateLimitMissed.add(1);
      }
      break;
    }
    const reply = ack.data as JoinReply | undefined;
    const rejected = reply?.status === "rejected" && reply.reason === "rate_limited";
    if (attempt > config.rateLimit) {
      rateLimitRejections.add(rejected ? 1 : 0);
      rateLimitMissed.add(rejected ? 0 : 1);
      overLimitRejected.add(rejected);
    } else if (rejected) {
      falseRejections.add(1, { phase: "probe" });
    }
    // Leave after each queued join, so that the probe never waits in the queue.
    if (reply?.status === "queued") await socket.request(config.leaveEvent, { player_id: playerId });
    await pause(Math.max(1, config.probeIntervalMs));
  }
  socket.disconnect();
  await socket.closed;
}

function seats(match: unknown, playerId: string): boolean {
  const players = (match as { players?: unknown } | null)?.players;
  return Array.isArray(players) && players.some((p) => (p as { player_id?: unknown } | null)?.player_id === playerId);
}

// `k6 run --vus 10 --duration 30s dist/matchmaking.js` plays the queue only (docs/k6-versions.md).
export default mainFlow(queue, {
  plays: "queue",
  skips: { rate_limit: ["matchmaking_rate_limit_missed", "matchmaking_over_limit_rejected", "matchmaking_rate_limit_rejections"] },
});

export const handleSummary = makeHandleSummary("matchmaking", __ENV);
