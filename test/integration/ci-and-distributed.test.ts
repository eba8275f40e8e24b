// CI gating and distributed runs: summaries (JSON, JUnit), the gate script (its HTML report:
// report.test.ts), offline k6 archives, and scenarios split over three k6 processes with execution segments.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { root } from "../../scripts/lib.mjs";
import { describe, k6, runAgainst, runScenario, type ScenarioRun, startTarget } from "../helpers/k6run.ts";

const MATCHMAKING = { VUS: "4", DURATION: "3s", THINK_TIME_MS: "200", ACK_TIMEOUT_MS: "1000", MATCH_TIMEOUT_MS: "3000", PROBE_INTERVAL_MS: "50" };
const tmp = () => mkdtempSync(join(tmpdir(), "k6sio-ci-"));

test("SUMMARY_DIR: JSON and JUnit summaries name the failed threshold with observed value and limit", async () => {
  const dir = tmp();
  const run = await runScenario("matchmaking", { serverArgs: ["--fault", "no-rate-limit"], env: { ...MATCHMAKING, SUMMARY_DIR: dir } });
  assert.equal(run.code, 99, describe(run));
  const summary = JSON.parse(readFileSync(join(dir, "matchmaking-summary.json"), "utf8"));
  assert.equal(summary.passed, false);
  const missed = summary.thresholds.find((t: { metric: string }) => t.metric === "matchmaking_rate_limit_missed");
  assert.deepEqual([missed.ok, missed.observed], [false, 6]);
  const junit = readFileSync(join(dir, "matchmaking-junit.xml"), "utf8");
  assert.match(junit, /<failure message="threshold matchmaking_rate_limit_missed count==0 failed: count=6, limit count==0"/);
  assert.match(run.stdout, /thresholds FAILED/, "the console verdict is printed");
});

test("SUMMARY_DIR that cannot be written: a clear message, and the verdict and exit code still stand", async () => {
  const run = await runScenario("matchmaking", { env: { ...MATCHMAKING, PROBE_VUS: "0", SUMMARY_DIR: "/nonexistent/k6sio" } });
  assert.equal(run.code, 0, describe(run));
  assert.match(run.stdout, /all \d+ thresholds held/);
  assert.match(run.stderr + run.stdout, /could not open '\/nonexistent\/k6sio\/matchmaking-summary.json'/);
});

test("npm run gate: exit 99 becomes a list of the failed thresholds; a healthy run passes", async () => {
  const bad = await startTarget(["--fault", "slow-ack=400"]);
  const good = await startTarget();
  try {
    const gate = (url: string) =>
      spawnSync(process.execPath, [join(root, "scripts", "ci-gate.mjs"), "matchmaking", url, ...Object.entries(MATCHMAKING).flatMap(([k, v]) => ["-e", `${k}=${v}`])], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, K6: k6(), SUMMARY_DIR: tmp(), GITHUB_ACTIONS: "true" },
        timeout: 120_000,
      });
    const failed = gate(bad.url);
    assert.equal(failed.status, 99, failed.stdout + failed.stderr);
    assert.match(failed.stdout, /FAIL: matchmaking against http:\/\/127\.0\.0\.1:\d+: 1 of \d+ thresholds failed:\n {2}- matchmaking_join_duration p\(95\)<250: observed p\(95\)=\d+(\.\d+)? ms/);
    assert.match(failed.stdout, /::error title=k6-socketio matchmaking threshold failed::matchmaking_join_duration/);
    // As CI runs it, through npm (which prints the command line): the secret in the environment only.
    const secret = "gate-secret-7f3a";
    const passed = spawnSync("npm", ["run", "gate", "--", "matchmaking", good.url, ...Object.entries(MATCHMAKING).flatMap(([k, v]) => ["-e", `${k}=${v}`])], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, K6: k6(), SUMMARY_DIR: tmp(), AUTH_TOKEN: secret },
      timeout: 120_000,
    });
    assert.equal(passed.status, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /PASS: matchmaking against .*: all \d+ thresholds held/);
    assert.ok(!(passed.stdout + passed.stderr).includes(secret), "the secret never reaches the output");
    const warned = spawnSync(process.execPath, [join(root, "scripts", "ci-gate.mjs"), "matchmaking", good.url, "-e", `AUTH_TOKEN=${secret}`, "-e", "VUS=0"], { cwd: root, encoding: "utf8", env: { ...process.env, K6: k6(), SUMMARY_DIR: tmp() }, timeout: 60_000 });
    assert.match(warned.stderr, /warning: -e AUTH_TOKEN=… is on the command line, which npm printed above/);
    assert.ok(!(warned.stdout + warned.stderr).includes(secret));
  } finally {
    await Promise.all([bad.stop(), good.stop()]);
  }
});

