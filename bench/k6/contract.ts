// The benchmark's tool contract (bench/README.md) as k6 sees it: the -e variables in, the JSON
// result out of handleSummary. Shared by the k6-socketio and raw k6 bench scripts.
import { Trend } from "k6/metrics";

export type Workload = "hold" | "ack" | "fanout";

function num(name: string): number {
  const v = Number(__ENV[name]);
  if (!Number.isFinite(v)) throw new Error(`bench: -e ${name} must be a number, got ${JSON.stringify(__ENV[name])}`);
  return v;
}

/** BENCH_URL may list several servers, comma-separated (the two-instance capacity run). */
const urls = (__ENV.BENCH_URL ?? "").split(",");

export const bench = {
  url: urls[0]!,
  workload: (__ENV.BENCH_WORKLOAD ?? "") as Workload,
  connections: num("BENCH_CONNECTIONS"),
  rampMs: num("BENCH_RAMP_MS"),
  startAt: num("BENCH_START_AT"),
  endAt: num("BENCH_END_AT"),
  out: __ENV.BENCH_OUT ?? "bench-result.json",
  /** ack workload: pause between an ack and the next emit (0 = closed loop). k6 rows only. */
  ackIntervalMs: Number(__ENV.BENCH_ACK_INTERVAL_MS ?? "0"),
};
if (!["hold", "ack", "fanout"].includes(bench.workload)) throw new Error(`bench: unknown BENCH_WORKLOAD ${JSON.stringify(bench.workload)}`);

/** Seconds after the window's end at which k6 interrupts sessions still open. */
const CLOSE_GRACE_S = 8;

/** One per-VU-iteration scenario whose VUs cover `connections` at `perVu` connections each. */
export function benchOptions(perVu: number) {
  return {
    scenarios: {
      bench: {
        executor: "per-vu-iterations",
        vus: Math.ceil(bench.connections / perVu),
        iterations: 1,
        // k6 itself interrupts what is still open 8 s after the window (the runner's kill comes
        // at 15 s): the result file is still written, and names the unfinished VUs.
        maxDuration: `${Math.ceil((bench.endAt - Date.now()) / 1000) + CLOSE_GRACE_S}s`,
        gracefulStop: "2s",
      },
    },
    systemTags: ["status", "method", "name", "group", "check", "error", "error_code", "scenario", "expected_response"],
    summaryTrendStats: ["count", "avg", "p(50)", "p(95)", "p(99)"],
    setupTimeout: "10s",
    teardownTimeout: "10s",
  };
}

// One sample per event; counts come from each Trend's `count`, so nothing is recorded twice.
export const connectMs = new Trend("bench_connect_ms", true);
export const ackMs = new Trend("bench_ack_ms", true);
export const fanoutMs = new Trend("bench_fanout_ms", true);
export const failures = new Trend("bench_connect_failures");
export const losses = new Trend("bench_disconnects");

/** The server connection number `index` goes to: round-robin over BENCH_URL's servers. */
export const urlFor = (index: number): string => urls[index % urls.length]!;

/** The ms offset at which connection number `index` (0-based) should start, relative to launch. */
export function rampOffset(index: number): number {
  return (index * bench.rampMs) / bench.connections;
}

export const inWindow = (t: number): boolean => t >= bench.startAt && t < bench.endAt;
/**
 * True once the window is over. Checked on every received message as well as by a timer: a
 * generator that fell behind runs its timers only after the backlog queued before them, so a
 * close scheduled for the window's end alone would come late or never.
 */
export const pastEnd = (t: number): boolean => t >= bench.endAt;

// Paced emits start at a random phase and pause 0.5–1.5 intervals, so that connections do not
// emit in lockstep: a burst of every connection at once measures queueing, not a round trip.
export const firstEmitDelay = (): number => Math.max(1, bench.startAt - Date.now() + (bench.ackIntervalMs > 0 ? Math.random() * bench.ackIntervalMs : 0));
export const nextEmitPause = (): number => bench.ackIntervalMs * (0.5 + Math.random());

type Values = Record<string, number>;
interface SummaryData {
  metrics: Record<string, { values: Values } | undefined>;
  state: { testRunDurationMs: number };
}

export function benchSummary(tool: string, version: string, perVu: number) {
  return (data: SummaryData): Record<string, string> => {
    const v = (name: string): Values => data.metrics[name]?.values ?? {};
    const errors: string[] = [];
    // An iteration ends when all its VU's sessions have closed: fewer than the VUs means k6
    // interrupted sessions still open after the window.
    // vus_max is this instance's share when the run is split by execution segments.
    const vus = v("vus_max").max ?? Math.ceil(bench.connections / perVu);
    const finished = v("iterations").count ?? 0;
    if (finished < vus) errors.push(`${vus - finished} of ${vus} VUs still had sessions open ${CLOSE_GRACE_S} s after the window's end (interrupted by k6)`);
    const result = {
      tool,
      version,
      connected: v("bench_connect_ms").count ?? 0,
      connect_failures: v("bench_connect_failures").count ?? 0,
      connect_p95_ms: v("bench_connect_ms")["p(95)"] ?? 0,
      disconnects: v("bench_disconnects").count ?? 0,
      acks: v("bench_ack_ms").count ?? 0,
      // Whole-ms samples taken at a random phase: their mean is an unbiased sub-ms estimate.
      ack_avg_ms: v("bench_ack_ms").avg ?? 0,
      ack_p50_ms: v("bench_ack_ms")["p(50)"] ?? 0,
      ack_p95_ms: v("bench_ack_ms")["p(95)"] ?? 0,
      ack_p99_ms: v("bench_ack_ms")["p(99)"] ?? 0,
      messages: v("bench_fanout_ms").count ?? 0,
      fanout_p50_ms: v("bench_fanout_ms")["p(50)"] ?? 0,
      fanout_p95_ms: v("bench_fanout_ms")["p(95)"] ?? 0,
      errors,
    };
    return { [bench.out]: JSON.stringify(result, null, 2), stdout: `${tool}: ${JSON.stringify(result)}\n` };
  };
}
