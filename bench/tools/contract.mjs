// The benchmark contract's BENCH_* variables (bench/README.md), read once for the Node-based
// adapters. Bad or missing ones are listed in `problems`, so an adapter can still write
// BENCH_OUT with the reason instead of dying silently.
const WORKLOADS = ["hold", "ack", "fanout"];

export function readContract(env = process.env) {
  const c = {
    url: env.BENCH_URL,
    workload: env.BENCH_WORKLOAD,
    connections: Number(env.BENCH_CONNECTIONS),
    rampMs: Number(env.BENCH_RAMP_MS ?? 0),
    startAt: Number(env.BENCH_START_AT),
    endAt: Number(env.BENCH_END_AT),
    out: env.BENCH_OUT,
  };
  const problems = [];
  if (!c.url) problems.push("BENCH_URL");
  if (!WORKLOADS.includes(c.workload)) problems.push("BENCH_WORKLOAD");
  if (!(c.connections > 0)) problems.push("BENCH_CONNECTIONS");
  if (!Number.isFinite(c.rampMs)) problems.push("BENCH_RAMP_MS");
  if (!Number.isFinite(c.startAt)) problems.push("BENCH_START_AT");
  if (!Number.isFinite(c.endAt)) problems.push("BENCH_END_AT");
  return { ...c, problems };
}
