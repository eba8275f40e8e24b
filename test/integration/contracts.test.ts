// Contracts: the matchmaking flow fitted to a server by its contract alone. A python-socketio
// queue of our own (test/peers/queue_mimic.py) speaks and fails the way baloot-ai's was observed
// to; the reference server has the same dead-player fault. A mismatch reads as a mismatch.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { root, startProcess } from "../../scripts/lib.mjs";
import { ensurePythonVenv } from "../../scripts/python-venv.mjs";
import { describe, runAgainst, runScenario } from "../helpers/k6run.ts";

const SHORT = {
  VUS: "8",
  DURATION: "4s",
  THINK_TIME_MS: "100",
  CONNECT_TIMEOUT_MS: "3000",
  ACK_TIMEOUT_MS: "1500",
  MATCH_TIMEOUT_MS: "3000",
  PROBE_INTERVAL_MS: "50",
};

let python: string;
before(() => {
  python = ensurePythonVenv();
});

async function mimic(args: string[] = []) {
  return startProcess(join(root, "test", "peers", "queue_mimic.py"), ["--port", "0", ...args], { interpreter: python, timeoutMs: 30_000 });
}

async function againstMimic(mimicArgs: string[], env: Record<string, string>) {
  const server = await mimic(mimicArgs);
  try {
    return await runAgainst("matchmaking", server.url, { env: { ...SHORT, ...env }, timeoutMs: 150_000 });
  } finally {
    await server.stop();
  }
}

test("baloot-ai contract against a server that speaks like it (and drops dead players): every threshold holds", async () => {
  const run = await againstMimic(["--drop-dead"], { CONTRACT: "baloot-ai" });
  assert.equal(run.code, 0, describe(run));
  assert.deepEqual(run.failed, []);
  assert.ok((run.metric("matchmaking_matched")?.passes ?? 0) >= 8, describe(run));
  assert.equal(run.metric("matchmaking_rate_limit_rejections")?.count, 6, "2 probes x 3 joins past 5 per clock minute");
  assert.equal(run.metric("matchmaking_contract_mismatches")?.count, 0);
  assert.match(run.stdout + run.stderr, /contract \\?"baloot-ai\\?" \(baloot-ai's matchmaking queue/);
});

test("baloot-ai's real fault, dead players kept queued: the dropout check names it, exit 99", async () => {
  const run = await againstMimic([], { CONTRACT: "baloot-ai" });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("matchmaking_dropout_stalls count==0"), describe(run));
  assert.match(run.stdout + run.stderr, /the server keeps dead players queued: acks stopped after queued players disconnected: .*-witness0's queue_join got no reply/);
  assert.equal(run.metric("matchmaking_contract_mismatches")?.count, 0, "not a mismatch");
});

test("baloot-ai contract, no rate limit: the missed limit is counted, exit 99", async () => {
  const run = await againstMimic(["--drop-dead", "--no-rate-limit"], { CONTRACT: "baloot-ai" });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("matchmaking_rate_limit_missed count==0"), describe(run));
  assert.equal(run.metric("matchmaking_rate_limit_missed")?.count, 6);
});

test("baloot-ai contract, slow answers: join latency fails its threshold, exit 99", async () => {
  const run = await againstMimic(["--drop-dead", "--slow-ack", "400"], { CONTRACT: "baloot-ai" });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("matchmaking_join_duration p(95)<250"), describe(run));
});

