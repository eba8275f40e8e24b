// dist/doctor.js against each failure mode: it must name the right cause in one read, never
// hang, never print the auth token, and exit 0 only when every step passed.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { root, startProcess, startProxy } from "../../scripts/lib.mjs";
import { ensurePythonVenv } from "../../scripts/python-venv.mjs";
import { describe, runAgainst, runScenario, type ScenarioRun, startTarget, freePort } from "../helpers/k6run.ts";

// Fast heartbeats so that the heartbeat step takes a second, not 25.
const FAST = ["--ping-interval", "600", "--ping-timeout", "400"];
const ASK = { EVENT: "queue_join", PAYLOAD: '{"player_id":"p1","elo":1200}', STEP_TIMEOUT_MS: "3000", ACK_TIMEOUT_MS: "1500" };

function step(run: ScenarioRun, n: number): string {
  // The block of step n in the printed report.
  const m = new RegExp(`\\[(PASS|FAIL|WARN|SKIP)\\] ${n}\\. [^\\n]*(?:\\n {7}[^\\n]*)*`).exec(run.stdout);
  assert.ok(m, `no step ${n} in:\n${run.stdout}`);
  return m[0];
}

function assertOnTime(run: ScenarioRun): void {
  assert.equal(run.signal, null, describe(run));
  assert.ok(run.elapsedMs < 60_000, `took ${run.elapsedMs} ms`);
}

test("doctor: a healthy server passes every step, exit 0", async () => {
  const run = await runScenario("doctor", { serverArgs: FAST, env: { ...ASK, IDLE_HOLD: "2s" } });
  assert.equal(run.code, 0, describe(run));
  for (let n = 1; n <= 9; n++) assert.match(step(run, n), /^\[PASS\]/, `step ${n}`);
  assert.match(run.stdout, /doctor: every step passed/);
});

test("doctor: nothing listening is a refused connection; the later steps are reported as not run", async () => {
  const port = await freePort();
  const run = await runScenario("doctor", { targetUrl: `http://127.0.0.1:${port}`, env: ASK });
  assert.equal(run.code, 99, describe(run));
  assert.match(step(run, 1), /\[FAIL\][\s\S]*cause: +connection refused/);
  assert.match(step(run, 9), /\[SKIP\][\s\S]*not run: +the server is not reachable/);
  assertOnTime(run);
});

test("doctor: a server on a custom path is a wrong path (404)", async () => {
  const run = await runScenario("doctor", { serverArgs: [...FAST, "--path", "/custom"], env: ASK });
  assert.equal(run.code, 99, describe(run));
  assert.match(step(run, 2), /\[FAIL\][\s\S]*nothing answers at \/socket\.io\/ \(HTTP 404\)[\s\S]*ENGINE_PATH/);
  const fixed = await runScenario("doctor", { serverArgs: [...FAST, "--path", "/custom"], env: { ...ASK, ENGINE_PATH: "/custom/" } });
  assert.equal(fixed.code, 0, describe(fixed));
});

test("doctor: an origin check is reported as CORS/origin refused (403)", async () => {
  const run = await runScenario("doctor", { serverArgs: [...FAST, "--fault", "forbidden-origin"], env: ASK });
  assert.equal(run.code, 99, describe(run));
  assert.match(step(run, 2), /\[FAIL\][\s\S]*HTTP 403[\s\S]*CORS/);
});

test("doctor: two instances behind a round-robin proxy without stickiness: Session ID unknown, enable affinity", async () => {
  const a = await startTarget(FAST);
  const b = await startTarget(FAST);
  const plain = await startProxy(["--backend", a.url, "--backend", b.url]);
  const sticky = await startProxy(["--backend", a.url, "--backend", b.url, "--sticky"]);
  try {
    const run = await runAgainst("doctor", plain.url, { env: ASK });
    assert.equal(run.code, 99, describe(run));
    assert.match(step(run, 3), /\[FAIL\][\s\S]*Session ID unknown[\s\S]*sticky sessions[\s\S]*fix: +enable session affinity/);
    const ok = await runAgainst("doctor", sticky.url, { env: ASK });
    assert.equal(ok.code, 0, `with cookie stickiness every step passes\n${describe(ok)}`);
  } finally {
    await Promise.all([plain.stop(), sticky.stop(), a.stop(), b.stop()]);
  }
});

test("doctor: WebSocket refused while polling works (server without websocket, proxy without upgrade)", async () => {
  const run = await runScenario("doctor", { serverArgs: [...FAST, "--fault", "no-websocket"], env: ASK });
  assert.equal(run.code, 99, describe(run));
  assert.match(step(run, 2), /^\[PASS\]/);
  assert.match(step(run, 4), /\[FAIL\][\s\S]*does not accept WebSocket connections[\s\S]*long-polling works/);
  assert.match(step(run, 5), /\[WARN\][\s\S]*no WebSocket upgrade/);
  assert.match(step(run, 6), /\[SKIP\][\s\S]*needs a WebSocket connection/);

  const server = await startTarget(FAST);
  const proxy = await startProxy(["--backend", server.url, "--no-upgrade"]);
  try {
    const viaProxy = await runAgainst("doctor", proxy.url, { env: ASK });
    assert.equal(viaProxy.code, 99, describe(viaProxy));
    assert.match(step(viaProxy, 4), /\[FAIL\][\s\S]*HTTP 400[\s\S]*long-polling works[\s\S]*Upgrade\/Connection headers/);
  } finally {
    await Promise.all([proxy.stop(), server.stop()]);
  }
});

