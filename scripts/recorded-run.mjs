// One recorded k6 run, as `npm start` and `npm run gate` make it: the scenario's summary JSON and
// JUnit in SUMMARY_DIR (handleSummary), every sample recorded with k6's `--out json` and gzipped
// to <dir>/<scenario>-samples.json.gz, the HTML report built from both (src/report), and with
// PROGRESS=<interval> a live line per interval. The output is kept gzipped, its secrets masked. The k6 version and the git commit go to the run's
// facts as -e K6_VERSION and -e GIT_COMMIT.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { k6Version, root, runK6 } from "./lib.mjs";

/** The commit of the code under test: $GITHUB_SHA in GitHub Actions, else this repository's HEAD. */
export function gitCommit() {
  if (process.env.GITHUB_SHA) return process.env.GITHUB_SHA;
  const r = spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8", timeout: 5000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * @param {string} k6
 * @param {string} scenario
 * @param {{ targetUrl: string, summaryDir: string, args?: string[], timeoutMs?: number }} options
 */
export async function recordedRun(k6, scenario, { targetUrl, summaryDir, args = [], timeoutMs }) {
  const samples = join(summaryDir, `${scenario}-samples.json`);
  const summaryPath = join(summaryDir, `${scenario}-summary.json`);
  for (const stale of [samples, `${samples}.gz`, summaryPath, join(summaryDir, `${scenario}-report.html`)]) rmSync(stale, { force: true });
  const commit = gitCommit();
  const progress = startProgress(samples);
  let run;
  try {
    run = await runK6(k6, join(root, "dist", `${scenario}.js`), {
      env: { TARGET_URL: targetUrl, SUMMARY_DIR: summaryDir, K6_VERSION: k6Version(k6) ?? "unknown", ...(commit ? { GIT_COMMIT: commit } : {}) },
      // Uncompressed while k6 writes it, so that progress can follow it; gzipped after.
      args: ["--out", `json=${samples}`, ...args],
      echo: true,
      timeoutMs,
    });
  } finally {
    progress?.kill("SIGTERM");
  }
  const summary = existsSync(summaryPath) ? JSON.parse(readFileSync(summaryPath, "utf8")) : null;
  const report = buildReport(samples, summary ? summaryPath : undefined, run.code, summaryDir);
  return { run, summary, summaryPath, report };
}

/** PROGRESS=5s: a child that follows the output file and prints a line per interval. */
function startProgress(samples) {
  const interval = process.env.PROGRESS;
  if (!interval || interval === "0" || interval === "false") return undefined;
  return spawn(process.execPath, ["--import", "tsx", join(root, "src", "report", "progress.ts"), samples, interval], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
}

/** Stores the recorded output (gzipped, secrets masked) and builds the HTML report; returns its path, or the reason there is none. */
function buildReport(samples, summaryPath, exitCode, summaryDir) {
  if (!existsSync(samples)) return { error: "k6 recorded no output (it stopped before the test ran)" };
  const args = ["--import", "tsx", join(root, "src", "report", "main.ts"), "--store", "--out", summaryDir, "--exit-code", String(exitCode), ...(summaryPath ? ["--summary", summaryPath] : []), samples];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 10 * 60_000 });
  const path = /wrote (\S+-report\.html)/.exec(r.stdout)?.[1];
  return path ? { path } : { error: (r.stderr || r.stdout).trim().replace(/^report: /, "") || `the report exited with ${r.status}` };
}