test("k6 archive works offline for every bundle, and an archive runs as the bundle does", async () => {
  const dir = tmp();
  for (const name of ["matchmaking", "chsh", "game-room", "chat", "template"]) {
    const out = join(dir, `${name}.tar`);
    const r = spawnSync(k6(), ["archive", "-q", "-O", out, join(root, "dist", `${name}.js`)], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, `${name}: ${r.stdout}${r.stderr}`);
    assert.ok(statSync(out).size > 10_000, name);
  }
  const run = await runScenario("template", { env: { DURATION: "2s", VUS: "2" }, k6ArchivePath: join(dir, "template.tar") });
  assert.equal(run.code, 0, describe(run));
  // The archive's scenarios were fixed when it was made: an -e that sizes the load says so, never in silence.
  assert.match(run.stderr, /k6 runs scenarios fixed before this run .*duration is \S+, the -e options now ask for 2s/, describe(run));
});

test("matchmaking split over three k6 processes: every instance passes, rate-limit contract holds", async () => {
  const server = await startTarget();
  try {
    const runs = await threeInstances("matchmaking", server.url, { ...MATCHMAKING, VUS: "6", PROBE_VUS: "2", RUN_ID: `mm${Date.now().toString(36)}` });
    runs.forEach((r) => assert.equal(r.code, 0, describe(r)));
    const sum = (name: string, key: string) => runs.reduce((a, r) => a + (r.metric(name)?.[key] ?? 0), 0);
    assert.equal(sum("matchmaking_rate_limit_rejections", "count"), 6, "2 probes x 3 over-limit joins, wherever they ran");
    assert.equal(sum("matchmaking_rate_limit_missed", "count"), 0);
    assert.ok(sum("matchmaking_matched", "passes") > 0);
  } finally {
    await server.stop();
  }
});

test("chsh split over three k6 processes: teams pair across instances and all complete", async () => {
  const server = await startTarget();
  try {
    const env = { TEAMS: "6", MAX_ROUNDS: "3", MIN_ROUNDS: "3", RESPONSE_SCALE: "0.05", CONNECT_STRATEGY: "immediate", START_DELAY_MS: "1000", PARTNER_TIMEOUT_MS: "4000", QUESTION_TIMEOUT_MS: "3000", RUN_ID: `ch${Date.now().toString(36)}` };
    const runs = await threeInstances("chsh", server.url, env);
    runs.forEach((r) => assert.equal(r.code, 0, describe(r)));
    assert.equal(runs.reduce((a, r) => a + (r.metric("chsh_team_completed")?.passes ?? 0), 0), 6);
  } finally {
    await server.stop();
  }
});

test("game-room and chat split over three k6 processes: rooms span instances, every delivery counted", async () => {
  const server = await startTarget();
  try {
    const id = Date.now().toString(36);
    const rooms = await threeInstances("game-room", server.url, { ROOMS: "3", ROOM_SIZE: "4", TURNS: "3", THINK_TIME_MS: "50", WAIT_TIMEOUT_MS: "4000", RUN_ID: `gr${id}` });
    rooms.forEach((r) => assert.equal(r.code, 0, describe(r)));
    assert.equal(rooms.reduce((a, r) => a + (r.metric("game_room_delivery")?.passes ?? 0), 0), 3 * 4 * 3 * 4);
    const chat = await threeInstances("chat", server.url, { ROOM_SIZES: "3,4", ROOMS_PER_SIZE: "1", MESSAGES: "4", MESSAGE_INTERVAL_MS: "50", JOIN_WINDOW_MS: "1500", DRAIN_MS: "500", RUN_ID: `ct${id}` });
    chat.forEach((r) => assert.equal(r.code, 0, describe(r)));
    assert.equal(chat.reduce((a, r) => a + (r.metric("chat_delivery")?.passes ?? 0), 0), 3 * 2 * 4 + 4 * 3 * 4);
  } finally {
    await server.stop();
  }
});

function threeInstances(scenario: string, url: string, env: Record<string, string>): Promise<ScenarioRun[]> {
  const sequence = "--execution-segment-sequence=0,1/3,2/3,1";
  return Promise.all(["0:1/3", "1/3:2/3", "2/3:1"].map((segment) => runAgainst(scenario, url, { env, k6Args: [`--execution-segment=${segment}`, sequence] })));
}

test("an instance that execution segments leave without VUs says so; its verdict is still printed", async () => {
  const run = await runScenario("matchmaking", {
    env: { ...MATCHMAKING, VUS: "2", PROBE_VUS: "1" },
    k6Args: ["--execution-segment=1/10:2/10", "--execution-segment-sequence=0,1/10,2/10,1"],
  });
  assert.equal(run.code, 0, describe(run));
  assert.match(run.stderr + run.stdout, /this k6 instance runs no VUs \(execution segment 1\/10:1\/5\)/);
  assert.match(run.stdout, /k6-socketio matchmaking: all \d+ thresholds held/, "the verdict block is still printed");
});
