// npm run gate -- <scenario> <target-url> [k6 run arguments…]
// Runs dist/<scenario>.js against a server and turns k6's exit code into a readable CI verdict:
// 0 = thresholds held; 99 = the failed thresholds are listed with observed values and limits
// (and as GitHub Actions annotations when run there). Summaries go to $SUMMARY_DIR (default out/):
// <scenario>-summary.json, -junit.xml, -samples.json.gz (every sample, k6 --out json) and
// -report.html. PROGRESS=5s prints a line of key metrics every 5 s while the test runs.
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { build, ensureK6, ensureNodeModules, root } from "./lib.mjs";
import { recordedRun } from "./recorded-run.mjs";

const [scenario, targetUrl, ...k6Args] = process.argv.slice(2);
const scenarios = existsSync(join(root, "src", "scenarios"))
  ? readdirSync(join(root, "src", "scenarios")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3))
  : [];
if (!scenario || !targetUrl || !scenarios.includes(scenario)) {
  console.error(`usage: npm run gate -- <scenario> <target-url> [k6 run arguments…]\nscenarios: ${scenarios.join(", ")}`);
  process.exit(2);
}

// npm prints a script's command line (arguments included) before running it, into CI logs: a
// secret belongs in the environment, which k6 reads as __ENV too. Named here, never its value.
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|AUTH|COOKIE|CREDENTIAL/i;
const exposed = k6Args.flatMap((a, i) => (k6Args[i - 1] === "-e" || k6Args[i - 1] === "--env" ? [a.split("=")[0]] : [])).filter((name) => SECRET_NAME.test(name));
for (const name of exposed) {
  console.warn(`warning: -e ${name}=… is on the command line, which npm printed above (and CI logs keep): pass it as an environment variable instead (${name}=… npm run gate -- …; in GitHub Actions, env: ${name}: \${{ secrets.… }}); k6 reads it all the same`);
}

const summaryDir = resolve(process.env.SUMMARY_DIR ?? join(root, "out"));
const github = process.env.GITHUB_ACTIONS === "true";

async function main() {
  ensureNodeModules();
  const k6 = ensureK6({ quiet: true });
  build();
  mkdirSync(summaryDir, { recursive: true });
  const { run, summary, report } = await recordedRun(k6, scenario, { targetUrl, summaryDir, args: k6Args, timeoutMs: 6 * 60 * 60_000 });
  console.log("");
  // As the run's facts show it (secrets masked); without them, without query and user info.
  const target = summary?.run?.target ?? targetUrl.replace(/[?#].*$/, "").replace(/\/\/[^/@]*@/, "//[redacted]@");
  const notJudged = summary?.thresholds.filter((t) => t.notJudged) ?? [];
  const judged = summary ? summary.thresholds.length - notJudged.length : "";
  if (run.code === 0) {
    console.log(`PASS: ${scenario} against ${target}: all ${judged} thresholds held.`);
  } else if (run.code === 99 && summary) {
    const failed = summary.thresholds.filter((t) => !t.ok && !t.notJudged);
    console.log(`FAIL: ${scenario} against ${target}: ${failed.length} of ${judged} thresholds failed:`);
    for (const t of failed) {
      const line = `${t.metric} ${t.expression}: observed ${t.stat}=${format(t)}`;
      console.log(`  - ${line}`);
      if (github) console.log(`::error title=k6-socketio ${scenario} threshold failed::${line}`);
    }
    console.log(`JUnit: ${join(summaryDir, `${scenario}-junit.xml`)}`);
  } else {
    const why = run.code === 107 ? "the script stopped at init (bad TARGET_URL or option, see above)" : "k6 itself failed (see its output above)";
    console.log(`ERROR: ${scenario} against ${target}: k6 exited with code ${run.code}: ${why}.`);
    if (github) console.log(`::error title=k6-socketio ${scenario} did not run::k6 exited with code ${run.code}: ${why}`);
  }
  for (const t of notJudged) console.log(`  not judged: ${t.metric} ${t.expression} (${t.notJudged})`);
  console.log(report.path ? `report: ${report.path}` : `no HTML report: ${report.error}`);
  return run.code;
}

function format(t) {
  if (t.observed === undefined || t.observed === null) return "no data";
  if (t.stat === "rate") return `${(t.observed * 100).toFixed(2)}%`;
  const v = Number.isInteger(t.observed) ? String(t.observed) : t.observed.toFixed(2);
  return t.unit ? `${v} ${t.unit}` : v;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`gate failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
