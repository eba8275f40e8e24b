// The seeds' systems: dist/chsh.js, dist/game-room.js and dist/chat.js against the reference
// server, healthy and with each fault mode that must fail a threshold.
import assert from "node:assert/strict";
import { test } from "node:test";
import { describe, runAgainst, runScenario, type ScenarioRun, startTarget } from "../helpers/k6run.ts";

const ON_TIME_MS = 60_000;
const onTime = (run: ScenarioRun) => {
  assert.equal(run.signal, null, `k6 had to be killed:\n${describe(run)}`);
  assert.ok(run.elapsedMs < ON_TIME_MS, `run took ${run.elapsedMs} ms`);
};

// CHSH: 3 teams, 4 rounds each, the seed's human_like delays at 1/20 of their length.
const CHSH = {
  TEAMS: "3",
  MAX_ROUNDS: "4",
  MIN_ROUNDS: "4",
  RESPONSE_SCALE: "0.05",
  CONNECT_RATE: "20",
  START_DELAY_MS: "800",
  PARTNER_TIMEOUT_MS: "3000",
  QUESTION_TIMEOUT_MS: "2000",
  ACK_TIMEOUT_MS: "2000",
};

test("chsh: teams form and play every round over the gradual and burst strategies, exit 0", async () => {
  for (const strategy of ["gradual", "burst"]) {
    const run = await runScenario("chsh", { env: { ...CHSH, CONNECT_STRATEGY: strategy, BURST_SIZE: "2", BURST_INTERVAL_MS: "100" } });
    assert.equal(run.code, 0, describe(run));
    assert.equal(run.metric("chsh_team_completed")?.passes, 3, describe(run));
    assert.equal(run.metric("chsh_rounds_completed")?.count, 12);
    assert.equal(run.metric("chsh_answers_submitted")?.count, run.metric("chsh_questions_received")?.count, "every question answered");
  }
});

test("chsh --fault slow-confirm=150: the server response average fails its threshold, exit 99", async () => {
  const run = await runScenario("chsh", { serverArgs: ["--fault", "slow-confirm=150"], env: CHSH });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("chsh_response_time avg<100"), describe(run));
  assert.ok((run.metric("chsh_response_time")?.avg ?? 0) >= 150);
});

test("chsh --fault no-questions: each player's wait is bounded and counted, exit 99 on time", async () => {
  const run = await runScenario("chsh", { serverArgs: ["--fault", "no-questions"], env: CHSH });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("chsh_question_timeouts count==0"), describe(run));
  // The first player of a team to give up leaves; its partner then leaves a broken team and
  // does not count a second timeout unless it gave up at the same moment: 1 or 2 per team.
  const timeouts = run.metric("chsh_question_timeouts")?.count ?? 0;
  assert.ok(timeouts >= 3 && timeouts <= 6, `question timeouts: ${timeouts}`);
  assert.ok(run.failed.includes("chsh_team_completed rate>=0.9"));
  onTime(run);
});

test("chsh split over two k6 processes (execution segments): every team forms across them and plays", async () => {
  const server = await startTarget();
  try {
    const env = { ...CHSH, TEAMS: "4", CONNECT_STRATEGY: "immediate", RUN_ID: `seg${Date.now().toString(36)}` };
    const sequence = "--execution-segment-sequence=0,1/2,1";
    const [a, b] = await Promise.all([
      runAgainst("chsh", server.url, { env, k6Args: ["--execution-segment=0:1/2", sequence] }),
      runAgainst("chsh", server.url, { env, k6Args: ["--execution-segment=1/2:1", sequence] }),
    ]);
    assert.equal(a.code, 0, describe(a));
    assert.equal(b.code, 0, describe(b));
    const passes = (r: ScenarioRun) => r.metric("chsh_team_completed")?.passes ?? 0;
    assert.equal(passes(a) + passes(b), 4, "all four teams completed their rounds");
    assert.equal((a.metric("chsh_partner_timeouts")?.count ?? 0) + (b.metric("chsh_partner_timeouts")?.count ?? 0), 0);
  } finally {
    await server.stop();
  }
});

test("chsh: a partner that never arrives (half of a split run alone) is a bounded, counted timeout", async () => {
  const run = await runScenario("chsh", {
    env: { ...CHSH, TEAMS: "4", CONNECT_STRATEGY: "immediate", PARTNER_TIMEOUT_MS: "1500" },
    k6Args: ["--execution-segment=0:1/2", "--execution-segment-sequence=0,1/2,1"],
  });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("chsh_partner_timeouts count==0"), describe(run));
  onTime(run);
});

