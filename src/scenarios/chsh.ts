// CHSH team game load test. TEAMS teams of two players plus one dashboard client:
//   player 2k   create_team, waits for its partner      player 2k+1   join_team (retried until the team exists)
//   dashboard   start_game once the players are connected
//   rounds      new_question {round_id, item} -> (response delay) submit_answer -> answer_confirmed;
//               round_complete when both answered; up to MAX_ROUNDS rounds, then leave_team.
// Players are numbered by exec.scenario.iterationInTest, which is unique across k6 instances, so
// a team can be split over two instances (pass the same -e RUN_ID to each).
import { check } from "k6";
import exec from "k6/execution";
import { Counter, Rate, Trend } from "../kit/metrics";
import presets from "../../thresholds/chsh.json";
import { readConnectionEnv, withContract } from "../kit/connection-env";
import { EnvReader, parseDurationMs } from "../kit/env";
import { RESPONSE_PATTERNS, responseDelayMs } from "../kit/response-delay";
import { runIdFrom } from "../kit/run-id";
import { scenarioOptions, prepareRun } from "../kit/scenario-options";
import { makeHandleSummary } from "../kit/summary";
import { buildThresholds } from "../kit/thresholds";
import { type ChshContract, type ChshQuestion, chshFromJson, chshPresets } from "../contracts/chsh";
import { Logins } from "../kit/login";
import { PlayerDirectory } from "../kit/players";
import { failSetup } from "../kit/setup-failure";
import { selectContract } from "../kit/contract-env";
import { awaitRecognised, ContractMismatches, exchange } from "../kit/exchange";
import { pause } from "../kit/flow";
import { boundedJson, type ConnectOptions, io, type Socket } from "../socketio";
import { mainFlow } from "../kit/default-scenario";

const env = new EnvReader(__ENV);
const connection = readConnectionEnv(env);
const contract: ChshContract = selectContract(env, "chsh", chshPresets, chshFromJson);
const directory = new PlayerDirectory(contract.connection?.players, env, `contract "${contract.name}"`);
const logins = new Logins("chsh", connection.login ?? contract.connection?.login, `contract "${contract.name}"`);

/** Connect options for one player (or the dashboard): the contract's connection filled for it, after its login when there is one. */
async function optionsFor(index: number, id: string): Promise<ConnectOptions | null> {
  const player = directory.player(index, id);
  return logins.optionsFor(withContract(connection.connectOptions, contract.connection, player), connection.origin, player, connection.connectTimeoutMs);
}
const config = {
  teams: env.int("TEAMS", 100, 1, 50_000),
  pattern: env.oneOf("RESPONSE_PATTERN", "human_like", RESPONSE_PATTERNS),
  responseScale: env.number("RESPONSE_SCALE", 1, 0.001, 100),
  strategy: env.oneOf("CONNECT_STRATEGY", "gradual", ["gradual", "burst", "immediate"] as const),
  connectRate: env.int("CONNECT_RATE", 10, 1, 10_000),
  burstSize: env.int("BURST_SIZE", 50, 1, 100_000),
  burstIntervalMs: env.int("BURST_INTERVAL_MS", 1_000, 0, 600_000),
  maxDurationMs: parseDurationMs(env.duration("MAX_DURATION", "300s"))!,
  maxRounds: env.int("MAX_ROUNDS", 50, 1, 100_000),
  minRounds: env.int("MIN_ROUNDS", 10, 1, 100_000),
  partnerTimeoutMs: env.int("PARTNER_TIMEOUT_MS", 30_000, 1, 3_600_000),
  questionTimeoutMs: env.int("QUESTION_TIMEOUT_MS", 30_000, 1, 3_600_000),
  teamPrefix: env.string("TEAM_PREFIX", "team"),
};
const players = config.teams * 2;
const connectPhaseMs =
  config.strategy === "gradual"
    ? Math.ceil((players / config.connectRate) * 1000)
    : config.strategy === "burst"
      ? Math.floor((players - 1) / config.burstSize) * config.burstIntervalMs
      : 0;
// The dashboard starts the game once every player had its turn to connect.
const startDelayMs = env.int("START_DELAY_MS", connectPhaseMs + 2_000, 0, 3_600_000);
const sessionBudgetMs = startDelayMs + config.maxDurationMs + config.questionTimeoutMs + connection.connectTimeoutMs;
const gracefulStop = `${Math.ceil(sessionBudgetMs / 1000) + 5}s`;

