// From recorded outputs to the report's files: the HTML report always; for a merge (or a single
// output without its summary) also the verdict judged on the samples, as the summary JSON and
// JUnit that handleSummary writes for one process.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { ackDistributions, errorsByReason, totals } from "./tables";
import { join } from "node:path";
import { type RunSummary, readSummary, SUMMARY_FORMAT, SUMMARY_VERSION } from "../kit/summary/format";
import { junitXml } from "../kit/summary/junit";
import { aggregate } from "./aggregate";
import { renderReport } from "./html";
import { judge } from "./judge";
import { readRecording, RecordingError } from "./recording";
import { combine, type Run } from "./run";
import { buildCharts } from "./series";

export interface ReportOptions {
  recordings: string[];
  outDir: string;
  /** handleSummary's summary of the same (single-process) run: its verdict is k6's own. */
  summaryPath?: string;
  /** k6's exit code, when the caller ran k6. */
  exitCode?: number;
}

export interface ReportResult {
  summary: RunSummary;
  exitCode: number;
  files: string[];
}

export async function buildReport(options: ReportOptions): Promise<ReportResult> {
  const recordings = [];
  for (const path of options.recordings) recordings.push(await readRecording(path));
  const run = combine(recordings);
  const files: string[] = [];
  mkdirSync(options.outDir, { recursive: true });
  const base = join(options.outDir, run.facts.scenario);
  let summary: RunSummary;
  const summaryPath = options.summaryPath ?? k6SummaryBeside(`${base}-summary.json`, run);
  if (summaryPath) {
    summary = readSummary(readFileSync(summaryPath, "utf8"), summaryPath);
    if (summary.run.scenario !== run.facts.scenario || (summary.run.runId && summary.run.runId !== run.facts.runId)) {
      throw new RecordingError(`${summaryPath} is from ${summary.run.scenario} run ${summary.run.runId}, the recorded output from ${run.facts.scenario} run ${run.facts.runId}: not the same run`);
    }
    // k6 judged; the recording adds what handleSummary could not know.
    summary = { ...summary, run: { ...run.facts, ...summary.run, instances: 1 } };
  } else {
    summary = judgedSummary(run);
    writeFileSync(`${base}-summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
    writeFileSync(`${base}-junit.xml`, junitXml(run.facts.scenario, summary.thresholds, run.durationMs));
    files.push(`${base}-summary.json`, `${base}-junit.xml`);
  }
  const exitCode = options.exitCode ?? (summary.passed ? 0 : 99);
  const html = renderReport({
    facts: summary.run,
    thresholds: summary.thresholds,
    passed: summary.passed && run.hasSamples,
    judgedBy: summary.judgedBy,
    rootCause: summary.rootCause,
    exitCode,
    charts: buildCharts(run, summary.thresholds),
    tables: { totals: totals(run), errors: errorsByReason(run), distributions: ackDistributions(run) },
    hasSamples: run.hasSamples,
    sources: options.recordings,
  });
  writeFileSync(`${base}-report.html`, html);
  files.push(`${base}-report.html`);
  return { summary, exitCode, files };
}

/** handleSummary's summary of this very run in the output directory, if there is one: its verdict is k6's own. */
function k6SummaryBeside(path: string, run: Run): string | undefined {
  if (run.recordings.length !== 1 || !existsSync(path)) return undefined;
  try {
    const s = readSummary(readFileSync(path, "utf8"), path);
    return s.judgedBy === "k6" && s.run.runId === run.facts.runId ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The verdict on the union of every instance's samples, in the summary format. */
export function judgedSummary(run: Run): RunSummary {
  const thresholds = judge(run, run.thresholds, run.notJudged);
  const metrics: RunSummary["metrics"] = {};
  for (const [name, info] of [...run.metrics].sort((a, b) => a[0].localeCompare(b[0]))) {
    metrics[name] = { type: info.type, contains: info.contains, values: aggregate(info.type, run.samples(name), run.durationMs) };
  }
  return {
    format: SUMMARY_FORMAT,
    version: SUMMARY_VERSION,
    run: run.facts,
    passed: run.hasSamples && thresholds.every((t) => t.ok || t.notJudged),
    judgedBy: "merge",
    thresholds,
    metrics,
  };
}