test("chsh: a team name already taken (two runs with the same RUN_ID) is a counted error", async () => {
  const server = await startTarget();
  try {
    const env = { ...CHSH, TEAMS: "2", CONNECT_STRATEGY: "immediate", RUN_ID: `dup${Date.now().toString(36)}` };
    const runs = await Promise.all([runAgainst("chsh", server.url, { env }), runAgainst("chsh", server.url, { env })]);
    const output = runs.map((r) => r.stdout + r.stderr).join("\n");
    assert.match(output, /TEAM_NAME_TAKEN/, runs.map(describe).join("\n"));
    assert.ok(runs.some((r) => r.code === 99), runs.map(describe).join("\n"));
    runs.forEach(onTime);
  } finally {
    await server.stop();
  }
});

const ROOMS = { ROOMS: "3", ROOM_SIZE: "4", TURNS: "4", THINK_TIME_MS: "50", WAIT_TIMEOUT_MS: "3000" };

test("game-room: joins, choices fan out, presence, reconnect with sync, error codes: exit 0", async () => {
  const run = await runScenario("game-room", { env: ROOMS });
  assert.equal(run.code, 0, describe(run));
  assert.equal(run.metric("game_room_delivery")?.passes, 3 * 4 * 4 * 4, "every member saw every choice of every turn");
  assert.equal(run.metric("game_room_error_contract")?.passes, 4, "AUTH_REQUIRED, INVALID_GAME, NOT_IN_GAME, GAME_FULL");
  assert.equal(typeof run.metric("game_room_reconnect_sync_duration")?.["p(95)"], "number");
});

test("game-room --fault drop-broadcast=0.1: lost fan-out fails the delivery threshold, exit 99", async () => {
  const run = await runScenario("game-room", { serverArgs: ["--fault", "drop-broadcast=0.1"], env: ROOMS });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("game_room_delivery rate>0.999"), describe(run));
  onTime(run);
});

test("game-room: a games API that does not exist is a probable contract mismatch naming the step, not a setup error", async () => {
  const run = await runScenario("game-room", { env: { ...ROOMS, GAMES_API_PATH: "/nope" } });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("game_room_contract_mismatches count==0"), describe(run));
  assert.ok(!run.failed.includes("game_room_setup_errors count==0"), describe(run));
  assert.match(run.stderr + run.stdout, /probable contract mismatch at HTTP step \\?"create\\?" .*POST http:\/\/127\.0\.0\.1:\d+\/nope .* answered 404/);
});

const CHAT = { ROOM_SIZES: "2,5", ROOMS_PER_SIZE: "2", MESSAGES: "5", MESSAGE_INTERVAL_MS: "50", JOIN_WINDOW_MS: "1000", DRAIN_MS: "500", ACK_TIMEOUT_MS: "1000" };

test("chat: every member receives every message; fan-out reported by room size, exit 0", async () => {
  const run = await runScenario("chat", { env: CHAT });
  assert.equal(run.code, 0, describe(run));
  // rooms x members x others x messages: two rooms of 2, two of 5
  assert.equal(run.metric("chat_delivery")?.passes, 2 * 2 * 1 * 5 + 2 * 5 * 4 * 5);
  for (const size of [2, 5]) assert.equal(typeof run.metric(`chat_fanout_duration{room_size:${size}}`)?.["p(95)"], "number");
});

test("chat --fault room-namespace (seed 002's bug): nothing is delivered, exit 99", async () => {
  const run = await runScenario("chat", { serverArgs: ["--fault", "room-namespace"], env: CHAT });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("chat_delivery rate>0.999"), describe(run));
  assert.equal(run.metric("chat_delivery")?.passes, 0);
});

test("chat --fault drop-broadcast=0.05: a 5% loss fails the 0.999 delivery threshold, exit 99", async () => {
  const run = await runScenario("chat", { serverArgs: ["--fault", "drop-broadcast=0.05"], env: CHAT });
  assert.equal(run.code, 99, describe(run));
  assert.deepEqual(run.failed, ["chat_delivery rate>0.999"], describe(run));
  const rate = run.metric("chat_delivery")?.value ?? 1;
  assert.ok(rate > 0.85 && rate < 0.999, `delivery ${rate}`);
});

test("chat: a room the server says does not exist (join never handled) is counted with the server's reason", async () => {
  const run = await runScenario("chat", { env: { ...CHAT, JOIN_EVENT: "join_room_typo" } });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("chat_join_errors count==0"), describe(run));
  // {ok:false, error:"ROOM_NOT_FOUND"} is the server refusing the send: a refusal, not an error.
  assert.ok(run.failed.includes("chat_send_refused count==0"), describe(run));
  assert.equal(run.metric("chat_send_errors")?.count ?? 0, 0);
  assert.match(run.stderr + run.stdout, /ROOM_NOT_FOUND/);
  onTime(run);
});
