// npm run bench [-- --quick] [--tools id,id] [--workloads hold,ack,latency,fanout,heartbeat,capacity,capacity-split] [--host 127.0.0.1|::1]
//                [--no-extras] [--render (re-write docs/benchmarks.md from bench/results/full.json)]
//
// The side-by-side benchmark (bench/README.md): every tool, every workload, one at a time,
// against a fresh reference server pinned to core 1 while the tool runs pinned to core 0.
// Prints the tables and the targets, writes docs/benchmarks.md and bench/results/latest.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build, ensureK6, ensureNodeModules, k6Version as versionOf, root } from "../scripts/lib.mjs";
import { benchTools, installBenchTools } from "./install.mjs";
import { bundleBenchScripts, bundleSizes, hotPath, initCost, k6Tools } from "./lib/k6-tools.mjs";
import { machineFacts } from "./lib/machine.mjs";
import { GOGC100_TOOL, heartbeatRow, REFERENCE_TOOL, STARVED_BELOW, starvation } from "./lib/figures.mjs";
import { consoleTable, markdownTable, status, summaryTable, workloadTable } from "./lib/report.mjs";
import { evaluateTargets, explainGaps, targetLines } from "./lib/targets.mjs";
import { killAll, pinning, runTool } from "./lib/run-tool.mjs";

const HOLD_PINGS = ["--ping-interval", "5000", "--ping-timeout", "5000"];
/** The heartbeat workload's two phases: pings every second, and pings too rare to happen. */
const HEARTBEAT_MS = 1000;
const HEARTBEAT_PHASES = [
  { phase: "idle", serverArgs: ["--ping-interval", "600000", "--ping-timeout", "60000"] },
  { phase: "pinged", serverArgs: ["--ping-interval", String(HEARTBEAT_MS), "--ping-timeout", "5000"] },
];
const SOCKETS_PER_VU = 100;
/** Two servers on two loopback addresses: each under 20,000 descriptors, each with its own ports. */
const SPLIT_HOSTS = ["127.0.0.2", "127.0.0.3"];
const WS_FLOORS = ["k6-socketio-websockets", "raw-k6-websockets"];
/** Held connections at the project's GOGC=400 and at Go's default: the memory targets are one each. */
const CAPACITY_TOOLS = [REFERENCE_TOOL, GOGC100_TOOL];
/**
 * Closed-loop ack connections: enough in flight that the raw floors use their whole core (at 50,
 * the raw k6/websockets echo waited on round trips, at 80% of its core, and was not comparable).
 */
const ACK_CONNECTIONS = 200;

/**
 * Sizes and times. Every workload is bounded: ramp + settle + window, plus 15 s grace; the full
 * profile takes about 20 minutes, most of it the two capacity rows. `tools` limits a workload to
 * those rows (a tool's own `workloads` limits it the other way).
 */
