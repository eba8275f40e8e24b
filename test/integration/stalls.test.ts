// A frozen server fails the run and the verdict names the stall: the reference server is
// stopped (SIGSTOP) for part of a run, then resumed (SIGCONT), over k6/ws, k6/websockets and
// polling-only. Also: no connect counts as a success past connectTimeout, and a reconnect after
// the ping timeout starts within its backoff, not when the dead socket's close completes.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { bundleFile } from "../../build.mjs";
import { root, runK6, startTarget, thresholdResults } from "../../scripts/lib.mjs";
import { k6 } from "../helpers/k6run.ts";

/** After the script's setup() logged its line: k6's own start-up time varies on a loaded machine. */
const FREEZE_AT_MS = 3_000;
const FREEZE_MS = 12_000;
const CONNECT_TIMEOUT_MS = 3_000;
/** Short heartbeats: a ping timeout comes about 2 s into the freeze. */
const SERVER = ["--ping-interval", "1000", "--ping-timeout", "1000"];

interface FrozenRun {
  code: number;
  out: string;
  summary: { thresholds: { metric: string; ok: boolean; cause?: string }[]; metrics: Record<string, { values: Record<string, number> }> };
  failed: string[];
}

let scriptPath: Promise<string> | undefined;
function script(): Promise<string> {
  scriptPath ??= bundleFile(join(root, "test", "k6", "stall-client.ts"), join(mkdtempSync(join(tmpdir(), "k6sio-stall-")), "stall-client.js"));
  return scriptPath;
}

/** Runs `scriptFile` against a reference server that is frozen from FREEZE_AT_MS for FREEZE_MS. */
async function runFrozen(scriptFile: string, scenario: string, env: Record<string, string>): Promise<FrozenRun> {
  const server = await startTarget(SERVER);
  const pid = server.process.pid!;
  const dir = mkdtempSync(join(tmpdir(), "k6sio-frozen-"));
  const summaryPath = join(dir, "export.json");
  const timers: NodeJS.Timeout[] = [];
  try {
    let armed = false;
    const freezeAfterSetup = (chunk: string): void => {
      if (armed || !chunk.includes("source=console")) return;
      armed = true;
      timers.push(setTimeout(() => process.kill(pid, "SIGSTOP"), FREEZE_AT_MS));
      timers.push(setTimeout(() => process.kill(pid, "SIGCONT"), FREEZE_AT_MS + FREEZE_MS));
    };
    const r = await runK6(k6(), scriptFile, {
      env: { TARGET_URL: server.url, SUMMARY_DIR: dir, CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS), ACK_TIMEOUT_MS: "2000", STALL_AFTER_MS: "5000", ...env },
      args: ["--quiet"],
      summaryPath,
      timeoutMs: 90_000,
      onStderr: freezeAfterSetup,
    });
    assert.ok(armed, `the script's setup() never logged:\n${r.stderr}`);
    const failed = thresholdResults(r.summary)
      .filter((t: { ok: boolean }) => !t.ok)
      .map((t: { metric: string; expression: string }) => `${t.metric} ${t.expression}`);
    const summary = JSON.parse(readFileSync(join(dir, `${scenario}-summary.json`), "utf8"));
    return { code: r.code, out: `${r.stdout}\n${r.stderr}`, summary, failed };
  } finally {
    for (const t of timers) clearTimeout(t);
    try {
      process.kill(pid, "SIGCONT");
    } catch {
      // already gone
    }
    await server.stop();
  }
}

function describe(run: FrozenRun): string {
  return `exit ${run.code}, failed: ${JSON.stringify(run.failed)}\n${run.out.split("\n").slice(-40).join("\n")}`;
}

/** Exit 99, socketio_stalls failed with its cause in the summary and in the printed verdict, and the STALL warning. */
function assertStallNamed(run: FrozenRun): void {
  assert.equal(run.code, 99, describe(run));
  assert.ok(run.failed.includes("socketio_stalls count==0"), describe(run));
  const stalls = run.summary.thresholds.find((t) => t.metric === "socketio_stalls");
  assert.match(stalls?.cause ?? "", /^STALL: /, JSON.stringify(run.summary.thresholds));
  assert.match(run.out, /✗ socketio_stalls count==0 .*\n +STALL: /, describe(run));
  assert.match(run.out, /k6-socketio: STALL: this VU waited \d+\.\d s for an answer/, describe(run));
}

