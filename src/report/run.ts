// One run from the recorded outputs of its k6 instances (one file for a single process, one per
// runner for a split run). Refuses a set that is not one whole run: outputs of different
// scenarios, run ids or thresholds, the same execution segment twice, or a segment missing.
import type { RunFacts } from "../kit/summary/format";
import type { SampleSource } from "./judge";
import { type MetricInfo, type Recording, RecordingError, type Sample } from "./recording";

export interface Run extends SampleSource {
  facts: RunFacts;
  recordings: Recording[];
  thresholds: Record<string, string[]>;
  notJudged: Map<string, string>;
  /** Start of the run (ms): the earliest sample; NaN when nothing was recorded. */
  start: number;
  /** Whether any instance recorded a sample besides its facts. */
  hasSamples: boolean;
}

export function combine(recordings: Recording[]): Run {
  if (recordings.length === 0) throw new RecordingError("no recorded output given");
  const [head, ...rest] = recordings as [Recording, ...Recording[]];
  for (const r of rest) {
    if (r.facts.scenario !== head.facts.scenario) throw new RecordingError(`${r.source} is from scenario "${r.facts.scenario}", ${head.source} from "${head.facts.scenario}": merge the outputs of one run only`);
    if (r.facts.runId !== head.facts.runId) {
      throw new RecordingError(`${r.source} is from run id ${r.facts.runId}, ${head.source} from ${head.facts.runId}: merge the outputs of one run only (give every instance the same -e RUN_ID)`);
    }
    if (JSON.stringify(r.facts.thresholds) !== JSON.stringify(head.facts.thresholds)) throw new RecordingError(`${r.source} and ${head.source} were run with different thresholds: one run's instances share their options`);
  }
  checkSegments(recordings);
  const metrics = new Map<string, MetricInfo>();
  for (const r of recordings) for (const [name, info] of r.metrics) metrics.set(name, info);
  const merged = new Map<string, Sample[]>();
  const samples = (metric: string): readonly Sample[] => {
    let list = merged.get(metric);
    if (!list) {
      list = recordings.length === 1 ? (head.samples.get(metric) ?? []) : recordings.flatMap((r) => r.samples.get(metric) ?? []);
      merged.set(metric, list);
    }
    return list;
  };
  const firsts = recordings.map((r) => r.first).filter((t) => !Number.isNaN(t));
  const lasts = recordings.map((r) => r.last).filter((t) => !Number.isNaN(t));
  const start = firsts.length ? Math.min(...firsts) : Number.NaN;
  const durationMs = firsts.length ? Math.max(...lasts) - start : 0;
  const startedAt = recordings.map((r) => r.facts.startedAt).filter(Boolean).sort()[0];
  const f = head.facts;
  const facts: RunFacts = {
    scenario: f.scenario,
    runId: f.runId,
    instances: recordings.length,
    vus: recordings.reduce((a, r) => a + r.facts.vus, 0),
    durationMs,
    ...(startedAt ? { startedAt } : {}),
    ...(f.target ? { target: f.target } : {}),
    ...(f.contract ? { contract: f.contract } : {}),
    ...(f.k6Version ? { k6Version: f.k6Version } : {}),
    ...(f.libraryVersion ? { libraryVersion: f.libraryVersion } : {}),
    ...(f.socketsPerVu ? { socketsPerVu: f.socketsPerVu } : {}),
    ...(f.gitCommit ? { gitCommit: f.gitCommit } : {}),
  };
  return { facts, recordings, metrics, samples, durationMs, start, thresholds: f.thresholds, notJudged: new Map(f.notJudged), hasSamples: firsts.length > 0 };
}

type Fraction = [number, number];

function fraction(text: string, source: string): Fraction {
  const m = /^\s*(\d+)(?:\/(\d+))?\s*$/.exec(text);
  if (!m || Number(m[2] ?? 1) === 0) throw new RecordingError(`${source}: execution segment part "${text}" is not a fraction`);
  return [Number(m[1]), Number(m[2] ?? 1)];
}

const same = (a: Fraction, b: Fraction) => a[0] * b[1] === b[0] * a[1];
const less = (a: Fraction, b: Fraction) => a[0] * b[1] < b[0] * a[1];

/** The instances' execution segments must tile 0:1, each once. */
function checkSegments(recordings: Recording[]): void {
  const segments = recordings.map((r) => {
    const [from = "", to = ""] = r.facts.segment.split(":");
    return { source: r.source, text: r.facts.segment, from: fraction(from, r.source), to: fraction(to, r.source) };
  });
  segments.sort((a, b) => (less(a.from, b.from) ? -1 : less(b.from, a.from) ? 1 : 0));
  let at: Fraction = [0, 1];
  for (const s of segments) {
    if (less(s.from, at)) throw new RecordingError(`${s.source} (execution segment ${s.text}) overlaps another output: the same instance's output given twice?`);
    if (!same(s.from, at)) throw new RecordingError(`the outputs miss the instance of execution segment ${at[0]}/${at[1]}:${s.text.split(":")[0]}: a verdict on part of a run would be wrong`);
    at = s.to;
  }
  if (!same(at, [1, 1])) throw new RecordingError(`the outputs miss the instance of execution segment ${segments.at(-1)!.text.split(":")[1]}:1: a verdict on part of a run would be wrong`);
}