const PROFILES = {
  full: {
    hold: { connections: 1000, rampMs: 5_000, settleMs: 5_000, windowMs: 20_000, serverArgs: HOLD_PINGS },
    ack: { connections: ACK_CONNECTIONS, rampMs: 2_000, settleMs: 5_000, windowMs: 15_000, serverArgs: [] },
    latency: { connections: 50, rampMs: 2_000, settleMs: 4_000, windowMs: 15_000, serverArgs: [], ackIntervalMs: 20, tools: ["k6-socketio-ws", "raw-k6"] },
    fanout: { connections: 500, rampMs: 5_000, settleMs: 5_000, windowMs: 15_000, rate: 20 },
    heartbeat: { connections: 2000, rampMs: 5_000, settleMs: 5_000, windowMs: 15_000, phases: HEARTBEAT_PHASES, tools: WS_FLOORS },
    capacity: { connections: 15_000, rampMs: 45_000, settleMs: 10_000, windowMs: 60_000, serverArgs: HOLD_PINGS, tools: CAPACITY_TOOLS },
    "capacity-split": { connections: 30_000, rampMs: 60_000, settleMs: 15_000, windowMs: 60_000, serverArgs: [], hosts: SPLIT_HOSTS, instances: 2, tools: [REFERENCE_TOOL] },
  },
  quick: {
    hold: { connections: 200, rampMs: 3_000, settleMs: 4_000, windowMs: 6_000, serverArgs: HOLD_PINGS },
    ack: { connections: ACK_CONNECTIONS, rampMs: 1_000, settleMs: 4_000, windowMs: 6_000, serverArgs: [] },
    latency: { connections: 20, rampMs: 1_000, settleMs: 3_000, windowMs: 6_000, serverArgs: [], ackIntervalMs: 20, tools: ["k6-socketio-ws", "raw-k6"] },
    fanout: { connections: 100, rampMs: 2_000, settleMs: 4_000, windowMs: 6_000, rate: 20 },
    heartbeat: { connections: 500, rampMs: 2_000, settleMs: 3_000, windowMs: 6_000, phases: HEARTBEAT_PHASES, tools: WS_FLOORS },
    capacity: { connections: 2_000, rampMs: 8_000, settleMs: 4_000, windowMs: 10_000, serverArgs: HOLD_PINGS, tools: CAPACITY_TOOLS },
    "capacity-split": { connections: 4_000, rampMs: 8_000, settleMs: 4_000, windowMs: 10_000, serverArgs: [], hosts: SPLIT_HOSTS, instances: 2, tools: [REFERENCE_TOOL] },
  },
};
const ALL_WORKLOADS = ["hold", "ack", "latency", "fanout", "heartbeat", "capacity", "capacity-split"];

class UsageError extends Error {}

function parseArgs(argv) {
  const o = { profile: "full", tools: null, workloads: ALL_WORKLOADS, host: "127.0.0.1", skipExtras: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === "--quick") o.profile = "quick";
    else if (a === "--tools") o.tools = value().split(",");
    else if (a === "--workloads") o.workloads = value().split(",");
    else if (a === "--host") o.host = value();
    else if (a === "--no-extras") o.skipExtras = true;
    else if (a === "--render") o.render = true;
    else if (a === "--help" || a === "-h") throw new UsageError("");
    else throw new UsageError(`unknown argument ${a}`);
  }
  // Load is only ever sent to this machine's loopback interface.
  if (!["127.0.0.1", "::1", "localhost"].includes(o.host)) throw new UsageError(`refusing --host ${o.host}: the benchmark only targets loopback (127.0.0.1 or ::1)`);
  for (const w of o.workloads) if (!ALL_WORKLOADS.includes(w)) throw new UsageError(`unknown workload ${w}; known: ${ALL_WORKLOADS.join(", ")}`);
  return o;
}

