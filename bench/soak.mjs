// npm run soak [-- --minutes 30 --sockets 200 --api io,ws]
// Holds sockets for minutes against the reference server on 127.0.0.1 with an echo a second
// and a forced transport drop (then an automatic reconnect) every ~20 s per socket, and samples
// each k6 process's resident memory. Prints, per client API, RSS at the start of the measured
// part and at its end, the least-squares slope in MB/min after the warm-up, and the slope of the
// last third alone (levelled off or still growing), and writes bench/results/soak.json.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build, ensureK6, ensureNodeModules, goDefaultsApplied, k6Version, root, startTarget } from "../scripts/lib.mjs";
import { sampleTree } from "./lib/proc-sampler.mjs";

const usage = "usage: npm run soak [-- --minutes N (default 30)] [--sockets N (default 200)] [--api io,ws] [--drop-every-ms N (default 20000, 0: never)] [--no-summary] [--pprof PORT]";
const opts = { minutes: 30, sockets: 200, apis: ["io", "ws"], dropEveryMs: 20_000, summary: true, pprofPort: 0 };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const [flag, value] = [args[i], args[i + 1]];
  // Without k6's end-of-test summary (and with no thresholds) k6 keeps no Trend samples in
  // memory: what still grows is the library's or k6's own, not the samples waiting for the summary.
  if (flag === "--no-summary") {
    opts.summary = false;
    continue;
  }
  if (flag === "--minutes" && /^\d+(\.\d+)?$/.test(value ?? "")) opts.minutes = Number(value);
  else if (flag === "--sockets" && /^\d+$/.test(value ?? "")) opts.sockets = Number(value);
  else if (flag === "--api" && /^(io|ws)(,(io|ws))?$/.test(value ?? "")) opts.apis = value.split(",");
  else if (flag === "--drop-every-ms" && /^\d+$/.test(value ?? "")) opts.dropEveryMs = Number(value);
  // k6's Go heap profile, to see what grows: `go tool pprof -top http://127.0.0.1:PORT/debug/pprof/heap`.
  else if (flag === "--pprof" && /^\d+$/.test(value ?? "")) opts.pprofPort = Number(value);
  else {
    console.error(usage);
    process.exit(2);
  }
  i++;
}
if (opts.minutes < 2 || opts.sockets < 1 || opts.sockets > 2_000 || (opts.pprofPort && opts.apis.length > 1)) {
  console.error(`${usage}\n(at least 2 minutes, 1 to 2000 sockets; --pprof with one --api)`);
  process.exit(2);
}

/** Least-squares slope of rss (KiB) over time (ms), in MB per minute. */
export function slopeMbPerMin(samples) {
  const n = samples.length;
  if (n < 2) return null;
  const mx = samples.reduce((a, s) => a + s.at, 0) / n;
  const my = samples.reduce((a, s) => a + s.rssKb, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const s of samples) {
    sxy += (s.at - mx) * (s.rssKb - my);
    sxx += (s.at - mx) ** 2;
  }
  return sxx === 0 ? null : ((sxy / sxx) * 60_000) / 1024;
}

const countsPath = (api) => join(root, "bench", ".out", `soak-${process.pid}-${api}-counts.json`);

/** The counters the soak script's handleSummary wrote, or {} when k6 did not get that far. */
function readCounts(api) {
  try {
    return JSON.parse(readFileSync(countsPath(api), "utf8"));
  } catch {
    return {};
  }
}

// A soak measures memory: under the project's GOGC=400 the heap grows to 5x the live data between
// collections and RSS follows that target, rising for minutes with nothing kept (a k6/ws run
// showed 8 MB/min of RSS over 0.9 MB/min of live heap). Go's default unless the user chose.
if (goDefaultsApplied.GOGC) process.env.GOGC = "100";

const round = (x, digits = 2) => (x === null ? null : Number(x.toFixed(digits)));

