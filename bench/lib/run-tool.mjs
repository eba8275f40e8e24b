// Runs one tool for one workload against a fresh reference server, under the contract in
// bench/README.md, and measures it from the outside: CPU and RSS of the tool's process tree, and
// the server's own count of connections and disconnect reasons at the end of the window.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, readFileSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { startTarget } from "../../scripts/lib.mjs";
import { gcSettings } from "./k6-tools.mjs";
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
const CONTRACT_WORKLOAD = { hold: "hold", heartbeat: "hold", capacity: "hold", "capacity-split": "hold", ack: "ack", latency: "ack", fanout: "fanout" };

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

/** The three load averages of /proc/loadavg (runnable + uninterruptible tasks, 1/5/15 min). */
export function loadAverage() {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
  } catch {
    return null;
  }
}

/**
 * The command of instance `i` of `n`: k6's own execution segments split the VUs (and so the
 * connections) between the instances, each VU keeping an id unique across the run.
 */
export function segmentCommand(command, i, n) {
  if (n === 1) return command;
  const at = (k) => (k === 0 ? "0" : k === n ? "1" : `${k}/${n}`);
  const sequence = Array.from({ length: n + 1 }, (_, k) => at(k)).join(",");
  const run = command.indexOf("run");
  return [...command.slice(0, run + 1), "--execution-segment", `${at(i)}:${at(i + 1)}`, "--execution-segment-sequence", sequence, ...command.slice(run + 1)];
}

/** The result files of a run split over instances, as one: counts summed, worst p95, errors kept. */
export function mergeReports(reports) {
  if (reports.length === 1) return reports[0];
  const sum = (k) => reports.reduce((a, r) => a + (r[k] ?? 0), 0);
  const worst = (k) => Math.max(...reports.map((r) => r[k] ?? 0));
  return {
    tool: reports[0].tool,
    version: reports[0].version,
    connected: sum("connected"),
    connect_failures: sum("connect_failures"),
    connect_p95_ms: worst("connect_p95_ms"),
    disconnects: sum("disconnects"),
    acks: sum("acks"),
    messages: sum("messages"),
    errors: reports.flatMap((r, i) => (r.errors ?? []).map((e) => `instance ${i + 1}: ${e}`)),
  };
}

/** The servers' /bench/stats, as one: connections summed, disconnect reasons counted together. */
function mergeStats(list) {
  if (list.some((s) => !s || s.error)) return null;
  const disconnects = {};
  for (const s of list) for (const [reason, n] of Object.entries(s.disconnects ?? {})) disconnects[reason] = (disconnects[reason] ?? 0) + n;
  return { connected: list.reduce((a, s) => a + (s.connected ?? 0), 0), disconnects };
}

