// Artillery adapter of the side-by-side benchmark (bench/README.md).
//
// Writes an Artillery script from the contract's BENCH_* variables, runs the locally installed
// Artillery (`artillery run --output report.json config.yml`, default local platform: worker
// threads, telemetry off) and converts its report into the contract's JSON (BENCH_OUT).
//
//   - arrivals: one `arrivalCount: N` phase over BENCH_RAMP_MS (maxVusers N as a guard against the
//     arrivals timer's rounding); Artillery starts its phases after its own start-up (~2 s), so the
//     ramp begins late by that much: `ramp_ms_after_launch` in the result says when the first and
//     the last connection came up.
//   - each VU = one socket from Artillery's built-in `socketio` engine (socket.io-client 4.x:
//     Socket.IO v5 / Engine.IO v4), WebSocket only, forceNew, no reconnection.
//   - hold / fanout: connect, then wait in a function step until BENCH_END_AT.
//   - ack: wait until BENCH_START_AT, then a `loop` with `whileTrue` (Date.now() < END_AT) around
//     the engine's native `emit` + `acknowledge` step (socket.io-client ackTimeout 5 s).
//   - window-exact numbers: processor.mjs records only in-window samples as custom Artillery
//     metrics (bench.*), which Artillery aggregates over the whole run; so counts are exact and the
//     percentiles are Artillery's own summaries (DDSketch, ~1% relative accuracy, 0.1 ms rounding).
//     Artillery's native socketio.* metrics (whole run, periods included) are kept under `native`.
//   - bounded: Artillery is sent SIGTERM 10 s after BENCH_END_AT, SIGKILL 2 s later; BENCH_OUT is
//     written in every case.
// Scratch files (config.yml, report.json) go to `${BENCH_OUT}.artillery/`.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readContract } from "../contract.mjs";

const launchedAt = Date.now();
const here = dirname(fileURLToPath(import.meta.url));
const toolsDir = dirname(here);
const artilleryDir = join(toolsDir, "node_modules", "artillery");
const ACK_TIMEOUT_MS = 5000;
const KILL_AFTER_END_MS = 10_000;

const { url: URL, workload: WORKLOAD, connections: N, rampMs: RAMP_MS, startAt: START_AT, endAt: END_AT, out: OUT, problems } = readContract();

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

const artilleryVersion = readJson(join(artilleryDir, "package.json"))?.version ?? "";
const clientVersion = readJson(join(toolsDir, "node_modules", "socket.io-client", "package.json"))?.version ?? "";

function writeOut(result) {
  const full = {
    tool: "artillery",
    version: artilleryVersion,
    versions: { artillery: artilleryVersion, "socket.io-client": clientVersion, node: process.versions.node },
    workload: WORKLOAD,
    connected: 0,
    connect_failures: 0,
    connect_p95_ms: 0,
    disconnects: 0,
    acks: 0,
    ack_p50_ms: 0,
    ack_p95_ms: 0,
    ack_p99_ms: 0,
    messages: 0,
    fanout_p50_ms: 0,
    fanout_p95_ms: 0,
    errors: [],
    ...result,
  };
  writeFileSync(OUT, JSON.stringify(full, null, 2) + "\n");
}

function flowFor(workload) {
  if (workload === "ack") {
    return [
      { function: "benchConnected" },
      { function: "benchWaitStart" },
      {
        loop: [
          { function: "benchAckStart" },
          { emit: { channel: "echo", data: "{{ $loopCount }}" }, acknowledge: {} },
          { function: "benchAckDone" },
        ],
        whileTrue: "benchInWindow",
      },
    ];
  }
  // hold and fanout: stay connected (heartbeats answered by socket.io-client) until END_AT;
  // fanout's `broadcast` listener is attached by benchConnected.
  return [{ function: "benchConnected" }, { function: "benchWaitEnd" }];
}

function artilleryScript() {
  return {
    config: {
      target: URL,
      socketio: {
        transports: ["websocket"],
        forceNew: true,
        reconnection: false,
        ...(WORKLOAD === "ack" ? { ackTimeout: ACK_TIMEOUT_MS } : {}),
      },
      phases: [{ name: "ramp", duration: `${Math.max(1, Math.round(RAMP_MS))}ms`, arrivalCount: N, maxVusers: N }],
      processor: join(here, "processor.mjs"),
    },
    scenarios: [{ name: WORKLOAD, engine: "socketio", flow: flowFor(WORKLOAD) }],
  };
}

const round = (x, digits = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : 0);

