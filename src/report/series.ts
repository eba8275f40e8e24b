// The report's charts: the run's samples in time buckets. The bucket is 1 s for runs up to
// 5 minutes (a 30 s run draws 30 points), then grows so that a chart has at most 300 points.
// A chart whose metric recorded nothing says "no data" instead of drawing a flat, healthy line.
import { parseThresholdKey } from "../kit/threshold-key";
import type { ThresholdResult } from "../kit/summary/verdict";
import { percentile } from "./aggregate";
import type { Chart, Series } from "./chart-types";
import type { Sample } from "./recording";
import type { Run } from "./run";

export interface Charts {
  bucketSeconds: number;
  /** Seconds since the run started, one per bucket. */
  x: number[];
  charts: Chart[];
}

const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];
const MAX_POINTS = 300;
/** Per-event latency charts beyond this many events are left out (the busiest are kept). */
const MAX_EVENT_CHARTS = 8;
const K6_BUILTIN = /^(checks|data_|iteration|vus|dropped_|group_|http_|ws_|grpc_|browser_|k6socketio_)/;

export function bucketSecondsFor(durationMs: number): number {
  return STEPS.find((s) => durationMs / 1000 / s <= MAX_POINTS) ?? STEPS.at(-1)!;
}

export function buildCharts(run: Run, thresholds: ThresholdResult[]): Charts {
  const bucket = bucketSecondsFor(run.durationMs);
  const n = run.hasSamples ? Math.max(1, Math.ceil((run.durationMs / 1000 + 1e-9) / bucket)) : 0;
  const x = Array.from({ length: n }, (_, i) => i * bucket);
  // Clamped: a session that opened before the first sample counts from the first bucket.
  const index = (t: number) => Math.max(0, Math.min(n - 1, Math.floor((t - run.start) / 1000 / bucket)));
  const charts: Chart[] = [];
  const failedMetrics = new Set(thresholds.filter((t) => !t.ok && !t.notJudged).map((t) => parseThresholdKey(t.metric).metric));
  const has = (metric: string) => run.samples(metric).length > 0;
  const noData = (metric: string) => `no data: no sample of ${metric} was recorded`;

  /** Sum of values per bucket, per tag value (or one series), divided by the bucket length when `perSecond`. */
  const byTag = (metric: string, tag: string | undefined, perSecond: boolean, only?: (s: Sample) => boolean): Series[] => {
    const groups = new Map<string, number[]>();
    for (const s of run.samples(metric)) {
      if (only && !only(s)) continue;
      const key = tag ? (s.tags[tag] ?? "(none)") : metric;
      let sums = groups.get(key);
      if (!sums) groups.set(key, (sums = new Array<number>(n).fill(0)));
      sums[index(s.t)]! += s.v;
    }
    return [...groups].sort((a, b) => a[0].localeCompare(b[0])).map(([label, sums]) => ({ label, values: perSecond ? sums.map((v) => v / bucket) : sums }));
  };

  const latency = (metric: string, filter: (s: Sample) => boolean = () => true): Series[] => {
    const buckets = Array.from({ length: n }, () => [] as number[]);
    for (const s of run.samples(metric)) if (filter(s)) buckets[index(s.t)]!.push(s.v);
    const sorted = buckets.map((b) => Float64Array.from(b).sort());
    return [50, 95, 99].map((p) => ({ label: `p${p}`, values: sorted.map((b) => (b.length ? percentile(b, p / 100) : null)) }));
  };

  const limitFor = (key: string, stat: RegExp, scale = 1): Chart["limit"] => {
    const t = thresholds.find((r) => r.metric === key && stat.test(r.stat));
    const m = t && /(-?[\d.]+)\s*$/.exec(t.expression);
    return m ? { value: Number(m[1]) * scale, label: `${t!.metric} ${t!.expression}` } : undefined;
  };

  const push = (chart: Chart, metric: string, present = has(metric)) => {
    const failed = failedMetrics.has(metric) || undefined;
    charts.push(present ? { ...chart, ...(failed ? { failed } : {}) } : { ...chart, series: [], noData: noData(metric), ...(failed ? { failed } : {}) });
  };

  // VUs: each instance reports its own; the run's is their sum per bucket (each instance's last value in it).
  const vus = new Array<number>(n).fill(0);
  for (const r of run.recordings) {
    const last = new Array<number | undefined>(n).fill(undefined);
    for (const s of r.samples.get("vus") ?? []) last[index(s.t)] = s.v;
    last.forEach((v, i) => (vus[i]! += v ?? 0));
  }
  push({ id: "vus", title: "VUs", unit: "", series: [{ label: "VUs", values: vus }] }, "vus");

  push({ id: "connects", title: "Connects per second, and connect errors by reason", unit: "/s", series: [...byTag("socketio_connect_success", undefined, true, (s) => s.v !== 0).map((s) => ({ ...s, label: "connected" })), ...byTag("socketio_connect_errors", "reason", true, (s) => s.v !== 0).map((s) => ({ ...s, label: `error: ${s.label}` }))] }, "socketio_connect_success");

  // Open connections: each WebSocket session's interval, from its duration sample at its end.
  const sessions = run.samples("ws_session_duration");
  const delta = new Array<number>(n + 1).fill(0);
  for (const s of sessions) {
    delta[index(s.t - s.v)]! += 1;
    delta[index(s.t) + 1]! -= 1;
  }
  let open = 0;
  push({ id: "open", title: "Open WebSocket connections", unit: "", series: [{ label: "open", values: x.map((_, i) => (open += delta[i]!)) }] }, "ws_session_duration");

  push({ id: "acks", title: "Acks per second, by event", unit: "/s", series: countByTag(run.samples("socketio_ack_duration"), "event", n, index, bucket) }, "socketio_ack_duration");

  const events = [...countEvents(run.samples("socketio_ack_duration"))].sort((a, b) => b[1] - a[1]).slice(0, MAX_EVENT_CHARTS).map(([e]) => e).sort();
  for (const event of events) {
    const key = `socketio_ack_duration{event:${event}}`;
    const failed = thresholds.some((t) => t.metric === key && !t.ok && !t.notJudged) || undefined;
    const limit = limitFor(key, /^p\(|^avg|^med|^max/) ?? limitFor("socketio_ack_duration", /^p\(|^avg|^med|^max/);
    charts.push({ id: `ack-${event}`, title: `Ack latency: ${event}`, unit: "ms", series: latency("socketio_ack_duration", (s) => s.tags.event === event), ...(limit ? { limit } : {}), ...(failed ? { failed } : {}) });
  }
  if (events.length === 0) push({ id: "ack-latency", title: "Ack latency", unit: "ms", series: [] }, "socketio_ack_duration");

  // Scenario latencies and the library's other Trends (connect, generator lag): every Trend but k6's own.
  for (const [name, info] of [...run.metrics].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (info.type !== "trend" || K6_BUILTIN.test(name) || name === "socketio_ack_duration") continue;
    const limit = limitFor(name, /^p\(|^avg|^med|^max/);
    push({ id: `trend-${name}`, title: name === "socketio_generator_lag" ? "Generator lag (the load generator's own timer drift)" : `Latency: ${name}`, unit: info.contains === "time" ? "ms" : "", series: latency(name), ...(limit ? { limit } : {}) }, name);
  }

  push({ id: "messages", title: "Socket.IO messages per second", unit: "/s", series: [...byTag("socketio_messages_sent", undefined, true).map((s) => ({ ...s, label: "sent" })), ...byTag("socketio_messages_received", undefined, true).map((s) => ({ ...s, label: "received" }))] }, "socketio_messages_sent");
  push({ id: "disconnects", title: "Disconnects by reason", unit: "", series: byTag("socketio_disconnects", "reason", false, (s) => s.v !== 0) }, "socketio_disconnects", run.samples("socketio_disconnects").some((s) => s.v !== 0));
  const disconnects = charts.at(-1)!;
  if (disconnects.noData) disconnects.noData = "no disconnect was recorded";

  // Rates (delivery ratio, matched, connect success): the share of passes per bucket.
  for (const [name, info] of [...run.metrics].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (info.type !== "rate" || K6_BUILTIN.test(name)) continue;
    const passes = new Array<number>(n).fill(0);
    const totals = new Array<number>(n).fill(0);
    for (const s of run.samples(name)) {
      totals[index(s.t)]! += 1;
      if (s.v !== 0) passes[index(s.t)]! += 1;
    }
    const limit = limitFor(name, /^rate$|^value$/, 100);
    push({ id: `rate-${name}`, title: `${name.includes("delivery") ? "Delivery ratio" : "Rate"}: ${name}`, unit: "%", series: [{ label: name, values: totals.map((t, i) => (t ? (100 * passes[i]!) / t : null)) }], ...(limit ? { limit } : {}) }, name);
  }

  // Counters a threshold watches that counted something: cumulative, so the moment it crossed shows.
  for (const t of thresholds) {
    const { metric } = parseThresholdKey(t.metric);
    if (run.metrics.get(metric)?.type !== "counter" || t.stat !== "count" || charts.some((c) => c.id === `count-${t.metric}`)) continue;
    const series = byTag(metric, undefined, false, (s) => parseThresholdKey(t.metric).filter.every(([k, v]) => s.tags[k] === v));
    if (!series[0] || series[0].values.every((v) => !v)) continue;
    let sum = 0;
    const limit = limitFor(t.metric, /^count$/);
    charts.push({ id: `count-${t.metric}`, title: `Count: ${t.metric}`, unit: "", cumulative: true, series: [{ label: t.metric, values: series[0].values.map((v) => (sum += v ?? 0)) }], ...(limit ? { limit } : {}), ...(!t.ok && !t.notJudged ? { failed: true } : {}) });
  }
  // The charts of failed thresholds first: where in time it went wrong, at a glance.
  charts.sort((a, b) => Number(!!b.failed) - Number(!!a.failed));
  return { bucketSeconds: bucket, x, charts };
}

function countEvents(samples: readonly Sample[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of samples) counts.set(s.tags.event ?? "(none)", (counts.get(s.tags.event ?? "(none)") ?? 0) + 1);
  return counts;
}

function countByTag(samples: readonly Sample[], tag: string, n: number, index: (t: number) => number, bucket: number): Series[] {
  const groups = new Map<string, number[]>();
  for (const s of samples) {
    const key = s.tags[tag] ?? "(none)";
    let counts = groups.get(key);
    if (!counts) groups.set(key, (counts = new Array<number>(n).fill(0)));
    counts[index(s.t)]! += 1;
  }
  return [...groups].sort((a, b) => a[0].localeCompare(b[0])).map(([label, counts]) => ({ label, values: counts.map((c) => c / bucket) }));
}