/** Runs one instance of the tool to its exit, killing its process group past the deadline. */
async function runInstance(command, { cwd, env, logPath, deadlineAt }) {
  const logStream = createWriteStream(logPath);
  const child = spawn(command[0], command.slice(1), { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  child.stdout.pipe(logStream, { end: false });
  child.stderr.pipe(logStream, { end: false });
  const sampler = sampleTree(child.pid);
  let killed = false;
  const exit = await new Promise((resolve) => {
    const deadline = setTimeout(() => {
      killed = true;
      killGroup(child, "SIGTERM");
      setTimeout(() => killGroup(child, "SIGKILL"), 3_000);
    }, Math.max(0, deadlineAt - Date.now()));
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
  logStream.end();
  return { exit, killed, samples: sampler.stop() };
}

/**
 * @param {{ id: string, name: string, version?: string, command: string[], cwd: string, env?: Record<string,string>, k6?: boolean }} tool
 * @param {{ name: string, connections: number, rampMs: number, settleMs: number, windowMs: number, serverArgs: string[], rate?: number, hosts?: string[], instances?: number, phase?: string }} workload
 *   hosts: one server per address (default: the runner's host); instances: k6 processes, split by execution segments
 * @param {{ host: string, outDir: string, graceMs?: number, log: (line: string) => void }} options
 */
export async function runTool(tool, workload, { host, outDir, graceMs = 15_000, log }) {
  const label = `${workload.name}${workload.phase ? `-${workload.phase}` : ""}-${tool.id}`;
  const hosts = workload.hosts ?? [host];
  const instances = workload.instances ?? 1;
  // Several servers or instances share both cores: pinning them all to two cores would only
  // stack them, so only the one-server, one-tool runs are pinned.
  const pinned = pinning && hosts.length === 1 && instances === 1;
  const servers = [];
  try {
    for (const h of hosts) {
      const server = await startTarget(["--host", h, ...workload.serverArgs]);
      live.add(server.process);
      servers.push(server);
      if (pinned) pinProcess(server.process.pid, 1);
    }
    return await measure(tool, workload, { label, servers, instances, pinned, outDir, graceMs, log });
  } finally {
    for (const server of servers) {
      await server.stop();
      live.delete(server.process);
    }
  }
}

async function measure(tool, workload, { label, servers, instances, pinned, outDir, graceMs, log }) {
  const launchedAt = Date.now();
  const startAt = launchedAt + workload.rampMs + workload.settleMs;
  const endAt = startAt + workload.windowMs;
  const resultPaths = Array.from({ length: instances }, (_, i) => join(outDir, `${label}${instances > 1 ? `-${i + 1}` : ""}.json`));
  const logPaths = resultPaths.map((p) => p.replace(/\.json$/, ".log"));
  for (const p of resultPaths) rmSync(p, { force: true });
  const baseEnv = {
    ...process.env,
    ...(tool.env ?? {}),
    BENCH_URL: servers.map((s) => s.url).join(","),
    BENCH_WORKLOAD: CONTRACT_WORKLOAD[workload.name],
    BENCH_CONNECTIONS: String(workload.connections),
    BENCH_RAMP_MS: String(workload.rampMs),
    BENCH_START_AT: String(startAt),
    BENCH_END_AT: String(endAt),
  };
  let stats = null;
  let loadAtStart = null;
  let loadAtEnd = null;
  const loadTimer = setTimeout(() => (loadAtStart = loadAverage()), Math.max(0, startAt - Date.now()));
  const statsTimer = setTimeout(async () => {
    loadAtEnd = loadAverage();
    stats = mergeStats(await Promise.all(servers.map((s) => serverStats(s.url))));
  }, Math.max(0, endAt - 300 - Date.now()));
  // The server's CPU too: a tool short of its core may be waiting on a server short of its own.
  const serverSamplers = servers.map((srv) => sampleTree(srv.process.pid, 500));
  const runs = await Promise.all(
    resultPaths.map((resultPath, i) => {
      const command = segmentCommand(tool.command, i, instances);
      return runInstance(pinned ? ["taskset", "-c", "0", ...command] : command, { cwd: tool.cwd, env: { ...baseEnv, BENCH_OUT: resultPath }, logPath: logPaths[i], deadlineAt: endAt + graceMs });
    }),
  );
  clearTimeout(loadTimer);
  clearTimeout(statsTimer);
  const serverCpuS = serverSamplers.reduce((a, sampler) => a + sampler.stop().cpuBetween(startAt, endAt), 0);

  const errors = [];
  const reports = [];
  for (const [i, run] of runs.entries()) {
    const which = instances > 1 ? `instance ${i + 1}: ` : "";
    if (existsSync(resultPaths[i])) {
      try {
        reports.push(JSON.parse(readFileSync(resultPaths[i], "utf8")));
      } catch (err) {
        errors.push(`${which}unreadable result file: ${err.message}`);
      }
    } else errors.push(`${which}the tool wrote no result file`);
    if (run.exit.error) errors.push(`${which}could not start: ${run.exit.error}`);
    if (run.killed) errors.push(`${which}still running ${Math.round(graceMs / 1000)} s after the window: killed`);
    else if (run.exit.code !== 0) errors.push(`${which}exited with ${run.exit.code ?? run.exit.signal}`);
  }
  const reported = reports.length === instances ? mergeReports(reports) : null;
  if (reported?.errors?.length) errors.push(...reported.errors);
  if (errors.length && !reported) log(`  ${tool.name}: see ${logPaths.join(", ")}`);

  const windowS = workload.windowMs / 1000;
  const cpuWindowS = runs.reduce((a, r) => a + r.samples.cpuBetween(startAt, endAt), 0);
  const r = reported ?? {};
  const connected = r.connected ?? 0;
  // Instances start together and run side by side: their peaks are summed as an upper bound.
  const peakRssKb = runs.reduce((a, run) => a + run.samples.peakRssKb(startAt, endAt), 0);
  const row = {
    tool: tool.name,
    tool_id: tool.id,
    version: r.version || tool.version || "",
    workload: workload.name,
    ...(workload.phase ? { phase: workload.phase } : {}),
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
    instances,
    servers: servers.length,
    pinned,
    gc: tool.k6 ? gcSettings(tool.env) : null,
    load_avg_start: loadAtStart,
    load_avg: loadAtEnd,
    window_s: windowS,
    cpu_window_s: round(cpuWindowS, 2),
    cpu_total_s: round(runs.reduce((a, run) => a + run.samples.totalCpuS, 0), 2),
    cpu_util: round(cpuWindowS / windowS, 3),
    server_cpu_util: round(serverCpuS / windowS, 3),
    peak_rss_mib: round(peakRssKb / 1024, 1),
    rss_per_connection_kib: connected ? round(peakRssKb / connected, 1) : null,
    processes: runs.reduce((a, run) => a + Math.max(...run.samples.samples.map((s) => s.processes)), 0),
    log: logPaths.join(", "),
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
