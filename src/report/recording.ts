// Reads a run's recorded output: k6's `--out json=<file>` (or `<file>.gz`), one JSON object a
// line: "Metric" lines (name, type, thresholds on the whole metric) and "Point" lines (time,
// value, tags). The kit records the run's facts as one `k6socketio_run` point per instance
// (src/kit/run-facts.ts). Refuses, with a message that says why, a file that is truncated, is
// not k6's JSON output, or holds no facts or the facts of several runs.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";

export const RUN_METRIC = "k6socketio_run";

export interface MetricInfo {
  type: "counter" | "gauge" | "rate" | "trend";
  contains: "default" | "time" | "data";
}

export interface Sample {
  /** Milliseconds since the epoch. */
  t: number;
  v: number;
  /** Shared between samples with the same tags. */
  tags: Readonly<Record<string, string>>;
}

export interface InstanceFacts {
  runId: string;
  scenario: string;
  startedAt: string;
  vus: number;
  segment: string;
  target?: string;
  contract?: string;
  k6Version?: string;
  libraryVersion?: string;
  socketsPerVu?: number;
  gitCommit?: string;
  thresholds: Record<string, string[]>;
  notJudged: [string, string][];
}

export interface Recording {
  source: string;
  facts: InstanceFacts;
  metrics: Map<string, MetricInfo>;
  samples: Map<string, Sample[]>;
  /** First and last sample time (ms), or NaN when the run recorded no sample. */
  first: number;
  last: number;
}

export class RecordingError extends Error {
  override name = "RecordingError";
}

export async function readRecording(path: string): Promise<Recording> {
  const file = createReadStream(path);
  const input: Readable = path.endsWith(".gz") ? file.pipe(createGunzip()) : file;
  // A stream error (a cut gzip, a missing file) must end the line loop, not hang it.
  const failed = new Promise<never>((_, reject) => {
    const fail = (err: Error & { code?: string }) => reject(streamError(path, err));
    file.once("error", fail);
    if (input !== file) input.once("error", fail);
  });
  const reading = readLines(path, input);
  // Whichever settles first is the answer; the other must not surface as an unhandled rejection.
  reading.catch(() => undefined);
  failed.catch(() => undefined);
  return Promise.race([reading, failed]);
}

function streamError(path: string, err: Error & { code?: string }): RecordingError {
  if (err.code === "ENOENT") return new RecordingError(`${path}: no such file`);
  if (err.code === "Z_BUF_ERROR" || /unexpected end of file/i.test(err.message)) return new RecordingError(`${path}: truncated: the gzip stream ends early (the file was cut while k6 wrote or copied it)`);
  return new RecordingError(`${path}: cannot read it as k6's JSON output (${err.message})`);
}

async function readLines(path: string, input: Readable): Promise<Recording> {
  const metrics = new Map<string, MetricInfo>();
  const samples = new Map<string, Sample[]>();
  const tagCache = new Map<string, Readonly<Record<string, string>>>();
  const facts: Record<string, string>[] = [];
  let first = Number.NaN;
  let last = Number.NaN;
  let lineNo = 0;
  let pending: string | undefined;
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (pending !== undefined) throw new RecordingError(`${path}: line ${lineNo} is not a JSON object: not k6's --out json output, or damaged`);
    lineNo++;
    if (line.length === 0) continue;
    let entry: { type?: string; metric?: string; data?: Record<string, unknown> };
    try {
      entry = JSON.parse(line);
    } catch {
      // Only the last line may be cut short; a bad line before it is damage.
      pending = line;
      continue;
    }
    if (entry.type === "Metric" && entry.data) {
      metrics.set(String(entry.data.name), { type: entry.data.type as MetricInfo["type"], contains: (entry.data.contains as MetricInfo["contains"]) ?? "default" });
    } else if (entry.type === "Point" && entry.data && typeof entry.metric === "string") {
      const t = Date.parse(String(entry.data.time));
      const v = Number(entry.data.value);
      const rawTags = (entry.data.tags ?? {}) as Record<string, string>;
      if (entry.metric === RUN_METRIC) {
        facts.push(rawTags);
        continue;
      }
      const key = JSON.stringify(rawTags);
      let tags = tagCache.get(key);
      if (!tags) {
        tags = rawTags;
        tagCache.set(key, tags);
      }
      let list = samples.get(entry.metric);
      if (!list) samples.set(entry.metric, (list = []));
      list.push({ t, v, tags });
      if (!(t >= first)) first = t;
      if (!(t <= last)) last = t;
    } else {
      throw new RecordingError(`${path}: line ${lineNo} is neither a k6 Metric nor a Point: not k6's --out json output`);
    }
  }
  if (pending !== undefined) throw new RecordingError(`${path}: truncated: its last line (${lineNo}) is cut short (the file was cut while k6 wrote or copied it)`);
  if (lineNo === 0) throw new RecordingError(`${path}: empty: k6 wrote nothing (did the run start?)`);
  if (facts.length === 0) {
    throw new RecordingError(`${path}: no run facts (no ${RUN_METRIC} sample): record a k6-socketio scenario whose setup() calls prepareRun(), without --no-setup`);
  }
  const ids = [...new Set(facts.map((f) => `${f.scenario}/${f.run_id}`))];
  if (ids.length > 1) throw new RecordingError(`${path}: holds ${ids.length} runs (${ids.join(", ")}): give each k6 instance its own output file`);
  return { source: path, facts: parseFacts(path, facts[0]!), metrics, samples, first, last };
}

function parseFacts(path: string, tags: Record<string, string>): InstanceFacts {
  const json = <T>(name: string, fallback: T): T => {
    try {
      return tags[name] ? (JSON.parse(tags[name]!) as T) : fallback;
    } catch {
      throw new RecordingError(`${path}: the run facts' ${name} tag is not JSON`);
    }
  };
  if (!tags.run_id || !tags.scenario) throw new RecordingError(`${path}: the run facts lack run_id or scenario`);
  const sockets = Number(tags.sockets_per_vu);
  return {
    runId: tags.run_id,
    scenario: tags.scenario,
    startedAt: tags.started_at ?? "",
    vus: Number(tags.vus ?? 0),
    segment: tags.segment ?? "0:1",
    ...(tags.target ? { target: tags.target } : {}),
    ...(tags.contract ? { contract: tags.contract } : {}),
    ...(tags.k6_version ? { k6Version: tags.k6_version } : {}),
    ...(tags.library_version ? { libraryVersion: tags.library_version } : {}),
    ...(sockets > 0 ? { socketsPerVu: sockets } : {}),
    ...(tags.git_commit ? { gitCommit: tags.git_commit } : {}),
    thresholds: json("thresholds", {}),
    notJudged: json("not_judged", []),
  };
}