test("doctor: a Socket.IO v2 server is an EIO version mismatch", async () => {
  const v2 = await startProcess(join(root, "test", "peers", "socketio-v2.cjs"), ["--port", "0"]);
  try {
    const run = await runAgainst("doctor", v2.url, { env: ASK });
    assert.equal(run.code, 99, describe(run));
    assert.match(step(run, 2), /\[FAIL\][\s\S]*Engine\.IO v3 framing \(Socket\.IO v2\): EIO version mismatch/);
    assertOnTime(run);
  } finally {
    await v2.stop();
  }
});

test("doctor: an invalid namespace and a refused auth token, without printing the token", async () => {
  const ns = await runScenario("doctor", { serverArgs: FAST, env: { ...ASK, NAMESPACE: "/nope" } });
  assert.equal(ns.code, 99, describe(ns));
  assert.match(step(ns, 6), /\[FAIL\][\s\S]*no namespace \/nope \("Invalid namespace"\)/);

  const report = join(mkdtempSync(join(tmpdir(), "k6sio-doc-")), "report.json");
  const token = "tok-Zq81xW";
  const auth = await runScenario("doctor", { serverArgs: [...FAST, "--auth-token", "s3cret"], env: { ...ASK, AUTH_TOKEN: token, REPORT: report } });
  assert.equal(auth.code, 99, describe(auth));
  assert.match(step(auth, 6), /\[FAIL\][\s\S]*refused the namespace connect: "unauthorized" \(data: \{"reason":"invalid token"\}\)/);
  assert.match(step(auth, 6), /sent: +40\{"token":"\*\*\*"\}/);
  assert.ok(!auth.stdout.includes(token) && !auth.stderr.includes(token), "the token is not printed");
  const json = readFileSync(report, "utf8");
  assert.ok(!json.includes(token), "nor written");
  assert.equal(JSON.parse(json).failed, 1);
});

test("doctor: an ack that never comes on a live connection, and an event handled only in another namespace", async () => {
  const noAck = await runScenario("doctor", { serverArgs: [...FAST, "--fault", "no-ack"], env: ASK });
  assert.equal(noAck.code, 99, describe(noAck));
  assert.match(step(noAck, 7), /\[FAIL\][\s\S]*connection is alive but 'queue_join' was never acked: no handler/);
  assert.match(step(noAck, 8), /^\[PASS\]/, "the heartbeat shows the connection is alive");

  const elsewhere = await runScenario("doctor", { serverArgs: [...FAST, "--namespace", "/matchmaking"], env: ASK });
  assert.equal(elsewhere.code, 99, describe(elsewhere));
  assert.match(step(elsewhere, 7), /\[FAIL\][\s\S]*in namespace \/[\s\S]*a handler in another namespace never sees it/);
  const right = await runScenario("doctor", { serverArgs: [...FAST, "--namespace", "/matchmaking"], env: { ...ASK, NAMESPACE: "/matchmaking" } });
  assert.equal(right.code, 0, describe(right));
});

test("doctor: a connection cut after a fixed time is a proxy or platform timeout", async () => {
  const server = await startTarget(FAST);
  const proxy = await startProxy(["--backend", server.url, "--max-age-ms", "2500"]);
  try {
    const run = await runAgainst("doctor", proxy.url, { env: { ...ASK, IDLE_HOLD: "6s" } });
    assert.equal(run.code, 99, describe(run));
    assert.match(step(run, 9), /\[FAIL\][\s\S]*closed after 2\.\d s of a planned 6 s hold: a proxy, load balancer or platform timeout/);
    assertOnTime(run);
  } finally {
    await Promise.all([proxy.stop(), server.stop()]);
  }
});


test("doctor with a contract: the reply to the contract's join must fit one of its classes; a fire-and-forget event is checked by the event it triggers", async () => {
  const python = ensurePythonVenv();
  const queue = await startProcess(join(root, "test", "peers", "queue_mimic.py"), ["--port", "0", "--drop-dead"], { interpreter: python, timeoutMs: 30_000 });
  try {
    const fits = await runAgainst("doctor", queue.url, { env: { STEP_TIMEOUT_MS: "3000", ACK_TIMEOUT_MS: "1500", HEARTBEAT_MAX_MS: "500", CONTRACT: "baloot-ai" } });
    assert.match(step(fits, 10), /^\[PASS\] 10\. Contract "baloot-ai": queue_join is answered[\s\S]*received: +ack \[\{"success":true[\s\S]*class "accepted"/, describe(fits));
    const wrong = await runAgainst("doctor", queue.url, { env: { STEP_TIMEOUT_MS: "3000", ACK_TIMEOUT_MS: "1500", HEARTBEAT_MAX_MS: "500", CONTRACT: "reference" } });
    assert.equal(wrong.code, 99, describe(wrong));
    assert.match(step(wrong, 10), /^\[FAIL\][\s\S]*cause: +this reply fits none of contract "reference"'s classes: it expects \{status:"queued"\}/);
    assert.doesNotMatch(wrong.stdout, /every step passed/);
  } finally {
    await queue.stop();
  }
  // socket.io's chat example never acks: the event it triggers is what to wait for.
  const run = await runScenario("doctor", { serverArgs: FAST, env: { EVENT: "subscribe", PAYLOAD: '{"count":1,"interval_ms":10}', EXPECT_EVENT: "tick", STEP_TIMEOUT_MS: "3000", ACK_TIMEOUT_MS: "1500" } });
  assert.equal(run.code, 0, describe(run));
  assert.match(step(run, 7), /^\[PASS\] 7\. Emit 'subscribe', expect 'tick'[\s\S]*received: .*tick/);
});