function playerScenario(): Record<string, unknown> {
  if (config.strategy === "gradual") {
    // One iteration every 1/CONNECT_RATE s; the rounding-up surplus returns at once.
    const seconds = Math.ceil(players / config.connectRate);
    return { executor: "constant-arrival-rate", rate: config.connectRate, timeUnit: "1s", duration: `${seconds}s`, preAllocatedVUs: config.connectRate * seconds, gracefulStop };
  }
  // burst and immediate: one VU per player; burst staggers the batches inside the iteration.
  return { executor: "per-vu-iterations", vus: players, iterations: 1, maxDuration: gracefulStop };
}

export const options = scenarioOptions(
  {
    players: { ...playerScenario(), exec: "player" },
    dashboard: { executor: "per-vu-iterations", vus: 1, iterations: 1, maxDuration: gracefulStop, exec: "dashboard" },
  },
  buildThresholds(presets, {}, env.json("THRESHOLDS")),
);

const teamCreation = new Trend("chsh_team_creation_duration", true);
const teamFormation = new Trend("chsh_team_formation_duration", true);
const responseTime = new Trend("chsh_response_time", true);
const teamCompleted = new Rate("chsh_team_completed");
const errorRate = new Rate("chsh_error_rate");
const errorsByCode = new Counter("chsh_errors");
const questionsReceived = new Counter("chsh_questions_received");
const answersSubmitted = new Counter("chsh_answers_submitted");
const roundsCompleted = new Counter("chsh_rounds_completed");
const questionTimeouts = new Counter("chsh_question_timeouts");
const partnerTimeouts = new Counter("chsh_partner_timeouts");
const confirmTimeouts = new Counter("chsh_confirm_timeouts");
const gameStartDuration = new Trend("chsh_game_start_duration", true);
const mismatchCount = new Counter("chsh_contract_mismatches");
const mismatches = new ContractMismatches("chsh", contract.name, mismatchCount);

interface RunData {
  runId: string;
}

export async function setup(): Promise<RunData> {
  prepareRun(errorsByCode, questionTimeouts, partnerTimeouts, confirmTimeouts, questionsReceived, answersSubmitted, roundsCompleted, mismatchCount, logins.counter);
  console.log(`chsh: contract "${contract.name}" (${contract.describes})`);
  await resetGame();
  return { runId: runIdFrom(env) };
}


export async function player(data: RunData): Promise<void> {
  const index = exec.scenario.iterationInTest;
  if (index >= players) return; // arrival-rate executors can round up
  const team = Math.floor(index / 2);
  const creator = index % 2 === 0;
  const teamName = `${config.teamPrefix}-${data.runId}-${team}`;
  if (config.strategy === "burst") await pause(Math.floor(index / config.burstSize) * config.burstIntervalMs);

  const options = await optionsFor(index, `${teamName}-p${index % 2}`);
  if (!options) return; // its login failed: counted in chsh_login_failures
  const socket = await io(connection.targetUrl, options);
  if (!check(socket, { "player connected": (s) => s.connected })) return;
  const startedAt = Date.now();
  let rounds = 0;
  let formed = false;
  const finish = (): void => {
    if (socket.connected) socket.emit(contract.leave.event, ...contract.leave.args({ team: teamName }));
    socket.disconnect();
  };
  socket.on(contract.error.event, (...args: unknown[]) => {
    const code = contract.error.code(args);
    // TEAM_NOT_FOUND while the creator is still on its way is expected: the joiner retries.
    if (code === "TEAM_NOT_FOUND" && !creator && !formed) return;
    // Counted by code here; the operation it failed is counted in chsh_error_rate by its own wait.
    errorsByCode.add(1, { code });
    console.warn(`chsh: ${teamName}: server error ${code}: ${boundedJson(args[0], 200)}`);
  });
  socket.on(contract.roundComplete, () => {
    rounds += 1;
    if (creator) roundsCompleted.add(1);
  });
  // The partner finished (its own round or time limit) and left: no more questions will come.
  socket.on(contract.partnerGone.event, (...args: unknown[]) => {
    if (formed && contract.partnerGone.gone(args)) finish();
  });
  // Questions are queued as they come: one can arrive together with the news that the team is full.
  const questions = inbox(socket, contract.question.event, contract.question.read, contract.question.expects);

  formed = creator ? await createTeam(socket, teamName) : await joinTeam(socket, teamName);
  const done = (): boolean => rounds >= config.maxRounds || Date.now() - startedAt > startDelayMs + config.maxDurationMs;
  while (formed && socket.connected && !done()) {
    const q = await questions.next(config.questionTimeoutMs + (rounds === 0 ? startDelayMs : 0));
    if (q === "timeout") {
      questionTimeouts.add(1);
      console.warn(`chsh: ${teamName}: no ${contract.question.event} within ${config.questionTimeoutMs} ms`);
    }
    if (typeof q === "string") break;
    if (done()) break; // both players see the same round count, so both stop at the same question
    questionsReceived.add(1);
    await pause(responseDelayMs(config.pattern, config.responseScale));
    // The confirmation is awaited beside the next question, not before it.
    void answer(socket, q);
  }
  finish();
  await socket.closed;
  if (creator) teamCompleted.add(rounds >= config.minRounds);
}