const USAGE = `usage: npm run bench -- [--quick] [--tools id,id] [--workloads ${ALL_WORKLOADS.join(",")}] [--host 127.0.0.1|::1] [--no-extras] [--render]\n  tool ids: k6-socketio-ws, k6-socketio-websockets, k6-socketio-websockets-gogc100, raw-k6, raw-k6-websockets, artillery, locust, node`;

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message) console.error(`error: ${err.message}`);
    console.error(USAGE);
    return err.message ? 2 : 0;
  }
  const log = (line) => console.log(line);
  if (opts.render) {
    // Re-renders docs/benchmarks.md from the last full run, without measuring anything.
    const report = JSON.parse(readFileSync(join(root, "bench", "results", "full.json"), "utf8"));
    publish(report);
    log("docs/benchmarks.md re-rendered from bench/results/full.json");
    return 0;
  }
  const profile = PROFILES[opts.profile];
  const startedAt = new Date();
  const outDir = join(root, "bench", ".out", "runs");
  mkdirSync(outDir, { recursive: true });

  log("bench: preparing (project packages, k6, bundles, the other tools)…");
  ensureNodeModules();
  const k6 = ensureK6({ quiet: true });
  build({ typecheck: false });
  const scripts = await bundleBenchScripts();
  const install = await installBenchTools({ log: (l) => log(`  ${l}`) });
  const k6Version = versionOf(k6) ?? "unknown";
  const others = benchTools().map((t) => ({ ...t, name: t.id === "node" ? "Node socket.io-client" : t.id === "locust" ? "Locust + python-socketio" : "Artillery (Socket.IO engine)" }));
  const tools = [...k6Tools(k6, scripts, k6Version, SOCKETS_PER_VU), ...others].filter((t) => !opts.tools || opts.tools.includes(t.id));
  const installErrors = Object.fromEntries(Object.entries(install).map(([id, r]) => [id, r.ok ? null : r.errors.join("; ")]));

  const machine = machineFacts(k6);
  log(`bench: ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gib} GiB; ${pinning ? "server on core 1, tool on core 0" : "no pinning (needs taskset and 2 cores)"}`);

  const results = [];
  for (const name of opts.workloads) {
    const w = { name, ...profile[name] };
    for (const tool of tools) {
      if (w.tools && !w.tools.includes(tool.id)) continue;
      if (tool.workloads && !tool.workloads.includes(name)) continue;
      const label = `${name} × ${tool.name}`;
      if (installErrors[tool.id]) {
        results.push(failedRow(tool, w, `install failed: ${installErrors[tool.id]}`));
        log(`  ${label}: install failed`);
        continue;
      }
      const env = { ...(tool.env ?? {}), ...(w.ackIntervalMs ? { BENCH_ACK_INTERVAL_MS: String(w.ackIntervalMs) } : {}) };
      const phases = w.phases ?? [{ phase: undefined, serverArgs: w.serverArgs ?? [] }];
      const rows = [];
      for (const p of phases) {
        const serverArgs = [...p.serverArgs, ...(w.rate ? ["--broadcast-rate", String(w.rate)] : [])];
        log(`  ${label}${p.phase ? ` (${p.phase})` : ""}: ${w.connections} connections, ${(w.rampMs + w.settleMs + w.windowMs) / 1000} s…`);
        try {
          rows.push(await runTool({ ...tool, env }, { ...w, phase: p.phase, serverArgs }, { host: opts.host, outDir, log }));
        } catch (err) {
          rows.push(failedRow(tool, w, `runner error: ${err.message}`));
        }
      }
      const row = w.phases ? heartbeatRow(rows[0], rows[1], HEARTBEAT_MS) : rows[0];
      row.starved = starvation(row);
      results.push(row);
      log(`    ${status(row)}${row.load_avg ? ` (load ${row.load_avg.join(" ")})` : ""}${row.gc ? ` [GOGC=${row.gc.GOGC} GOMEMLIMIT=${row.gc.GOMEMLIMIT}]` : ""}`);
    }
  }

  let extras = {};
  if (!opts.skipExtras) {
    log("bench: hot path inside k6, bundle sizes, VU init cost…");
    extras = { hot_path: hotPath(k6, scripts), bundles: bundleSizes(), init_cost: await initCost(k6, scripts) };
  }

  const targets = evaluateTargets(results, profile);
  const report = { started_at: startedAt.toISOString(), profile: opts.profile, machine, pinning, tools: toolVersions(tools, install, k6Version), workloads: profile, results, targets, extras };
  const resultsDir = join(root, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  // Only a complete run replaces the committed full.json / docs/benchmarks.md.
  const partial = opts.tools || opts.workloads !== ALL_WORKLOADS || opts.skipExtras;
  const resultsFile = `${opts.profile}${partial ? "-partial" : ""}.json`;
  writeFileSync(join(resultsDir, resultsFile), `${JSON.stringify(report, null, 2)}\n`);
  if (!partial && opts.profile === "full") publish(report);

  log("");
  for (const name of opts.workloads) {
    const rows = results.filter((r) => r.workload === name);
    if (!rows.length) continue;
    log(`${name.toUpperCase()}: ${describe(name, profile[name])}`);
    log(consoleTable(workloadTable(name, rows)));
    log("");
  }
  log("TARGETS");
  for (const line of targetLines(targets)) log(`  ${line}`);
  for (const line of explainGaps(results, extras, profile)) log(`  why: ${line}`);
  if (extras.hot_path?.ok) for (const r of extras.hot_path.rows) log(`hot path (${r.metrics}): ack round trip ${r.ack_round_trip_us} µs, broadcast ${r.broadcast_us} µs of k6 CPU`);
  if (extras.init_cost?.ok) log(`VU init: +${extras.init_cost.extra_cpu_s_per_1000_vus} CPU-s and +${extras.init_cost.extra_rss_kib_per_vu} KiB per VU over an empty script, per 1,000 VUs (bundle ${extras.init_cost.bundle_bytes} bytes)`);
  log(`\nraw results: bench/results/${resultsFile}${!partial && opts.profile === "full" ? "; report: docs/benchmarks.md" : ""}`);
  return 0;
}

