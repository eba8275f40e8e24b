// npm start — the main job: bootstrap what is missing, build, start the reference server on a
// free loopback port, run dist/matchmaking.js against it, print which thresholds held, and
// exit with k6's code (0 = all thresholds held, 99 = some failed).
//   npm start -- -e VUS=50 -e DURATION=1m      extra arguments go to `k6 run`
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { build, ensureK6, ensureNodeModules, root, runK6, startTarget, thresholdResults } from "./lib.mjs";

const extraArgs = process.argv.slice(2);

async function main() {
  ensureNodeModules();
  const k6 = ensureK6();
  build();
  const target = await startTarget([], { echo: false });
  console.log(`reference server: ${target.url}`);
  const outDir = join(root, "out");
  mkdirSync(outDir, { recursive: true });
  const summaryPath = join(outDir, "matchmaking-summary.json");
  let result;
  try {
    result = await runK6(k6, join(root, "dist", "matchmaking.js"), {
      env: { TARGET_URL: target.url },
      args: extraArgs,
      summaryPath,
      echo: true,
      timeoutMs: 30 * 60_000,
    });
  } finally {
    await target.stop();
  }
  printVerdict(result, summaryPath);
  return result.code;
}

function printVerdict(result, summaryPath) {
  const thresholds = thresholdResults(result.summary);
  console.log("\nverdict:");
  if (thresholds.length === 0) {
    console.log(`  k6 exited with ${result.code} and no threshold results (see k6's output above)`);
    return;
  }
  // With --vus/--duration (k6's default scenario) some thresholds have no data: the scenario
  // names them in its log, and they are neither held nor failed.
  const line = /NOT JUDGED in this run \(listed as passed below, without data\): (.*?)"? source=/.exec(result.stderr)?.[1] ?? "";
  const notJudged = new Set([...line.matchAll(/([^\s,(][^()]*?) \([^)]*\)/g)].map((m) => m[1]));
  for (const t of thresholds) {
    const note = notJudged.has(t.metric) ? "  (not judged: no data in this run)" : t.noData ? "  (no data: nothing was recorded for it)" : "";
    console.log(`  ${notJudged.has(t.metric) ? "--    " : t.ok ? "held  " : "FAILED"}  ${t.metric}  ${t.expression}${note}`);
  }
  const judged = thresholds.filter((t) => !notJudged.has(t.metric));
  const failed = judged.filter((t) => !t.ok).length;
  const skipped = thresholds.length - judged.length ? `, ${thresholds.length - judged.length} not judged` : "";
  console.log(
    failed === 0
      ? `  all ${judged.length} thresholds held${skipped}: exit ${result.code}`
      : `  ${failed} of ${judged.length} thresholds failed${skipped}: exit ${result.code}`,
  );
  console.log(`  summary: ${summaryPath}`);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`npm start failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
