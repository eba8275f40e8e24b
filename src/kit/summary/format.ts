// The one summary format, written to <SUMMARY_DIR>/<scenario>-summary.json by every command:
// handleSummary (npm start, npm run gate, a plain `k6 run -e SUMMARY_DIR=…`) and the merge of a
// split run (npm run report). Pure: shared by the k6 side and the Node side. Bump the version
// when a field changes meaning or goes away; adding a field keeps it.
import type { ThresholdResult } from "./verdict";

export const SUMMARY_FORMAT = "k6-socketio-summary";
export const SUMMARY_VERSION = 1;

/** What was run. Every field but `scenario` may be unknown (a plain k6 run passes no K6_VERSION). */
export interface RunFacts {
  scenario: string;
  /** The run id every instance was given (-e RUN_ID), or the one setup() drew. */
  runId?: string;
  /** TARGET_URL with credentials and secret query values masked. */
  target?: string;
  contract?: string;
  k6Version?: string;
  libraryVersion?: string;
  /** VUs initialized, summed over instances. */
  vus?: number;
  socketsPerVu?: number;
  durationMs?: number;
  /** ISO time the run started (setup() of the first instance). */
  startedAt?: string;
  gitCommit?: string;
  /** How many k6 instances' outputs were merged (1 for a single process). */
  instances: number;
}

export interface SummaryMetricValues {
  type: "counter" | "gauge" | "rate" | "trend";
  contains?: "default" | "time" | "data";
  values: Record<string, number>;
}

export interface RunSummary {
  format: typeof SUMMARY_FORMAT;
  version: typeof SUMMARY_VERSION;
  run: RunFacts;
  /** Every judged threshold held, and no root cause stopped the run from judging. */
  passed: boolean;
  /** Set when a precondition failed for every player (nothing connected, the contract never matched): the thresholds that need it are not judged. */
  rootCause?: { kind: "connect" | "contract"; cause: string; fix: string; doctor: string };
  /** Who judged: k6 itself (one process), or the merge over every instance's samples. */
  judgedBy: "k6" | "merge";
  thresholds: ThresholdResult[];
  metrics: Record<string, SummaryMetricValues>;
}

/** A parsed summary file, or an error that says what it is instead. */
export function readSummary(text: string, source: string): RunSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${source}: not JSON`);
  }
  const s = raw as Partial<RunSummary> | null;
  if (!s || s.format !== SUMMARY_FORMAT) throw new Error(`${source}: not a k6-socketio summary (no "format": "${SUMMARY_FORMAT}"); k6's own --summary-export is not read here`);
  if (s.version !== SUMMARY_VERSION) throw new Error(`${source}: summary format version ${String(s.version)}; this k6-socketio reads version ${SUMMARY_VERSION}`);
  return s as RunSummary;
}
