// Ping-timeout detection under repetition: a python-socketio server (aiohttp) freezes its event
// loop five times in a row; each time the event-loop client (io(), k6/websockets) must declare
// `ping timeout` within the documented lateness: by pingInterval + pingTimeout after the last
// ping, plus at most a quarter of that allowance (the sweep), plus scheduling slack.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { bundleFile } from "../../build.mjs";
import { root } from "../../scripts/lib.mjs";
import { describe, runAgainst } from "../helpers/k6run.ts";
import { pythonPeers } from "../helpers/python-peers.ts";

const peer = pythonPeers("python_server.py", ["--kind", "aiohttp", "--port", "0", "--ping-interval", "1", "--ping-timeout", "1"]);
const SLACK_MS = 300;

test("a frozen python-socketio server, five times: every ping timeout is declared within its documented lateness", async () => {
  const script = await bundleFile(join(root, "test", "k6", "ping-timeout-client.ts"), join(mkdtempSync(join(tmpdir(), "k6sio-pings-")), "pings.js"));
  const server = await peer();
  const run = await runAgainst("pings", server.url, { env: { ROUNDS: "5" }, k6ArchivePath: script, timeoutMs: 90_000 });
  assert.equal(run.code, 0, describe(run));
  const rounds = [...(run.stdout + run.stderr).matchAll(/round (\d+): (.+?) after (\d+) ms \(pingInterval (\d+), pingTimeout (\d+)\)/g)];
  assert.equal(rounds.length, 5, describe(run));
  for (const [, n, reason, ms, interval, timeout] of rounds) {
    const allowance = Number(interval) + Number(timeout);
    const latest = allowance + Math.min(1_000, allowance / 4) + SLACK_MS;
    assert.equal(reason, "ping timeout", `round ${n}`);
    assert.ok(Number(ms) >= Number(timeout) - SLACK_MS && Number(ms) <= latest, `round ${n}: declared after ${ms} ms, documented by ${latest} ms`);
  }
});