test("the wrong contract is a mismatch, named, never a server fault", async () => {
  const run = await againstMimic(["--drop-dead"], { CONTRACT: "reference" });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("matchmaking_contract_mismatches count==0"), describe(run));
  for (const fault of ["matchmaking_rate_limit_missed count==0", "matchmaking_false_rejections count==0", "matchmaking_dropout_stalls count==0", "matchmaking_join_errors count==0"]) {
    assert.ok(!run.failed.includes(fault), `${fault} must not fail on a mismatch:\n${describe(run)}`);
  }
  const out = (run.stdout + run.stderr).replace(/\\"/g, '"');
  assert.match(out, /contract mismatch: contract "reference" does not recognise queue_join: \[\{"success":true/);
  assert.match(out, /it expects \{status:"queued"\}/);
});

test("a contract written as JSON fits the flow to the same server, each player with its own minted JWT; the secret never printed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "k6sio-contract-"));
  const file = join(dir, "my-queue.json");
  const secret = "jwt-test-secret-4711";
  writeFileSync(
    file,
    JSON.stringify({
      name: "my-queue",
      connection: { auth: { token: "${player.token}" }, players: { jwt: { secretEnv: "QUEUE_JWT_SECRET", claims: { sub: "${player.id}" } } } },
      join: {
        event: "queue_join",
        args: [{ playerName: "${player.id}" }],
        classes: {
          accepted: { data: { success: true } },
          rate_limited: { data: { success: false, error: { $regex: "^Too many" } } },
          rejected: { data: { success: false } },
        },
      },
      leave: { event: "queue_leave", args: [{}] },
      match: { event: "match_found", shape: { data: { roomId: { $type: "string" } } }, seats: "any" },
      rateLimit: { joins: 5, window: "clock-minute" },
      tableSize: 4,
    }),
  );
  const run = await againstMimic(["--drop-dead", "--require-jwt", secret], { CONTRACT_FILE: file, QUEUE_JWT_SECRET: secret });
  assert.equal(run.code, 0, describe(run));
  assert.equal(run.metric("matchmaking_rate_limit_rejections")?.count, 6);
  assert.equal(run.metric("matchmaking_join_errors")?.count ?? 0, 0, "every join named its own token's user");
  assert.doesNotMatch(run.stdout + run.stderr, new RegExp(secret));

  // Without the secret the run stops at init, saying which -e to pass.
  const unset = await againstMimic(["--drop-dead", "--require-jwt", secret], { CONTRACT_FILE: file });
  assert.equal(unset.code, 107, describe(unset));
  assert.match(unset.stdout + unset.stderr, /with the secret in -e QUEUE_JWT_SECRET, which is not set/);
});

test("a bad contract stops at init naming it: unknown preset, unreadable file, bad pattern", async () => {
  const dir = mkdtempSync(join(tmpdir(), "k6sio-contract-"));
  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify({ name: "bad", join: { event: "queue_join", classes: { accepted: { $regexp: "x" } } }, leave: { event: "l" }, match: { event: "m" } }));
  const cases: [Record<string, string>, RegExp][] = [
    [{ CONTRACT: "nope" }, /-e CONTRACT=nope: the matchmaking scenario has no contract of that name; presets: reference, baloot-ai/],
    [{ CONTRACT_FILE: join(dir, "missing.json") }, /-e CONTRACT_FILE=.*missing\.json: cannot read/],
    [{ CONTRACT_FILE: bad }, /-e CONTRACT_FILE=.*bad\.json: join\.classes\.accepted: unknown operator \$regexp/],
  ];
  for (const [env, message] of cases) {
    const run = await runScenario("matchmaking", { targetUrl: "http://127.0.0.1:1", env: { ...SHORT, ...env } });
    assert.equal(run.code, 107, describe(run));
    assert.match(run.stdout + run.stderr, message, describe(run));
  }
});

test("the reference server with dead players kept queued: the dropout check names it, exit 99", async () => {
  const run = await runScenario("matchmaking", { serverArgs: ["--fault", "keep-dead-players"], env: { ...SHORT, VUS: "4" } });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("matchmaking_dropout_stalls count==0"), describe(run));
  assert.equal(run.metric("matchmaking_dropout_stalls")?.count, 1);
});

// CHSH: a python-socketio game of our own that speaks the way CHSH-Game was observed to.
const CHSH = {
  TEAMS: "3",
  MAX_ROUNDS: "4",
  MIN_ROUNDS: "4",
  CONNECT_STRATEGY: "immediate",
  START_DELAY_MS: "1500",
  RESPONSE_SCALE: "0.02",
  QUESTION_TIMEOUT_MS: "5000",
  PARTNER_TIMEOUT_MS: "5000",
  MAX_DURATION: "30s",
};

async function chshMimic(args: string[] = []) {
  return startProcess(join(root, "test", "peers", "chsh_mimic.py"), ["--port", "0", ...args], { interpreter: python, timeoutMs: 30_000 });
}

test("chsh-game contract: teams form, the dashboard joins and starts, every round is confirmed; a second run, with the same contract as JSON, passes after the contract's reset", async () => {
  const server = await chshMimic();
  try {
    for (const round of ["first", "second"]) {
      // The second run speaks examples/contracts/chsh-game.json: the preset's JSON form.
      const contract: Record<string, string> = round === "first" ? { CONTRACT: "chsh-game" } : { CONTRACT_FILE: join(root, "examples", "contracts", "chsh-game.json") };
      const run = await runAgainst("chsh", server.url, { env: { ...CHSH, ...contract }, timeoutMs: 120_000 });
      assert.equal(run.code, 0, `${round} run:\n${describe(run)}`);
      assert.equal(run.metric("chsh_team_completed")?.passes, 3, describe(run));
      assert.equal(run.metric("chsh_rounds_completed")?.count, 12, describe(run));
      assert.equal(run.metric("chsh_contract_mismatches")?.count, 0);
      assert.equal(run.metric("chsh_errors")?.count, 0, describe(run));
    }
  } finally {
    await server.stop();
  }
});