/** No connect is counted as a success past connectTimeout, whatever the transport did meanwhile. */
function assertNoSlowSuccess(run: FrozenRun): void {
  const connect = run.summary.metrics.socketio_connect_duration?.values;
  assert.ok(connect && connect.max! < CONNECT_TIMEOUT_MS + 500, `connect duration max ${connect?.max} ms`);
}

test("frozen server over k6/ws (connect()): the late dial is a connect timeout, the stall fails the run and is named", async () => {
  const run = await runFrozen(await script(), "stall", { CLIENT: "ws" });
  assertStallNamed(run);
  assertNoSlowSuccess(run);
  assert.match(run.out, /past connectTimeout \(3000 ms\)|within 3000 ms/, describe(run));
});

test("frozen server over k6/websockets (the matchmaking scenario's default thresholds): exit 99, the stall named", async () => {
  const run = await runFrozen(join(root, "dist", "matchmaking.js"), "matchmaking", { VUS: "4", DURATION: "20s", THINK_TIME_MS: "200", MATCH_TIMEOUT_MS: "3000", PROBE_VUS: "0", DROPOUTS: "0" });
  assertStallNamed(run);
  assertNoSlowSuccess(run);
});

test("frozen server over k6/websockets with reconnection: the reconnect starts within its backoff, not when the dead socket closes", async () => {
  // One long session per VU: the freeze finds every connection open, and its ping timeout ends it.
  const run = await runFrozen(await script(), "stall", { CLIENT: "websockets", SESSION_MS: "18000" });
  assertStallNamed(run);
  assertNoSlowSuccess(run);
  const delay = run.summary.metrics.stall_reconnect_delay?.values;
  // Backoff at most 1 s; the dead socket's close would hold it until the server resumes (≈10 s).
  assert.ok(delay?.max !== undefined && delay.max < 3_000, `reconnect delays ${JSON.stringify(delay)}\n${describe(run)}`);
});

test("frozen server over polling-only: exit 99, the stall named", async () => {
  const run = await runFrozen(await script(), "stall", { CLIENT: "polling-only", TRANSPORT: "polling-only" });
  assertStallNamed(run);
  assertNoSlowSuccess(run);
});

let starvedPath: Promise<string> | undefined;

/** Runs test/k6/starved.ts over `client` against a server pinging every 300 ms (300 ms timeout). */
async function runStarved(client: string) {
  starvedPath ??= bundleFile(join(root, "test", "k6", "starved.ts"), join(mkdtempSync(join(tmpdir(), "k6sio-starved-")), "starved.js"));
  const server = await startTarget(["--ping-interval", "300", "--ping-timeout", "300"]);
  try {
    const summaryPath = join(mkdtempSync(join(tmpdir(), "k6sio-starved-")), "export.json");
    const r = await runK6(k6(), await starvedPath, { env: { TARGET_URL: server.url, CLIENT: client, BUSY_MS: "3000" }, args: ["--quiet"], summaryPath, timeoutMs: 60_000 });
    const metric = (name: string): Record<string, number> => (r.summary?.metrics?.[name] ?? {}) as Record<string, number>;
    return { ...r, out: `${r.stdout}\n${r.stderr}`.replace(/\\"/g, '"'), metric };
  } finally {
    await server.stop();
  }
}

for (const client of ["websockets", "ws"]) {
  test(`a starved generator over ${client === "ws" ? "k6/ws" : "k6/websockets"} says so: its losses are "generator overloaded", the lag shows, one warning`, async () => {
    const run = await runStarved(client);
    const why = `exit ${run.code}\n${run.out.split("\n").slice(-30).join("\n")}`;
    assert.equal(run.code, 0, why);
    assert.equal(run.metric("checks").fails, 0, why);
    assert.match(run.out, /starved: disconnect reasons \["generator overloaded"/, why);
    assert.ok(run.metric("socketio_disconnects{reason:generator overloaded}").count! >= 1, why);
    assert.ok(!/ended by ping timeout/.test(run.out), `the server is not blamed\n${why}`);
    // Every ack that timed out meanwhile is the generator's too.
    assert.equal(run.metric("socketio_ack_timeouts{reason:generator overloaded}").count ?? 0, run.metric("socketio_ack_timeouts").count ?? 0, why);
    assert.ok(run.metric("socketio_generator_lag").max! >= 2_000, `lag ${JSON.stringify(run.metric("socketio_generator_lag"))}`);
    const warnings = run.out.match(/recorded as "generator overloaded", not blamed on the server/g) ?? [];
    assert.equal(warnings.length, 1, why);
    assert.match(run.out, /event loop ran \d+ ms late .*fewer sockets \(SOCKETS_PER_VU\) or spread the VUs over more k6 instances/, why);
  });
}