function convert(report, exit) {
  const agg = report.aggregate ?? {};
  const counters = agg.counters ?? {};
  const summaries = agg.summaries ?? agg.histograms ?? {};
  const c = (name) => counters[name] ?? 0;
  const s = (name, key) => round(summaries[name]?.[key] ?? 0);
  const errors = [];
  for (const [name, count] of Object.entries(counters)) {
    if (name.startsWith("errors.")) errors.push(`artillery ${name}: ${count}`);
    if (name.startsWith("bench.disconnect_reason.")) errors.push(`disconnect: ${name.slice("bench.disconnect_reason.".length)} (x${count})`);
  }
  if (c("bench.ack_timeouts")) errors.push(`ack timed out after ${ACK_TIMEOUT_MS} ms (x${c("bench.ack_timeouts")})`);
  if (c("vusers.failed")) errors.push(`artillery vusers.failed: ${c("vusers.failed")}`);
  if (c("vusers.skipped")) errors.push(`artillery vusers.skipped: ${c("vusers.skipped")}`);
  if (c("bench.connect_time_unavailable")) errors.push(`connect time not measured for ${c("bench.connect_time_unavailable")} connections`);
  if (exit.code !== 0) errors.push(`artillery exited with ${exit.code ?? exit.signal}`);
  const connected = c("bench.connected");
  if (connected < N) errors.push(`${N - connected} of ${N} connections never reached the namespace connect`);
  const ramp = summaries["bench.connected_at_ms_after_launch"];
  const notes = [];
  if (ramp && launchedAt + ramp.max > START_AT) {
    notes.push(`Artillery's start-up delayed the ramp: the last connection came up ${Math.round(launchedAt + ramp.max - START_AT)} ms after BENCH_START_AT`);
  }
  return {
    connected,
    connect_failures: Math.max(0, N - connected),
    connect_p95_ms: s("bench.connect_ms", "p95"),
    disconnects: c("bench.disconnects"),
    acks: c("bench.acks"),
    ack_p50_ms: s("bench.ack_ms", "p50"),
    ack_p95_ms: s("bench.ack_ms", "p95"),
    ack_p99_ms: s("bench.ack_ms", "p99"),
    messages: c("bench.messages"),
    fanout_p50_ms: s("bench.fanout_ms", "p50"),
    fanout_p95_ms: s("bench.fanout_ms", "p95"),
    ack_timeouts: c("bench.ack_timeouts"),
    ramp_ms_after_launch: ramp ? { first: round(ramp.min, 0), last: round(ramp.max, 0) } : null,
    method:
      "counts: in-window events counted by processor hooks (bench.* custom metrics) around Artillery's native socketio emit/acknowledge and on the VU's socket, aggregated by Artillery; percentiles: Artillery's aggregate summaries of those custom histograms (DDSketch)",
    notes,
    native: {
      "socketio.emit": c("socketio.emit"),
      "socketio.response_time.p50": s("socketio.response_time", "p50"),
      "socketio.response_time.p95": s("socketio.response_time", "p95"),
      "socketio.response_time.p99": s("socketio.response_time", "p99"),
      "vusers.created": c("vusers.created"),
      "vusers.completed": c("vusers.completed"),
      "vusers.failed": c("vusers.failed"),
      periods: Array.isArray(report.intermediate) ? report.intermediate.length : 0,
    },
    errors,
  };
}

async function main() {
  if (!OUT) {
    console.error("BENCH_OUT is not set");
    process.exit(2);
  }
  if (problems.length) {
    writeOut({ errors: [`bad or missing ${problems.join(", ")}`] });
    process.exit(2);
  }
  const bin = join(artilleryDir, "bin", "run");
  if (!existsSync(bin)) {
    writeOut({ errors: [`artillery is not installed (${bin}); run node bench/install.mjs`] });
    process.exit(1);
  }

  const runDir = `${OUT}.artillery`;
  mkdirSync(runDir, { recursive: true });
  const configPath = join(runDir, "config.yml");
  const reportPath = join(runDir, "report.json");
  // JSON is YAML: Artillery reads it as its script.
  writeFileSync(configPath, JSON.stringify(artilleryScript(), null, 2) + "\n");
  writeFileSync(reportPath, "");

  const child = spawn(process.execPath, [bin, "run", "--output", reportPath, configPath], {
    cwd: runDir,
    env: {
      ...process.env,
      ARTILLERY_DISABLE_TELEMETRY: "true",
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1",
      BENCH_ARTILLERY_LAUNCHED_AT: String(launchedAt),
      BENCH_ARTILLERY_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS),
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  let killed = false;
  const term = setTimeout(() => {
    killed = true;
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 2000).unref();
  }, Math.max(0, END_AT + KILL_AFTER_END_MS - Date.now()));
  const forward = (sig) => () => child.kill(sig);
  process.on("SIGTERM", forward("SIGTERM"));
  process.on("SIGINT", forward("SIGINT"));

  const exit = await new Promise((resolve) => {
    child.once("error", (err) => resolve({ code: null, signal: null, error: err.message }));
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(term);

  const report = readJson(reportPath);
  if (!report) {
    const errors = [
      exit.error
        ? `could not start artillery: ${exit.error}`
        : killed
          ? `artillery still running ${KILL_AFTER_END_MS / 1000} s after BENCH_END_AT: killed, no report`
          : `artillery exited with ${exit.code ?? exit.signal} and wrote no report`,
    ];
    writeOut({ connect_failures: N, errors });
    process.exit(1);
  }
  const result = convert(report, exit);
  if (killed) result.errors.push(`artillery still running ${KILL_AFTER_END_MS / 1000} s after BENCH_END_AT: killed`);
  writeOut(result);
  process.exit(0);
}

main().catch((err) => {
  try {
    writeOut({ errors: [`adapter crashed: ${err instanceof Error ? err.message : String(err)}`] });
  } catch {
    /* nothing more to do */
  }
  process.exit(1);
});