test("chsh-game contract, slow answers: the response time fails its threshold, exit 99", async () => {
  const server = await chshMimic(["--slow-confirm", "150"]);
  try {
    const run = await runAgainst("chsh", server.url, { env: { ...CHSH, CONTRACT: "chsh-game" }, timeoutMs: 120_000 });
    assert.equal(run.code, 99, describe(run));
    assert.ok(run.failed.includes("chsh_response_time avg<100"), describe(run));
  } finally {
    await server.stop();
  }
});

test("chsh with the wrong contract: the team news and confirmations are mismatches, never 'partner did not join'", async () => {
  const server = await chshMimic();
  try {
    const run = await runAgainst("chsh", server.url, { env: { ...CHSH, CONTRACT: "reference", PARTNER_TIMEOUT_MS: "2000" }, timeoutMs: 120_000 });
    assert.equal(run.code, 99, describe(run));
    assert.ok(run.failed.includes("chsh_contract_mismatches count==0"), describe(run));
    assert.ok(!run.failed.includes("chsh_partner_timeouts count==0"), describe(run));
    assert.equal(run.metric("chsh_partner_timeouts")?.count, 0, "every partner joined");
    assert.doesNotMatch(run.stdout + run.stderr, /partner did not join/);
  } finally {
    await server.stop();
  }
});

test("a server that wants the session cookie of its own HTTP login (with a CSRF header): -e LOGIN, or a counted, named failure", async () => {
  const login = { url: "/api/login", body: { username: "${player.id}", password: "pw" }, csrf: { url: "/api/csrf", json: "csrf_token", header: "X-CSRFToken" } };
  const ok = await againstMimic(["--drop-dead", "--require-login"], { CONTRACT: "baloot-ai", LOGIN: JSON.stringify(login), DROPOUTS: "0" });
  assert.equal(ok.code, 0, describe(ok));
  assert.equal(ok.metric("matchmaking_login_failures")?.count, 0);
  assert.ok((ok.metric("matchmaking_matched")?.passes ?? 0) >= 8, describe(ok));

  const without = await againstMimic(["--drop-dead", "--require-login"], { CONTRACT: "baloot-ai", DROPOUTS: "0", PROBE_VUS: "0" });
  assert.equal(without.code, 99, describe(without));
  assert.ok((without.metric("socketio_connect_errors{reason:connect_error}")?.count ?? 0) > 0 || (without.metric("socketio_connect_errors")?.count ?? 0) > 0, describe(without));

  const wrong = await againstMimic(["--drop-dead", "--require-login"], { CONTRACT: "baloot-ai", DROPOUTS: "0", PROBE_VUS: "0", LOGIN: JSON.stringify({ ...login, body: { username: "x", password: "nope" } }) });
  assert.equal(wrong.code, 99, describe(wrong));
  assert.ok(wrong.failed.includes("matchmaking_login_failures count==0"), describe(wrong));
  assert.match(wrong.stdout + wrong.stderr, /matchmaking: contract \\?"baloot-ai\\?", login step failed \[http_401\]: POST http:\/\/127\.0\.0\.1:\d+\/api\/login answered HTTP 401/);
});

