// Root cause first: when nothing connects, or the contract never matches, the run exits 99 with
// one opening line naming the cause, the fix and the doctor command, the thresholds that need a
// connection (or a matching contract) are not judged because of it, and no line accuses the
// server of what could not be observed (dead players queued, a missed rate limit, a stall).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { describe, freePort, runAgainst, startTarget } from "../helpers/k6run.ts";

const SHORT = { VUS: "2", DURATION: "2s", THINK_TIME_MS: "200", CONNECT_TIMEOUT_MS: "2000", ACK_TIMEOUT_MS: "1000", MATCH_TIMEOUT_MS: "1500", PROBE_INTERVAL_MS: "50" };
const ACCUSATIONS = /keeps dead players queued|rate limit were accepted|STALL|waited in vain|the server stopped answering/;

let target: Awaited<ReturnType<typeof startTarget>>;
let notSocketIo: ReturnType<typeof createServer>;
let notSocketIoUrl: string;

before(async () => {
  target = await startTarget();
  // A web server that is not Socket.IO: an HTML page for every path.
  notSocketIo = createServer((_req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end("<html><body><h1>Welcome</h1></body></html>"));
  await new Promise<void>((r) => notSocketIo.listen(0, "127.0.0.1", r));
  notSocketIoUrl = `http://127.0.0.1:${(notSocketIo.address() as { port: number }).port}`;
});
after(async () => {
  await target.stop();
  notSocketIo.close();
});

const output = (r: { stdout: string; stderr: string }) => (r.stdout + r.stderr).replace(/\\"/g, '"');

function assertRootCause(r: Awaited<ReturnType<typeof runAgainst>>, opening: RegExp): void {
  assert.equal(r.code, 99, describe(r));
  const lines = output(r).split("\n").filter((l) => /NOTHING CONNECTED|THE CONTRACT NEVER MATCHED/.test(l));
  assert.equal(lines.length, 1, `one opening cause line:\n${describe(r)}`);
  assert.match(lines[0]!, opening);
  assert.match(lines[0]!, /Fix: .+ Step by step: k6 run -e TARGET_URL=\S+ .*dist\/doctor\.js/);
  assert.doesNotMatch(output(r), ACCUSATIONS, "no accusation of the server");
  assert.doesNotMatch(output(r), /✗ matchmaking_(dropout_stalls|rate_limit|join)/);
}

test("wrong port: nothing listens; every threshold that needs a connection is not judged, in the summary JSON too", async () => {
  const dir = mkdtempSync(join(tmpdir(), "k6sio-root-"));
  const r = await runAgainst("matchmaking", `http://127.0.0.1:${await freePort()}`, { env: { ...SHORT, SUMMARY_DIR: dir } });
  assertRootCause(r, /NOTHING CONNECTED: connection refused by 127\.0\.0\.1 .*Fix: nothing listens on that port/);
  const summary = JSON.parse(readFileSync(join(dir, "matchmaking-summary.json"), "utf8"));
  assert.equal(summary.passed, false);
  assert.equal(summary.rootCause.kind, "connect");
  for (const t of summary.thresholds) {
    if (t.metric.startsWith("socketio_connect_success")) assert.equal(t.ok, false);
    else if (t.metric === "matchmaking_login_failures") assert.equal(t.ok, true); // about the cause: still judged
    else assert.equal(t.notJudged, "nothing connected: the root cause above", t.metric);
  }
});

test("wrong ENGINE_PATH: the doctor's 404 diagnosis, not a WebSocket EOF", async () => {
  const r = await runAgainst("matchmaking", target.url, { env: { ...SHORT, ENGINE_PATH: "/nope/" } });
  assertRootCause(r, /nothing answers at \/nope\/ \(HTTP 404\).*Fix: set -e ENGINE_PATH .*-e ENGINE_PATH=\/nope\/ dist\/doctor\.js/);
});

test("an HTTP server that is not Socket.IO: said in one line, no HTML", async () => {
  const r = await runAgainst("matchmaking", notSocketIoUrl, { env: SHORT });
  assertRootCause(r, /NOTHING CONNECTED: HTTP 200 but not an Engine\.IO open packet .*something other than Socket\.IO answers at \/socket\.io\//);
  assert.doesNotMatch(output(r), /<html>|<h1>/);
});

test("wrong namespace and missing auth: the server's refusal, with where credentials go", async () => {
  const ns = await runAgainst("matchmaking", target.url, { env: { ...SHORT, NAMESPACE: "/nope" } });
  assertRootCause(ns, /the server has no namespace \/nope \("Invalid namespace"\).*Fix: check -e NAMESPACE/);
  const auth = await runAgainst("matchmaking", target.url, { env: { ...SHORT, NAMESPACE: "/game" } });
  assertRootCause(auth, /the server refused the namespace connect: "unauthorized".*Fix: give the credentials where the server reads them: in the CONNECT payload \(socket\.handshake\.auth: -e AUTH_TOKEN=…\)/);
});

test("a contract that never matches: the contract, not the server", async () => {
  const r = await runAgainst("matchmaking", target.url, { env: { ...SHORT, CONTRACT: "baloot-ai" } });
  assertRootCause(r, /THE CONTRACT NEVER MATCHED: no reply of the server fitted the contract/);
  assert.ok(r.failed.includes("matchmaking_contract_mismatches count==0"), describe(r));
});
