// Runs one tool for one workload against a fresh reference server, under the contract in
// bench/README.md, and measures it from the outside: CPU and RSS of the tool's process tree, and
// the server's own count of connections and disconnect reasons at the end of the window.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, readFileSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { startTarget } from "../../scripts/lib.mjs";
import { sampleTree } from "./proc-sampler.mjs";

/** Every process this module started and has not yet seen exit: killed on Ctrl-C or crash. */
export const live = new Set();

export function killAll() {
  for (const child of live) killGroup(child, "SIGKILL");
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal); // the tool and everything it spawned (own process group)
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** What each benchmark workload asks of the tool, in the contract's three words. */
const CONTRACT_WORKLOAD = { hold: "hold", capacity: "hold", ack: "ack", latency: "ack", fanout: "fanout" };

const hasTaskset = spawnSync("taskset", ["--version"], { stdio: "ignore" }).status === 0;
/** Server on core 1, tool on core 0, when the machine has two cores and taskset exists. */
export const pinning = hasTaskset && cpus().length >= 2;

function pinProcess(pid, core) {
  if (pinning) spawnSync("taskset", ["-a", "-cp", String(core), String(pid)], { stdio: "ignore" });
}

async function serverStats(url) {
  try {
    const res = await fetch(`${url}/bench/stats`, { signal: AbortSignal.timeout(3_000) });
    return await res.json();
  } catch (err) {
    return { error: String(err) };
  }
}

/**
 * @param {{ id: string, name: string, version?: string, command: string[], cwd: string, env?: Record<string,string> }} tool
 * @param {{ name: string, connections: number, rampMs: number, settleMs: number, windowMs: number, serverArgs: string[], rate?: number }} workload
 * @param {{ host: string, outDir: string, graceMs?: number, log: (line: string) => void }} options
 */
export async function runTool(tool, workload, { host, outDir, graceMs = 15_000, log }) {
  const label = `${workload.name}-${tool.id}`;
  const resultPath = join(outDir, `${label}.json`);
  const logPath = join(outDir, `${label}.log`);
  rmSync(resultPath, { force: true });
  const server = await startTarget(["--host", host, ...workload.serverArgs]);
  live.add(server.process);
  pinProcess(server.process.pid, 1);
  const launchedAt = Date.now();
  const startAt = launchedAt + workload.rampMs + workload.settleMs;
  const endAt = startAt + workload.windowMs;
  const env = {
    ...process.env,
    ...(tool.env ?? {}),
    BENCH_URL: server.url,
    BENCH_WORKLOAD: CONTRACT_WORKLOAD[workload.name],
    BENCH_CONNECTIONS: String(workload.connections),
    BENCH_RAMP_MS: String(workload.rampMs),
    BENCH_START_AT: String(startAt),
    BENCH_END_AT: String(endAt),
    BENCH_OUT: resultPath,
  };
  const command = pinning ? ["taskset", "-c", "0", ...tool.command] : tool.command;
  const logStream = createWriteStream(logPath);
  const child = spawn(command[0], command.slice(1), { cwd: tool.cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  child.stdout.pipe(logStream, { end: false });
  child.stderr.pipe(logStream, { end: false });
  const sampler = sampleTree(child.pid);
  let stats = null;
  const statsTimer = setTimeout(async () => (stats = await serverStats(server.url)), Math.max(0, endAt - 300 - Date.now()));
  let killedAfterMs = null;
  const exit = await new Promise((resolve) => {
    const deadline = setTimeout(() => {
      killedAfterMs = Date.now() - endAt;
      killGroup(child, "SIGTERM");
      setTimeout(() => killGroup(child, "SIGKILL"), 3_000);
    }, Math.max(0, endAt + graceMs - Date.now()));
    child.once("error", (err) => {
      clearTimeout(deadline);
      resolve({ code: null, error: err.message });
    });
    child.once("exit", (code, signal) => {
      clearTimeout(deadline);
      resolve({ code, signal });
    });
  });
  live.delete(child);
  killGroup(child, "SIGKILL"); // leftovers of the tool's group, if any
  clearTimeout(statsTimer);
  const samples = sampler.stop();
  logStream.end();
  await server.stop();
  live.delete(server.process);

  const errors = [];
  let reported = null;
  if (existsSync(resultPath)) {
    try {
      reported = JSON.parse(readFileSync(resultPath, "utf8"));
    } catch (err) {
      errors.push(`unreadable result file: ${err.message}`);
    }
  } else errors.push("the tool wrote no result file");
  if (exit.error) errors.push(`could not start: ${exit.error}`);
  if (killedAfterMs !== null) errors.push(`still running ${Math.round(graceMs / 1000)} s after the window: killed`);
  else if (exit.code !== 0) errors.push(`exited with ${exit.code ?? exit.signal}`);
  if (reported?.errors?.length) errors.push(...reported.errors);
  if (errors.length && !reported) log(`  ${tool.name}: see ${logPath}`);

  const windowS = workload.windowMs / 1000;
  const cpuWindowS = samples.cpuBetween(startAt, endAt);
  const r = reported ?? {};
  const connected = r.connected ?? 0;
  const peakRssKb = samples.peakRssKb(startAt, endAt);
  const row = {
    tool: tool.name,
    tool_id: tool.id,
    version: r.version || tool.version || "",
    workload: workload.name,
    ok: reported !== null && errors.length === 0 && connected > 0,
    errors,
    connections: workload.connections,
    connected,
    connect_failures: r.connect_failures ?? 0,
    connect_p95_ms: r.connect_p95_ms ?? null,
    client_disconnects: r.disconnects ?? 0,
    server_connected_at_end: stats?.connected ?? null,
    server_disconnects: stats?.disconnects ?? null,
    heartbeat_losses: stats?.disconnects ? (stats.disconnects["ping timeout"] ?? 0) : null,
    window_s: windowS,
    cpu_window_s: round(cpuWindowS, 2),
    cpu_total_s: round(samples.totalCpuS, 2),
    cpu_util: round(cpuWindowS / windowS, 3),
    peak_rss_mib: round(peakRssKb / 1024, 1),
    rss_per_connection_kib: connected ? round(peakRssKb / connected, 1) : null,
    processes: Math.max(...samples.samples.map((s) => s.processes)),
    log: logPath,
  };
  if (CONTRACT_WORKLOAD[workload.name] === "ack") {
    Object.assign(row, {
      acks: r.acks ?? 0,
      acks_per_s: round((r.acks ?? 0) / windowS, 0),
      acks_per_cpu_s: cpuWindowS > 0 ? round((r.acks ?? 0) / cpuWindowS, 0) : null,
      ack_avg_ms: r.ack_avg_ms ?? null,
      ack_p50_ms: r.ack_p50_ms ?? null,
      ack_p95_ms: r.ack_p95_ms ?? null,
      ack_p99_ms: r.ack_p99_ms ?? null,
    });
  }
  if (CONTRACT_WORKLOAD[workload.name] === "fanout") {
    const expected = (workload.rate ?? 0) * windowS * connected;
    Object.assign(row, {
      messages: r.messages ?? 0,
      messages_per_s: round((r.messages ?? 0) / windowS, 0),
      messages_per_cpu_s: cpuWindowS > 0 ? round((r.messages ?? 0) / cpuWindowS, 0) : null,
      delivery: expected > 0 ? round((r.messages ?? 0) / expected, 4) : null,
      fanout_p50_ms: r.fanout_p50_ms ?? null,
      fanout_p95_ms: r.fanout_p95_ms ?? null,
    });
  }
  return row;
}

function round(x, digits) {
  if (!Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