// Game rooms behind an HTTP login: a python-socketio server of our own that picks room codes,
// seats players through their session, and refuses the CONNECT without the session cookie.
test("cookie-session game rooms: login with CSRF, server-picked codes shared from setup(), entry over HTTP, every choice fanned out", async () => {
  const server = await startProcess(join(root, "test", "peers", "room_mimic.py"), ["--port", "0"], { interpreter: python, timeoutMs: 30_000 });
  try {
    const ROOMS = { ROOMS: "2", ROOM_SIZE: "3", TURNS: "4", THINK_TIME_MS: "50", WAIT_TIMEOUT_MS: "3000" };
    const run = await runAgainst("game-room", server.url, { env: { ...ROOMS, CONTRACT: "cookie-session" }, timeoutMs: 120_000 });
    assert.equal(run.code, 0, describe(run));
    assert.equal(run.metric("game_room_delivery")?.passes, 2 * 3 * 3 * 4, "every member saw every choice of every turn");
    assert.equal(run.metric("game_room_login_failures")?.count, 0);
    assert.equal(typeof run.metric("game_room_reconnect_sync_duration")?.["p(95)"], "number", "the reconnect carried the session cookie too");
    // The reference contract does not log in: creating a room is refused (401), counted and named.
    const refused = await runAgainst("game-room", server.url, { env: { ...ROOMS, WAIT_TIMEOUT_MS: "1000" }, timeoutMs: 120_000 });
    assert.equal(refused.code, 99, describe(refused));
    assert.ok(refused.failed.includes("game_room_setup_errors count==0"), describe(refused));
    assert.match(refused.stdout + refused.stderr, /HTTP step \\?"create\\?": POST http:\/\/127\.0\.0\.1:\d+\/api\/games .* answered 401/);
    // The right contract with a wrong password: every login fails, counted and named.
    const badLogin = { url: "/api/login", body: { username: "${player.id}", password: "nope" }, csrf: { url: "/api/csrf", json: "csrf_token", header: "X-CSRFToken" } };
    const wrong = await runAgainst("game-room", server.url, { env: { ...ROOMS, CONTRACT: "cookie-session", LOGIN: JSON.stringify(badLogin) }, timeoutMs: 120_000 });
    assert.notEqual(wrong.code, 0, describe(wrong));
    assert.match(wrong.stdout + wrong.stderr, /login step failed \[http_401\]/);
  } finally {
    await server.stop();
  }
});

test("a server that seats live players with a gone one is caught by the dropout check too (the contract's seats names players)", async () => {
  const run = await runScenario("matchmaking", { serverArgs: ["--fault", "seat-dead-players"], env: { ...SHORT, VUS: "4" } });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("matchmaking_dropout_stalls count==0"), describe(run));
  assert.match(run.stdout + run.stderr, /the server keeps dead players queued: .*-witness0 was seated with .*-dropout0, who had disconnected while queued/);
});

test("a contract whose seats() never finds the player: a mismatch, never unmatched players or dead-player stalls", async () => {
  const dir = mkdtempSync(join(tmpdir(), "k6sio-contract-"));
  const file = join(dir, "wrong-seats.json");
  writeFileSync(
    file,
    JSON.stringify({
      name: "wrong-seats",
      join: { event: "queue_join", args: [{ playerName: "${player.id}" }], classes: { accepted: { data: { success: true } }, rate_limited: { data: { success: false, error: { $regex: "^Too many" } } }, rejected: { data: { success: false } } } },
      leave: { event: "queue_leave", args: [{}] },
      match: { event: "match_found", shape: { data: { roomId: { $type: "string" } } }, seats: { data: { players: { $some: "${player.id}" } } } },
      rateLimit: { joins: 5, window: "clock-minute" },
      tableSize: 4,
    }),
  );
  const run = await againstMimic(["--drop-dead"], { CONTRACT_FILE: file, MATCH_TIMEOUT_MS: "1000", PROBE_VUS: "0" });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("matchmaking_contract_mismatches count==0"), describe(run));
  assert.ok(!run.failed.includes("matchmaking_dropout_stalls count==0"), describe(run));
  assert.equal(run.metric("matchmaking_matched")?.fails ?? 0, 0, "no player is counted unmatched");
  assert.match((run.stdout + run.stderr).replace(/\\"/g, '"'), /reached the player's own socket, but the contract's seats\(\) did not find the player in it/);
});

test("a join the server answers with its error class is counted as a join error, exit 99", async () => {
  // A contract that sends no elo: the reference server answers {status:"error", reason:"invalid_payload"}.
  const dir = mkdtempSync(join(tmpdir(), "k6sio-contract-"));
  const file = join(dir, "no-elo.json");
  writeFileSync(
    file,
    JSON.stringify({
      name: "no-elo",
      join: { event: "queue_join", args: [{ player_id: "${player.id}" }], classes: { accepted: { data: { status: "queued" } }, rate_limited: { data: { status: "rejected", reason: "rate_limited" } }, rejected: { data: { status: "rejected" } }, error: { data: { status: "error" } } } },
      leave: { event: "queue_leave", args: [{ player_id: "${player.id}" }] },
      match: { event: "match_found", seats: { data: { players: { $some: { player_id: "${player.id}" } } } } },
    }),
  );
  const run = await runScenario("matchmaking", { env: { ...SHORT, VUS: "2", PROBE_VUS: "0", DROPOUTS: "0", CONTRACT_FILE: file } });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("matchmaking_join_errors count==0"), describe(run));
  assert.equal(run.metric("matchmaking_contract_mismatches")?.count, 0, "an error class is not a mismatch");
});