/**
 * The events of one kind a socket receives, read by the contract and queued: next() takes the
 * oldest, or waits for one (bounded). One the contract cannot read is a mismatch, and skipped.
 */
function inbox<T>(socket: Socket, event: string, read: (args: unknown[]) => T | undefined, expects: string) {
  const queue: T[] = [];
  socket.on(event, (...args: unknown[]) => {
    const item = read(args);
    if (item === undefined) mismatches.record(event, args, expects);
    else queue.push(item);
  });
  return {
    async next(timeout: number): Promise<T | "timeout" | "disconnected"> {
      const deadline = Date.now() + timeout;
      while (queue.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) return "timeout";
        // Listeners run before waits: when this resolves, the listener has queued the event.
        const o = await socket.waitFor(event, { timeout: left });
        if (!o.ok) return o.reason;
      }
      return queue.shift()!;
    },
  };
}

/** The creator: create the team, then wait for the partner. Resolves with whether the team formed. */
async function createTeam(socket: Socket, teamName: string): Promise<boolean> {
  const askedAt = Date.now();
  const ready = awaitRecognised(socket, contract.teamReady.event, config.partnerTimeoutMs, contract.teamReady.ready, contract.teamReady.expects, mismatches);
  const c = await exchange(socket, contract.createTeam, { team: teamName }, connection.ackTimeoutMs, mismatches);
  if (c.kind === "mismatch") {
    socket.disconnect();
    return false;
  }
  errorRate.add(!(c.kind === "class" && c.cls === "created"));
  if (c.kind !== "class" || c.cls !== "created") {
    socket.disconnect(); // e.g. the name is taken: this team cannot form (counted by its error code)
    return false;
  }
  teamCreation.add(c.elapsedMs);
  const { outcome: r, unrecognised } = await ready;
  if (!r.ok) {
    // A team whose news this contract could not read is a mismatch (counted), not a missing partner.
    if (r.reason === "timeout" && !unrecognised) {
      partnerTimeouts.add(1);
      console.warn(`chsh: ${teamName}: partner did not join within ${config.partnerTimeoutMs} ms`);
    }
    return false;
  }
  teamFormation.add(Date.now() - askedAt);
  return true;
}

/** The partner: join until the creator's team exists (not_found meanwhile), within the partner timeout. */
async function joinTeam(socket: Socket, teamName: string): Promise<boolean> {
  const askedAt = Date.now();
  while (socket.connected) {
    if (Date.now() - askedAt > config.partnerTimeoutMs) {
      partnerTimeouts.add(1);
      console.warn(`chsh: ${teamName}: team never appeared within ${config.partnerTimeoutMs} ms`);
      return false;
    }
    const j = await exchange(socket, contract.joinTeam, { team: teamName }, connection.ackTimeoutMs, mismatches);
    if (j.kind === "class" && j.cls === "joined") {
      errorRate.add(false);
      return true;
    }
    if (j.kind === "class" && j.cls === "not_found") {
      await pause(250);
      continue;
    }
    if (j.kind === "class") errorRate.add(true); // full, or another error (counted by its code)
    return false;
  }
  return false;
}

