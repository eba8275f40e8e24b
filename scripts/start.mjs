// npm start — the main job: bootstrap what is missing, build, start the reference server on a
// free loopback port, run dist/matchmaking.js against it, print which thresholds held, and
// exit with k6's code (0 = all thresholds held, 99 = some failed). Writes what the gate writes,
// in out/: matchmaking-summary.json, -junit.xml, -samples.json.gz and -report.html.
//   npm start -- -e VUS=50 -e DURATION=1m      extra arguments go to `k6 run`
//   PROGRESS=5s npm start                      a line of key metrics every 5 s while it runs
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { build, ensureK6, ensureNodeModules, root, startTarget } from "./lib.mjs";
import { recordedRun } from "./recorded-run.mjs";

const extraArgs = process.argv.slice(2);

async function main() {
  ensureNodeModules();
  const k6 = ensureK6();
  build();
  const target = await startTarget([], { echo: false });
  console.log(`reference server: ${target.url}`);
  const outDir = join(root, "out");
  mkdirSync(outDir, { recursive: true });
  let result;
  try {
    result = await recordedRun(k6, "matchmaking", { targetUrl: target.url, summaryDir: outDir, args: extraArgs, timeoutMs: 30 * 60_000 });
  } finally {
    await target.stop();
  }
  printVerdict(result);
  return result.run.code;
}

function printVerdict({ run, summary, summaryPath, report }) {
  console.log("\nverdict:");
  const thresholds = summary?.thresholds ?? [];
  if (thresholds.length === 0) {
    console.log(`  k6 exited with ${run.code} and no threshold results (see k6's output above)`);
    return;
  }
  // With --vus/--duration (k6's default scenario) some thresholds have no data: neither held nor failed.
  for (const t of thresholds) {
    const note = t.notJudged ? `  (not judged: ${t.notJudged})` : t.noData ? "  (no data: nothing was recorded for it)" : "";
    console.log(`  ${t.notJudged ? "--    " : t.ok ? "held  " : "FAILED"}  ${t.metric}  ${t.expression}${note}`);
  }
  const judged = thresholds.filter((t) => !t.notJudged);
  const failed = judged.filter((t) => !t.ok).length;
  const skipped = thresholds.length - judged.length ? `, ${thresholds.length - judged.length} not judged` : "";
  console.log(
    failed === 0
      ? `  all ${judged.length} thresholds held${skipped}: exit ${run.code}`
      : `  ${failed} of ${judged.length} thresholds failed${skipped}: exit ${run.code}`,
  );
  console.log(`  summary: ${summaryPath}`);
  console.log(report.path ? `  report: ${report.path}` : `  no HTML report: ${report.error}`);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`npm start failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
