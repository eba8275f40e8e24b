// The report's tables beside its charts: the run's totals, every error by reason with when it
// was first seen, and each ack event's latency distribution. Built from the recorded samples.
import { percentile } from "./aggregate";
import type { Run } from "./run";

export interface Totals {
  connects: number;
  connectFailures: number;
  acks: number;
  ackTimeouts: number;
  messagesSent: number;
  messagesReceived: number;
  errors: number;
}

export interface ErrorRow {
  /** What went wrong: the metric, with its reason or event. */
  what: string;
  count: number;
  /** Seconds since the run's start of the first occurrence. */
  firstSeenS: number;
}

export interface Distribution {
  event: string;
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Counts per latency band (BANDS_MS upper bounds, then the rest). */
  bands: number[];
}

/** Upper bounds (ms) of the latency bands; the last band holds everything slower. */
export const BANDS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

const sum = (run: Run, metric: string, only: (tags: Readonly<Record<string, string>>, v: number) => boolean = () => true): number => {
  let total = 0;
  for (const s of run.samples(metric)) if (only(s.tags, s.v)) total += s.v;
  return total;
};

/** Disconnects the client asked for are not errors. */
const clientSide = (reason: string | undefined) => reason === "io client disconnect";

export function totals(run: Run): Totals {
  let connects = 0;
  let connectFailures = 0;
  for (const s of run.samples("socketio_connect_success")) {
    if (s.v !== 0) connects++;
    else connectFailures++;
  }
  const ackTimeouts = sum(run, "socketio_ack_timeouts");
  const errors = sum(run, "socketio_connect_errors") + ackTimeouts + sum(run, "socketio_decode_errors") + sum(run, "socketio_disconnects", (t) => !clientSide(t.reason));
  return {
    connects,
    connectFailures,
    acks: run.samples("socketio_ack_duration").length,
    ackTimeouts,
    messagesSent: sum(run, "socketio_messages_sent"),
    messagesReceived: sum(run, "socketio_messages_received"),
    errors,
  };
}

/** The error counters by their reason (or event), with their first occurrence. */
export function errorsByReason(run: Run): ErrorRow[] {
  const sources: [string, string][] = [
    ["socketio_connect_errors", "reason"],
    ["socketio_ack_timeouts", "event"],
    ["socketio_decode_errors", "reason"],
    ["socketio_disconnects", "reason"],
    ["socketio_wait_timeouts", "event"],
    ["socketio_stalls", ""],
  ];
  for (const [name, info] of run.metrics) if (info.type === "counter" && /_contract_mismatches$/.test(name)) sources.push([name, "event"]);
  const rows = new Map<string, ErrorRow>();
  for (const [metric, tag] of sources) {
    for (const s of run.samples(metric)) {
      if (s.v === 0 || (metric === "socketio_disconnects" && clientSide(s.tags.reason))) continue;
      const what = tag ? `${metric}{${tag}:${s.tags[tag] ?? "(none)"}}` : metric;
      const at = Math.max(0, (s.t - run.start) / 1000);
      const row = rows.get(what);
      if (row) {
        row.count += s.v;
        row.firstSeenS = Math.min(row.firstSeenS, at);
      } else rows.set(what, { what, count: s.v, firstSeenS: at });
    }
  }
  return [...rows.values()].sort((a, b) => a.firstSeenS - b.firstSeenS);
}

/** Each ack event's latency: percentiles and counts per band (the busiest events first). */
export function ackDistributions(run: Run, maxEvents = 8): Distribution[] {
  const byEvent = new Map<string, number[]>();
  for (const s of run.samples("socketio_ack_duration")) {
    const e = s.tags.event ?? "(none)";
    let list = byEvent.get(e);
    if (!list) byEvent.set(e, (list = []));
    list.push(s.v);
  }
  return [...byEvent]
    .sort((a, b) => b[1].length - a[1].length)
    .slice(0, maxEvents)
    .map(([event, values]) => {
      const sorted = Float64Array.from(values).sort();
      const bands = new Array<number>(BANDS_MS.length + 1).fill(0);
      for (const v of sorted) {
        const i = BANDS_MS.findIndex((b) => v <= b);
        bands[i < 0 ? BANDS_MS.length : i]! += 1;
      }
      return { event, count: sorted.length, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1]!, bands };
    });
}
