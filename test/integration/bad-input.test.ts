// Bad input: a wrong URL, a server that is not there, refuses the upgrade, drops the
// connection mid-handshake, sends garbage or stops pinging. Each is a clear message and a
// counted metric, thresholds fail, and the run ends on time.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { describe, runScenario, type ScenarioRun, freePort } from "../helpers/k6run.ts";

const SHORT = {
  VUS: "2",
  DURATION: "3s",
  THINK_TIME_MS: "200",
  CONNECT_TIMEOUT_MS: "2000",
  ACK_TIMEOUT_MS: "1000",
  MATCH_TIMEOUT_MS: "2000",
  PROBE_INTERVAL_MS: "50",
};

/** Far above 3 s of load plus k6's start and graceful stop; only a hang comes near it. */
const ON_TIME_MS = 45_000;

function assertEndedOnTime(run: ScenarioRun): void {
  assert.equal(run.signal, null, `k6 had to be killed:\n${describe(run)}`);
  assert.ok(run.elapsedMs < ON_TIME_MS, `run took ${run.elapsedMs} ms`);
}

function countedAs(reason: string) {
  return { THRESHOLDS: JSON.stringify({ [`socketio_connect_errors{reason:${reason}}`]: ["count==0"] }) };
}

test("an invalid TARGET_URL stops the test at init with a clear message", async () => {
  for (const url of ["127.0.0.1:3000", "ftp://127.0.0.1", "http://127.0.0.1:99999"]) {
    const run = await runScenario("matchmaking", { targetUrl: url, env: SHORT });
    assert.notEqual(run.code, 0, describe(run));
    assert.notEqual(run.code, 99, "not a threshold failure: the test never started");
    assert.match(run.stderr + run.stdout, /invalid target URL/, describe(run));
    assert.equal(run.summary, null);
  }
});

test("every bad option stops at init with exit 107 and names the variable", async () => {
  // k6 exits 107 for an error thrown at init; without our checks a zero DURATION was k6's own
  // config error (104), VUS=0x10 ran 16 VUs and an empty TARGET_URL silently meant the default.
  const cases: [Record<string, string>, RegExp][] = [
    [{ VUS: "0x10" }, /-e VUS=0x10: expected a whole number from 1 to \d+, in decimal digits/],
    [{ VUS: " 3" }, /-e VUS=\\?" 3\\?": remove the spaces/],
    [{ DURATION: "0s" }, /-e DURATION=0s: expected a duration of at least 1s/],
    [{ DURATION: "500ms" }, /-e DURATION=500ms: expected a duration of at least 1s/],
    [{ TARGET_URL: "" }, /-e TARGET_URL is empty/],
    [{ TARGET_URL: "http://127.0.0.1:1/%zz?token=hunter2" }, /-e TARGET_URL: invalid target URL .*malformed percent-encoding/],
  ];
  for (const [env, message] of cases) {
    const run = await runScenario("matchmaking", { targetUrl: "http://127.0.0.1:1", env: { ...SHORT, ...env } });
    assert.equal(run.code, 107, describe(run));
    assert.match(run.stderr + run.stdout, message, describe(run));
    assert.doesNotMatch(run.stderr + run.stdout, /hunter2/, "a query value is not echoed");
  }
});

test("an invalid option names the variable", async () => {
  const run = await runScenario("matchmaking", { targetUrl: "http://127.0.0.1:1", env: { ...SHORT, TRANSPORT: "sse" } });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr + run.stdout, /-e TRANSPORT=sse: expected one of websocket, polling/, describe(run));
});

test("nothing listening: network connect errors, thresholds fail, on time", async () => {
  const port = await freePort();
  // k6/ws, polling over k6/http, and k6/websockets (SOCKETS_PER_VU > 1): the same reason.
  const variants: Record<string, string>[] = [{ TRANSPORT: "websocket" }, { TRANSPORT: "polling" }, { TRANSPORT: "websocket", SOCKETS_PER_VU: "3" }];
  for (const extra of variants) {
    const run = await runScenario("matchmaking", {
      targetUrl: `http://127.0.0.1:${port}`,
      env: { ...SHORT, ...extra, ...countedAs("network") },
    });
    assert.equal(run.code, 99, describe(run));
    assert.ok((run.metric("socketio_connect_errors{reason:network}")?.count ?? 0) > 0, describe(run));
    assert.ok(run.failed.includes("socketio_connect_success rate>0.99"));
    assertEndedOnTime(run);
  }
});

