// The k6-based rows of the benchmark, and the measurements only k6 needs: the in-k6 hot-path
// microbenchmark, bundle sizes, and VU init time per 1,000 VUs.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { root } from "../../scripts/lib.mjs";
import { sampleTree } from "./proc-sampler.mjs";

const outDir = join(root, "bench", ".out");

export async function bundleBenchScripts() {
  // Imported here, not at the top: build.mjs needs esbuild, which a fresh clone has only after
  // the runner's ensureNodeModules().
  const { bundleFile } = await import("../../build.mjs");
  mkdirSync(outDir, { recursive: true });
  const scripts = {};
  for (const name of ["socketio", "raw-echo", "raw-websockets", "hot-path", "init-cost", "empty"]) {
    scripts[name] = await bundleFile(join(root, "bench", "k6", `${name}.ts`), join(outDir, `${name}.js`));
  }
  return scripts;
}

/**
 * The k6 rows. Each k6 run inherits GOGC and GOMEMLIMIT from scripts/lib.mjs (GOGC=400 and half
 * the memory unless the user set them); the GOGC=100 row runs the k6/websockets ack and capacity
 * workloads with Go's default beside it, to show what the setting buys and what a held connection
 * costs without it. `workloads` limits a row to those named.
 */
export function k6Tools(k6, scripts, version, socketsPerVu) {
  const run = (script, env = {}) => ({ k6: true, command: [k6, "run", "-q", "--no-usage-report", "--no-color", script], cwd: root, env: { K6_VERSION: version, ...env } });
  const perVu = { SOCKETS_PER_VU: String(socketsPerVu) };
  return [
    { id: "k6-socketio-ws", name: "k6-socketio (k6/ws)", version, ...run(scripts.socketio, { SOCKETS_PER_VU: "1" }) },
    { id: "k6-socketio-websockets", name: `k6-socketio (k6/websockets, ${socketsPerVu}/VU)`, version, ...run(scripts.socketio, perVu) },
    { id: "k6-socketio-websockets-gogc100", name: `k6-socketio (k6/websockets, ${socketsPerVu}/VU, GOGC=100)`, version, workloads: ["ack", "capacity"], ...run(scripts.socketio, { ...perVu, GOGC: "100" }) },
    { id: "raw-k6", name: "raw k6/ws echo (no Socket.IO layer)", version, ...run(scripts["raw-echo"]) },
    { id: "raw-k6-websockets", name: `raw k6/websockets echo (${socketsPerVu}/VU, no Socket.IO layer)`, version, ...run(scripts["raw-websockets"], perVu) },
  ];
}

/** The Go runtime settings a k6 row ran with: its own env over the runner's (Go's defaults if neither). */
export function gcSettings(toolEnv = {}, env = process.env) {
  return { GOGC: toolEnv.GOGC ?? env.GOGC ?? "100", GOMEMLIMIT: toolEnv.GOMEMLIMIT ?? env.GOMEMLIMIT ?? "off" };
}

/** Runs the hot-path microbenchmark inside k6 and returns its printed lines. */
export function hotPath(k6, scripts) {
  const r = spawnSync(k6, ["run", "-q", "--no-usage-report", "--summary-mode", "disabled", "--log-format", "raw", scripts["hot-path"]], { encoding: "utf8", timeout: 120_000 });
  const text = `${r.stdout}\n${r.stderr}`;
  const rows = [...text.matchAll(/^(no metrics|k6 metrics)\s+ack round trip\s+(\d+)\/s \(([\d.]+) µs\)\s+broadcast\s+(\d+)\/s \(([\d.]+) µs\)/gm)].map((m) => ({
    metrics: m[1],
    ack_round_trips_per_s: Number(m[2]),
    ack_round_trip_us: Number(m[3]),
    broadcasts_per_s: Number(m[4]),
    broadcast_us: Number(m[5]),
  }));
  return rows.length ? { ok: true, rows } : { ok: false, error: `no result from the hot-path run (exit ${r.status}): ${text.slice(-400)}` };
}

/** Wall time and peak RSS of `k6 run` over `vus` VUs that do nothing, for a script. */
async function initRun(k6, script, vus) {
  const t0 = Date.now();
  const child = spawn(k6, ["run", "-q", "--no-usage-report", "--summary-mode", "disabled", "-e", `VUS=${vus}`, script], { stdio: "ignore" });
  const sampler = sampleTree(child.pid, 100);
  const code = await new Promise((resolve) => child.once("exit", resolve));
  const samples = sampler.stop();
  return { code, wallMs: Date.now() - t0, peakRssKb: samples.peakRssKb(), cpuS: samples.totalCpuS };
}

/** VU init time and memory per 1,000 VUs: the library bundle minus k6's empty-script baseline. */
export async function initCost(k6, scripts, vus = 1000) {
  const empty = await initRun(k6, scripts.empty, vus);
  const lib = await initRun(k6, scripts["init-cost"], vus);
  if (empty.code !== 0 || lib.code !== 0) return { ok: false, error: `k6 exited with ${empty.code}/${lib.code}` };
  return {
    ok: true,
    vus,
    bundle_bytes: statSync(scripts["init-cost"]).size,
    empty: { wall_ms: empty.wallMs, cpu_s: empty.cpuS, peak_rss_mib: Math.round(empty.peakRssKb / 102.4) / 10 },
    library: { wall_ms: lib.wallMs, cpu_s: lib.cpuS, peak_rss_mib: Math.round(lib.peakRssKb / 102.4) / 10 },
    extra_cpu_s_per_1000_vus: Math.round(((lib.cpuS - empty.cpuS) * 1000 * 100) / vus) / 100,
    extra_rss_kib_per_vu: Math.round((lib.peakRssKb - empty.peakRssKb) / vus),
  };
}

export function bundleSizes() {
  const dist = join(root, "dist");
  return readdirSync(dist)
    .filter((f) => f.endsWith(".js"))
    .map((f) => ({ file: `dist/${f}`, bytes: statSync(join(dist, f)).size }));
}