const REPORT_START = "<!-- bench-report:start -->";
const REPORT_END = "<!-- bench-report:end -->";

/**
 * docs/benchmarks.md: the report of the run (summary, workloads, targets) between its
 * bench-report markers; the hand-written text around them stays.
 */
function publish(report) {
  const path = join(root, "docs", "benchmarks.md");
  const generated = `${REPORT_START}\n${renderMarkdown(report)}\n${REPORT_END}`;
  const doc = existsSync(path) ? readFileSync(path, "utf8") : "";
  const from = doc.indexOf(REPORT_START);
  const to = doc.indexOf(REPORT_END);
  writeFileSync(path, from >= 0 && to > from ? `${doc.slice(0, from)}${generated}${doc.slice(to + REPORT_END.length)}` : `# Benchmarks\n\n${generated}\n`);
}

function failedRow(tool, w, error) {
  return { tool: tool.name, tool_id: tool.id, version: tool.version ?? "", workload: w.name, ok: false, errors: [error], connections: w.connections, connected: 0 };
}

function toolVersions(tools, install, k6Version) {
  const out = { k6: k6Version };
  for (const t of tools) if (t.versions) out[t.id] = t.versions;
  for (const [id, r] of Object.entries(install)) if (!r.ok) out[id] = { install_error: r.errors.join("; ") };
  return out;
}

export function describe(name, w) {
  const base = `${w.connections.toLocaleString("en-US")} connections, ramp ${w.rampMs / 1000} s, measured over ${w.windowMs / 1000} s`;
  switch (name) {
    case "hold":
    case "capacity":
      return `${base}, server pings every 5 s (5 s timeout)`;
    case "capacity-split":
      return `${base}, ${w.instances} k6 instances (execution segments) against ${w.hosts.length} servers on ${w.hosts.join(" and ")}, each connection to one of them in turn, socket.io's default pings (every 25 s, 20 s timeout); no CPU pinning`;
    case "heartbeat":
      return `${base}, held twice over k6/websockets: with the server pinging every ${HEARTBEAT_MS / 1000} s, and with pings too rare to happen (the baseline); µs per ping = (CPU with pings − CPU without) ÷ pings answered`;
    case "ack":
      return `${base}, each connection emits echo with an ack in a closed loop; µs above floor: over the raw echo on the same k6 module`;
    case "latency":
      return `${base}, each connection emits echo with an ack 0.5–1.5 × ${w.ackIntervalMs} ms (random) after the last ack, from a random phase: k6 rows only, neither generator saturated`;
    case "fanout":
      return `${base}, the server broadcasts ${w.rate} messages/s to every connection; µs above floor: over the raw echo on the same k6 module`;
  }
  return base;
}

