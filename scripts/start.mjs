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
  for (const t of thresholds) console.log(`  ${t.ok ? "held  " : "FAILED"}  ${t.metric}  ${t.expression}`);
  const failed = thresholds.filter((t) => !t.ok).length;
  console.log(
    failed === 0
      ? `  all ${thresholds.length} thresholds held: exit ${result.code}`
      : `  ${failed} of ${thresholds.length} thresholds failed: exit ${result.code}`,
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