async function answer(socket: Socket, question: ChshQuestion): Promise<void> {
  const submittedAt = Date.now();
  const confirmed = awaitRecognised(socket, contract.confirm.event, connection.ackTimeoutMs, (args) => contract.confirm.confirms(args, question), contract.confirm.expects, mismatches);
  socket.emit(contract.answer.event, ...contract.answer.args(question, Math.random() < 0.5));
  answersSubmitted.add(1);
  const { outcome: c, unrecognised } = await confirmed;
  if (!c.ok && unrecognised) return; // a confirmation this contract cannot read: a mismatch, counted
  errorRate.add(!c.ok);
  if (c.ok) responseTime.add(Date.now() - submittedAt);
  else if (c.reason === "timeout") confirmTimeouts.add(1);
}

/** Registers a dashboard where the server wants one; false when it did not answer. */
async function becomeDashboard(socket: Socket): Promise<boolean> {
  const join = contract.dashboard.join;
  if (!join) return true;
  const joined = socket.waitFor(join.awaits, { timeout: connection.ackTimeoutMs });
  socket.emit(join.event, ...join.args);
  return (await joined).ok;
}

export async function dashboard(): Promise<void> {
  await pause(startDelayMs);
  const options = await optionsFor(players, `${config.teamPrefix}-dashboard`);
  const socket = options ? await io(connection.targetUrl, options) : null;
  if (!check(socket, { "dashboard connected": (s) => s?.connected === true }) || !socket) return;
  if (check(await becomeDashboard(socket), { "dashboard registered": (ok) => ok })) {
    const started = socket.waitFor(contract.dashboard.started, { timeout: connection.ackTimeoutMs });
    socket.emit(contract.dashboard.start.event, ...contract.dashboard.start.args);
    const s = await started;
    check(s, { [`${contract.dashboard.started} after ${contract.dashboard.start.event}`]: (x) => x.ok });
    if (s.ok) gameStartDuration.add(s.elapsedMs);
  }
  socket.disconnect();
  await socket.closed;
}

/** The contract's reset of the previous run (the server keeps a started game), before any player connects. */
async function resetGame(): Promise<void> {
  const reset = contract.reset;
  if (!reset) return;
  const step = `contract "${contract.name}", reset step`;
  const options = await optionsFor(players, `${config.teamPrefix}-dashboard`);
  if (!options) failSetup("chsh", step, "the dashboard's login failed (see above)");
  const socket = await io(connection.targetUrl, options);
  if (!socket.connected) failSetup("chsh", step, `could not connect (${socket.connectError?.reason}: ${socket.connectError?.message})`);
  try {
    if (!(await becomeDashboard(socket))) {
      failSetup("chsh", step, `${contract.dashboard.join?.event} was not answered with ${contract.dashboard.join?.awaits} within ${connection.ackTimeoutMs} ms`);
    }
    const done = socket.waitFor(reset.done, { timeout: connection.ackTimeoutMs });
    socket.emit(reset.event, ...reset.args);
    if (!(await done).ok) failSetup("chsh", step, `${reset.event} was not answered with ${reset.done} within ${connection.ackTimeoutMs} ms`);
  } finally {
    socket.disconnect();
  }
}

// `k6 run --vus 201 --duration 5m dist/chsh.js`: one player per iteration, then the dashboard (docs/k6-versions.md).
export default mainFlow(player, { plays: "players", seats: { count: players, setBy: "-e TEAMS" }, then: { dashboard }, graceMs: sessionBudgetMs });

export const handleSummary = makeHandleSummary("chsh", __ENV, {
  chsh_team_completed: "teams did not complete every round (the lines above say which team stopped where, and why)",
  chsh_response_time: "answers were confirmed slower than the limit",
  chsh_error_rate: "operations of the game (join, answer, next question) failed or got no reply",
  chsh_contract_mismatches: `the server's messages do not fit contract "${contract.name}" (${contract.describes}): a mismatch, not a server fault; see the logged payload (-e CONTRACT)`,
  chsh_partner_timeouts: "a team did not become complete in time: the partner never joined, or the server never said the team was full",
  chsh_question_timeouts: `a complete team got no question (${contract.question.event}) within QUESTION_TIMEOUT_MS: the server did not send one, or sends it under another name (each "waitFor … timed out" line above lists what the socket received meanwhile)`,
}, { contractSteps: true });