function renderMarkdown(report) {
  const met = report.targets.filter((t) => t.met === true).length;
  const lines = [
    "## The last full run",
    "",
    "Written by `npm run bench` (bench/run.mjs); raw figures in `bench/results/full.json`. Re-run it",
    "to reproduce; the numbers below are from one run on the machine described here.",
    "",
    `Run ${report.started_at}: ${report.machine.cpu}, ${report.machine.cores} cores, ${report.machine.memory_gib} GiB, Linux ${report.machine.kernel}, Node ${report.machine.node}, ${report.machine.python}, k6 ${report.tools.k6}.`,
    report.pinning ? "The reference server (socket.io 4.8.4) ran pinned to core 1 and each tool pinned to core 0 (`taskset`)." : "No CPU pinning (taskset or a second core missing): server and tool shared the cores.",
    "CPU and memory are measured from outside, over each tool's whole process tree (`/proc`), inside the measured window only.",
    "Heartbeat losses are the server's own count of `ping timeout` disconnects.",
    `A row whose tool got less than ${STARVED_BELOW * 100}% of its core in a saturated run (closed-loop ack, or a fan-out it fell behind on) is marked "starved: invalid", with the server's share of its own core: other processes took the tool's core or the server's. "load 1 min" is /proc/loadavg at the window's end. "GC" is the Go runtime setting of each k6 row (the project's runs set GOGC=400 and GOMEMLIMIT at half the memory unless the user set them).`,
    "",
    "Tool versions: " + Object.entries(report.tools).map(([k, v]) => `${k}: ${typeof v === "string" ? v : Object.entries(v).map(([a, b]) => `${a} ${b}`).join(", ")}`).join("; ") + ".",
    "",
    summaryTable(report.results),
    "",
    `Targets: ${met} of ${report.targets.length} met (see "Targets" below).`,
    "",
  ];
  for (const name of ALL_WORKLOADS) {
    const rows = report.results.filter((r) => r.workload === name);
    if (!rows.length) continue;
    lines.push(`## ${name}`, "", describe(name, report.workloads[name]) + ".", "", markdownTable(workloadTable(name, rows)), "");
  }
  lines.push("## Targets", "", ...targetLines(report.targets).map((l) => `- ${l}`), "");
  const why = explainGaps(report.results, report.extras, report.workloads);
  if (why.length) lines.push("### Why, from this run's figures", "", ...why.map((l) => `- ${l}`), "");
  const x = report.extras;
  if (x.hot_path?.ok) {
    lines.push("## The per-message path inside k6", "", "`bench/k6/hot-path.ts`: the library's Connection and Engine with no network, in k6's interpreter.", "");
    lines.push("| library metrics | ack round trip | broadcast received |", "|---|---:|---:|");
    for (const r of x.hot_path.rows) lines.push(`| ${r.metrics} | ${r.ack_round_trip_us} µs | ${r.broadcast_us} µs |`);
    lines.push("");
  }
  if (x.init_cost?.ok) {
    const c = x.init_cost;
    lines.push("## Bundles and VU init", "", `${c.vus} VUs of a scenario-sized bundle (library + kit, ${c.bundle_bytes} bytes) against ${c.vus} VUs of an empty script: +${c.extra_cpu_s_per_1000_vus} CPU-s per 1,000 VUs, +${c.extra_rss_kib_per_vu} KiB per VU (empty: ${c.empty.cpu_s} CPU-s, ${c.empty.peak_rss_mib} MiB; library: ${c.library.cpu_s} CPU-s, ${c.library.peak_rss_mib} MiB).`, "");
    lines.push("| bundle | bytes |", "|---|---:|", ...x.bundles.map((b) => `| ${b.file} | ${b.bytes} |`), "");
  }
  lines.push("## Notes", "", NOTES, "");
  return lines.join("\n");
}

const NOTES = `- Ratios are to k6-socketio over k6/websockets (${SOCKETS_PER_VU} connections per VU), the transport for large runs.
- k6 runs JavaScript in an interpreter (sobek), not a JIT: per-message JavaScript is what bounds k6 rows' acks per CPU-second. The raw rows are k6's floor with hand-written frames and no library, one per k6 module (k6/ws one connection per VU; k6/websockets ${SOCKETS_PER_VU} per VU, like k6-socketio's row); "µs above floor" is what k6-socketio costs per item over the floor of its own transport (parser, ack registry, metrics per packet).
- Every k6 session closes at the window's end even when its generator fell behind: the close is triggered by the first message handled after the window as well as by a timer, and k6 itself interrupts whatever is still open 8 s later (the row then says so).
- k6 has no sub-millisecond clock in scripts: k6 latencies are whole milliseconds, so a p50 of 0 or 1 ms is at the clock's resolution.
- Artillery's and Locust's latencies and counts come from their own adapters under bench/tools/, which count only inside the measured window, the same as the k6 scripts.`;

process.on("SIGINT", () => {
  killAll();
  process.exit(130);
});
process.on("SIGTERM", () => {
  killAll();
  process.exit(143);
});

main()
  .then((code) => {
    killAll();
    process.exit(code);
  })
  .catch((err) => {
    console.error(`bench failed: ${err.stack ?? err}`);
    killAll();
    process.exit(1);
  });
