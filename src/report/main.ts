// npm run report -- [--out DIR] [--summary FILE] [--exit-code N] [--store] <recorded output>...
// The HTML report of a run from its recorded output (k6 --out json=<file>[.gz]). Given the
// outputs of every instance of a split run, it judges every threshold on their union and
// writes one summary JSON, one JUnit file and one report, and exits as k6 would: 0 or 99.
// --store first replaces each plain .json output by a gzipped copy with its secrets masked.
import { resolve } from "node:path";
import { describeObserved } from "../kit/summary/verdict";
import { buildReport } from "./build-report";
import { storeRedacted } from "./store";
import { RecordingError } from "./recording";

const usage = "usage: npm run report -- [--out DIR] [--summary FILE] [--exit-code N] [--store] <output.json[.gz]>...";

function parseArgs(argv: string[]) {
  const recordings: string[] = [];
  let outDir = process.env.SUMMARY_DIR ?? "out";
  let summaryPath: string | undefined;
  let exitCode: number | undefined;
  let store = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--out") outDir = argv[++i] ?? "";
    else if (a === "--summary") summaryPath = argv[++i];
    else if (a === "--exit-code") exitCode = Number(argv[++i]);
    else if (a === "--store") store = true;
    else if (a.startsWith("-")) throw new RecordingError(`unknown option ${a}\n${usage}`);
    else recordings.push(a);
  }
  if (recordings.length === 0 || !outDir || (exitCode !== undefined && !Number.isInteger(exitCode))) throw new RecordingError(usage);
  return { store, recordings, outDir: resolve(outDir), ...(summaryPath ? { summaryPath } : {}), ...(exitCode !== undefined ? { exitCode } : {}) };
}

async function main(): Promise<number> {
  const { store, ...options } = parseArgs(process.argv.slice(2));
  if (store) options.recordings = await Promise.all(options.recordings.map((r) => (r.endsWith(".json") ? storeRedacted(r) : r)));
  const { summary, exitCode, files } = await buildReport(options);
  const judged = summary.thresholds.filter((t) => !t.notJudged);
  const failed = judged.filter((t) => !t.ok);
  const who = summary.judgedBy === "merge" ? `judged on the samples of ${summary.run.instances} k6 instance${summary.run.instances > 1 ? "s" : ""}` : "judged by k6";
  console.log(failed.length === 0 ? `PASS: ${summary.run.scenario} run ${summary.run.runId}: all ${judged.length} thresholds held (${who})` : `FAIL: ${summary.run.scenario} run ${summary.run.runId}: ${failed.length} of ${judged.length} thresholds failed (${who}):`);
  for (const t of failed) console.log(`  - ${t.metric} ${t.expression}: observed ${describeObserved(t)}`);
  for (const f of files) console.log(`wrote ${f}`);
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof RecordingError ? `report: ${err.message}` : `report failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(err instanceof RecordingError ? 1 : 2);
  },
);
