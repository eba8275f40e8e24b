// The main job end to end: the real k6 runs dist/matchmaking.js against the reference server.
import assert from "node:assert/strict";
import { test } from "node:test";
import { describe, runScenario } from "../helpers/k6run.ts";

// Short but complete: both k6 scenarios run, the probe sends all 8 joins.
const SHORT = {
  VUS: "4",
  DURATION: "3s",
  THINK_TIME_MS: "200",
  CONNECT_TIMEOUT_MS: "3000",
  ACK_TIMEOUT_MS: "1000",
  MATCH_TIMEOUT_MS: "3000",
  PROBE_INTERVAL_MS: "50",
};

test("healthy server over websocket: every threshold holds, exit 0", async () => {
  const run = await runScenario("matchmaking", { env: SHORT });
  assert.equal(run.code, 0, describe(run));
  assert.deepEqual(run.failed, []);
  assert.ok((run.metric("matchmaking_matched")?.passes ?? 0) >= 4, "players were matched");
  assert.equal(run.metric("matchmaking_rate_limit_rejections")?.count, 6, "2 probes x 3 joins over the limit");
  assert.equal(run.metric("matchmaking_false_rejections")?.count, 0);
  assert.equal(typeof run.metric("matchmaking_join_duration")?.["p(95)"], "number", "join latency was measured");
  assert.equal(run.metric("socketio_connect_errors")?.count, 0);
});

test("polling handshake then upgrade, with heartbeats answered on both transports: exit 0", async () => {
  const run = await runScenario("matchmaking", {
    // Pings every 200 ms: a probe session lasts over a second, so unanswered pings would kill it.
    serverArgs: ["--ping-interval", "200", "--ping-timeout", "200"],
    env: { ...SHORT, TRANSPORT: "polling", THRESHOLDS: JSON.stringify({ "socketio_disconnects{reason:transport close}": ["count==0"] }) },
  });
  assert.equal(run.code, 0, describe(run));
  assert.ok((run.metric("http_reqs")?.count ?? 0) >= 3, "the handshake went over HTTP long-polling");
  assert.ok((run.metric("ws_sessions")?.count ?? 0) > 0, "and was upgraded to a WebSocket");
  assert.equal(run.metric("socketio_disconnects{reason:transport close}")?.count, 0);
});

test("--fault no-ack: ack timeouts are counted and fail their threshold, exit 99", async () => {
  const run = await runScenario("matchmaking", { serverArgs: ["--fault", "no-ack"], env: SHORT });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("socketio_ack_timeouts count==0"), describe(run));
  // Queue players and probes: every join goes unanswered.
  assert.ok((run.metric("socketio_ack_timeouts")?.count ?? 0) >= 4, describe(run));
  assert.ok(run.failed.includes("matchmaking_join_timeouts count==0"), describe(run));
  // A probe that gets no answer cannot tell whether the server limits joins: no missed limit is counted.
  assert.equal(run.metric("matchmaking_rate_limit_missed")?.count, 0, describe(run));
});

test("--fault no-rate-limit: the missing rejections fail their thresholds, exit 99", async () => {
  const run = await runScenario("matchmaking", { serverArgs: ["--fault", "no-rate-limit"], env: SHORT });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("matchmaking_rate_limit_missed count==0"), describe(run));
  assert.ok(run.failed.includes("matchmaking_over_limit_rejected rate==1"), describe(run));
  assert.ok(!run.failed.includes("matchmaking_false_rejections count==0"));
  assert.equal(run.metric("matchmaking_rate_limit_rejections")?.count, 0);
});

test("--fault slow-ack=400: p95 join latency fails its threshold, exit 99", async () => {
  const run = await runScenario("matchmaking", { serverArgs: ["--fault", "slow-ack=400"], env: { ...SHORT, PROBE_VUS: "0" } });
  assert.equal(run.code, 99, describe(run));
  assert.deepEqual(run.failed, ["matchmaking_join_duration p(95)<250"], describe(run));
  assert.ok((run.metric("matchmaking_join_duration")?.["p(95)"] ?? 0) >= 400);
});

test("wrong auth token: CONNECT_ERROR is counted by reason and fails connect success, exit 99", async () => {
  const run = await runScenario("matchmaking", {
    serverArgs: ["--auth-token", "s3cret"],
    env: { ...SHORT, AUTH_TOKEN: "wrong", THRESHOLDS: JSON.stringify({ "socketio_connect_errors{reason:connect_error}": ["count==0"] }) },
  });
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("socketio_connect_success rate>0.99"), describe(run));
  assert.ok((run.metric("socketio_connect_errors{reason:connect_error}")?.count ?? 0) > 0, describe(run));
  assert.equal(run.metric("socketio_connect_success")?.passes, 0);
});

test("right auth token: connects, exit 0", async () => {
  const run = await runScenario("matchmaking", { serverArgs: ["--auth-token", "s3cret"], env: { ...SHORT, AUTH_TOKEN: "s3cret" } });
  assert.equal(run.code, 0, describe(run));
});

test("SOCKETS_PER_VU=20: each VU plays 20 players at once over k6/websockets, every threshold holds", async () => {
  const run = await runScenario("matchmaking", { env: { ...SHORT, VUS: "2", SOCKETS_PER_VU: "20" } });
  assert.equal(run.code, 0, describe(run));
  assert.deepEqual(run.failed, []);
  assert.ok((run.metric("matchmaking_matched")?.passes ?? 0) >= 40, "at least one round of 40 concurrent players matched");
  assert.equal(run.metric("matchmaking_rate_limit_rejections")?.count, 6);
});