test("websocket refused (polling-only server): HTTP 400 over websocket, upgrade_unavailable over polling", async () => {
  const ws = await runScenario("matchmaking", { serverArgs: ["--fault", "no-websocket"], env: { ...SHORT, ...countedAs("http_400") } });
  assert.equal(ws.code, 99, describe(ws));
  assert.ok((ws.metric("socketio_connect_errors{reason:http_400}")?.count ?? 0) > 0, describe(ws));
  assertEndedOnTime(ws);

  const polling = await runScenario("matchmaking", {
    serverArgs: ["--fault", "no-websocket"],
    env: { ...SHORT, TRANSPORT: "polling", ...countedAs("upgrade_unavailable") },
  });
  assert.equal(polling.code, 99, describe(polling));
  assert.ok((polling.metric("socketio_connect_errors{reason:upgrade_unavailable}")?.count ?? 0) > 0, describe(polling));
  assertEndedOnTime(polling);
});

test("server drops the connection mid-handshake: counted, thresholds fail, on time", async () => {
  for (const transport of ["websocket", "polling"]) {
    const run = await runScenario("matchmaking", { serverArgs: ["--fault", "close-handshake"], env: { ...SHORT, TRANSPORT: transport } });
    assert.equal(run.code, 99, describe(run));
    assert.ok((run.metric("socketio_connect_errors")?.count ?? 0) > 0, describe(run));
    assert.equal(run.metric("socketio_connect_success")?.passes, 0, describe(run));
    assertEndedOnTime(run);
  }
});

test("server sends garbage frames: decode errors counted and fail their threshold; the traffic still flows", async () => {
  const run = await runScenario("matchmaking", { serverArgs: ["--fault", "garbage"], env: SHORT });
  assert.equal(run.code, 99, describe(run));
  assert.deepEqual(run.failed, ["socketio_decode_errors count==0"], describe(run));
  assert.ok((run.metric("socketio_decode_errors")?.count ?? 0) > 0);
  assert.match(run.stderr + run.stdout, /counted in socketio_decode_errors/, "a readable warning is logged");
  assertEndedOnTime(run);
});

test("server stops pinging: the client declares a ping timeout within pingInterval + pingTimeout", async () => {
  const run = await runScenario("matchmaking", {
    // Tables of 4 with 2 players: nobody is matched, so sessions last until the heartbeat check.
    serverArgs: ["--fault", "stop-pings", "--ping-interval", "300", "--ping-timeout", "200", "--table-size", "4"],
    env: { ...SHORT, PROBE_VUS: "0", THRESHOLDS: JSON.stringify({ "socketio_disconnects{reason:ping timeout}": ["count==0"] }) },
  });
  assert.equal(run.code, 99, describe(run));
  assert.ok((run.metric("socketio_disconnects{reason:ping timeout}")?.count ?? 0) > 0, describe(run));
  assert.ok(run.failed.includes("matchmaking_unexpected_disconnects count==0"), describe(run));
  assertEndedOnTime(run);
});


test("no green run on no data: a threshold whose metric (or tag value) got no sample fails as 'no data'", async () => {
  const dir = mkdtempSync(join(tmpdir(), "k6sio-nodata-"));
  // A mistyped event in a threshold's tag filter: nothing is recorded under it.
  const run = await runScenario("matchmaking", {
    env: { ...SHORT, PROBE_VUS: "0", DROPOUTS: "0", SUMMARY_DIR: dir, THRESHOLDS: JSON.stringify({ "socketio_ack_duration{event:queue_jion}": ["p(95)<800"] }) },
  });
  assert.equal(run.code, 99, describe(run));
  assert.deepEqual(run.failed, ["socketio_ack_duration{event:queue_jion} p(95)<800"], describe(run));
  const summary = JSON.parse(readFileSync(join(dir, "matchmaking-summary.json"), "utf8"));
  const typo = summary.thresholds.find((t: { metric: string }) => t.metric === "socketio_ack_duration{event:queue_jion}");
  assert.equal(typo?.noData, true, JSON.stringify(summary.thresholds));
  assert.ok(!summary.thresholds.some((t: { metric: string }) => t.metric.startsWith("k6socketio_samples")), "the guards are not listed themselves");
  assert.match(run.stdout, /✗ socketio_ack_duration\{event:queue_jion\} p\(95\)<800 +\(p\(95\)=no data, limit p\(95\)<800\)\n +no data: no sample/);
});