async function main() {
  ensureNodeModules();
  const k6 = ensureK6({ quiet: true });
  build({ typecheck: false });
  mkdirSync(join(root, "bench", ".out"), { recursive: true });
  const { bundleFile } = await import("../build.mjs"); // after ensureNodeModules(): it needs esbuild
  const script = await bundleFile(join(root, "bench", "k6", "soak.ts"), join(root, "bench", ".out", "soak.js"));
  const durationMs = opts.minutes * 60_000;
  const warmupMs = Math.min(Math.max(3 * 60_000, durationMs / 5), durationMs / 2);
  console.log(`soak: ${opts.minutes} min, ${opts.sockets} sockets per API (${opts.apis.join(", ")}), an echo a second, ${opts.dropEveryMs ? `a forced drop every ~${opts.dropEveryMs / 1000} s per socket` : "no forced drops"}; warm-up ${warmupMs / 60_000} min not in the slope`);

  const server = await startTarget(["--host", "127.0.0.1"]);
  const endAt = Date.now() + 15_000 + durationMs;
  const pprof = opts.pprofPort ? ["--profiling-enabled", "--address", `127.0.0.1:${opts.pprofPort}`] : [];
  if (opts.pprofPort) console.log(`soak: k6's heap profile at http://127.0.0.1:${opts.pprofPort}/debug/pprof/heap`);
  const runs = opts.apis.map((api) => {
    const child = spawn(k6, ["run", "-q", "--no-usage-report", "--no-color", "--summary-mode", opts.summary ? "compact" : "disabled", ...pprof, script], {
      cwd: root,
      env: { ...process.env, K6_NO_USAGE_REPORT: "true", SOAK_OUT: countsPath(api), SOAK_URL: server.url, SOAK_SOCKETS: String(opts.sockets), SOAK_END_AT: String(endAt), SOAK_DROP_EVERY_MS: String(opts.dropEveryMs), API: api },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const sampler = sampleTree(child.pid, 5_000);
    const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    // Bounded: the script ends itself at endAt; anything past a minute after that is a hang.
    const killer = setTimeout(() => child.kill("SIGKILL"), endAt - Date.now() + 90_000);
    return { api, child, sampler, exited, killer, output: () => output, startedAt: Date.now() };
  });
  const results = [];
  for (const run of runs) {
    const code = await run.exited;
    clearTimeout(run.killer);
    const samples = run.sampler.stop().samples.filter((s) => s.at <= endAt);
    const measured = samples.filter((s) => s.at >= run.startedAt + warmupMs);
    const lastThird = measured.filter((s) => s.at >= endAt - durationMs / 3);
    const counts = readCounts(run.api);
    const counter = (name) => counts[name] ?? null;
    const r = {
      api: run.api === "io" ? "io() over k6/websockets" : "connect() over k6/ws",
      exit_code: code,
      rss_mb_after_warmup: round((measured[0]?.rssKb ?? NaN) / 1024, 1),
      rss_mb_end: round((measured.at(-1)?.rssKb ?? NaN) / 1024, 1),
      rss_mb_peak: round(Math.max(...samples.map((s) => s.rssKb)) / 1024, 1),
      slope_mb_per_min: round(slopeMbPerMin(measured)),
      slope_last_third_mb_per_min: round(slopeMbPerMin(lastThird)),
      acks: counter("soak_acks"),
      ack_failures: counter("soak_ack_failures"),
      forced_drops: counter("soak_forced_drops"),
      reconnects: counter("socketio_reconnects"),
      reconnect_failures: counter("socketio_reconnect_failures"),
    };
    results.push(r);
    if (code !== 0) console.log(`soak: ${r.api}: k6 exited ${code}\n${run.output().split("\n").slice(-30).join("\n")}`);
  }
  await server.stop();
  console.log("\n| client | RSS after warm-up | RSS at end | peak | slope (MB/min) | slope, last third | acks | ack failures | forced drops | reconnects |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of results) {
    console.log(`| ${r.api} | ${r.rss_mb_after_warmup} MB | ${r.rss_mb_end} MB | ${r.rss_mb_peak} MB | ${r.slope_mb_per_min} | ${r.slope_last_third_mb_per_min} | ${r.acks} | ${r.ack_failures} | ${r.forced_drops} | ${r.reconnects} |`);
  }
  const report = { date: new Date().toISOString(), k6: k6Version(k6), gogc: process.env.GOGC ?? "100", gomemlimit: process.env.GOMEMLIMIT ?? "none", minutes: opts.minutes, sockets: opts.sockets, drop_every_ms: opts.dropEveryMs, warmup_min: warmupMs / 60_000, results };
  // Only the documented run (30 minutes or more, the default drops) is the project's record.
  const documented = opts.minutes >= 30 && opts.dropEveryMs === 20_000 && opts.summary && !opts.pprofPort;
  const out = documented ? join(root, "bench", "results", "soak.json") : join(root, "bench", ".out", `soak-${process.pid}.json`);
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten: ${out}`);
  if (documented) {
    writeFileSync(join(root, "docs", "soak.md"), soakMarkdown(report));
    console.log(`written: ${join(root, "docs", "soak.md")}`);
  }
  return results.every((r) => r.exit_code === 0) ? 0 : 1;
}

function soakMarkdown(report) {
  const rows = report.results.map((r) => `| ${r.api} | ${r.rss_mb_after_warmup} MB | ${r.rss_mb_end} MB | ${r.rss_mb_peak} MB | ${r.slope_mb_per_min} | ${r.slope_last_third_mb_per_min} | ${r.acks} | ${r.ack_failures} | ${r.forced_drops} | ${r.reconnects} | ${r.reconnect_failures} |`);
  return [
    "# Soak: memory over a long run",
    "",
    "<!-- written by `npm run soak` (bench/soak.mjs) from bench/results/soak.json; rerun it rather than editing -->",
    "",
    `\`npm run soak\` holds ${report.sockets} sockets per client API for ${report.minutes} minutes against the reference`,
    "server on 127.0.0.1: each socket sends an echo a second (acked), and about every 20 s asks the",
    "server to drop its transport (`drop_me`), after which the library reconnects by itself",
    "(`reconnect` with 200 ms to 2 s backoff). Both client APIs run side by side: `io()` over",
    "k6/websockets (50 sockets per VU) and `connect()` over k6/ws (one socket per VU). The resident",
    "memory of each k6 process is sampled every 5 s; the slope is a least-squares fit after a",
    `${report.warmup_min}-minute warm-up, and the last-third slope says whether it levelled off.`,
    "",
    `Run on ${report.date.slice(0, 10)} with k6 ${report.k6}, GOGC=${report.gogc}, GOMEMLIMIT=${report.gomemlimit}:`,
    "",
    "| client | RSS after warm-up | RSS at end | peak | slope (MB/min) | slope, last third (MB/min) | acks | ack failures | forced drops | reconnects | reconnect failures |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    "k6 runs with the GOGC above (Go's default 100 unless set): under the project's GOGC=400 the",
    "heap grows to five times the live data between collections and RSS rises for many minutes",
    "with nothing kept. What remains of a slope is mostly k6's own: every Trend sample (each ack's",
    "latency, each connect's duration) is kept in memory until the end-of-test summary computes",
    "its percentiles, 8 bytes and more per sample. `--pprof PORT` serves k6's heap profile to see",
    "what grows ([benchmarks.md](benchmarks.md#memory-over-a-long-run-soak)).",
    "",
  ].join("\n");
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
