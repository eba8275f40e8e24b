// Aggregates of samples, computed the way k6 computes them, so that a threshold judged on the
// union of several instances' samples means what it means in one process: counts summed,
// rates pooled (passes over all samples), percentiles from the merged samples (k6's linear
// interpolation between the two nearest ranks), never averaged across instances.
import type { MetricInfo, Sample } from "./recording";

/** k6's percentile: the sorted values, interpolated at pct * (n - 1). */
export function percentile(sorted: ArrayLike<number>, pct: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  if (n === 1) return sorted[0]!;
  const i = pct * (n - 1);
  const lower = sorted[Math.floor(i)]!;
  const upper = sorted[Math.ceil(i)]!;
  return lower + (upper - lower) * (i - Math.floor(i));
}

export function sortedValues(samples: readonly Sample[]): Float64Array {
  const values = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) values[i] = samples[i]!.v;
  return values.sort();
}

/**
 * Every value k6 reports for a metric of this type (and any p(N) a threshold asks for).
 * `durationMs` is the run's length, for a counter's per-second rate.
 */
export function aggregate(type: MetricInfo["type"], samples: readonly Sample[], durationMs: number, percentiles: number[] = []): Record<string, number> {
  if (type === "counter") {
    let count = 0;
    for (const s of samples) count += s.v;
    return { count, rate: durationMs > 0 ? count / (durationMs / 1000) : 0 };
  }
  if (type === "rate") {
    let passes = 0;
    for (const s of samples) if (s.v !== 0) passes++;
    return { rate: samples.length ? passes / samples.length : 0, passes, fails: samples.length - passes };
  }
  if (type === "gauge") {
    if (samples.length === 0) return { value: 0, min: 0, max: 0 };
    let latest = samples[0]!;
    let min = Infinity;
    let max = -Infinity;
    for (const s of samples) {
      if (s.t >= latest.t) latest = s;
      min = Math.min(min, s.v);
      max = Math.max(max, s.v);
    }
    return { value: latest.v, min, max };
  }
  const sorted = sortedValues(samples);
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  const out: Record<string, number> = {
    count: n,
    avg: n ? sum / n : 0,
    min: n ? sorted[0]! : 0,
    med: percentile(sorted, 0.5),
    max: n ? sorted[n - 1]! : 0,
    "p(90)": percentile(sorted, 0.9),
    "p(95)": percentile(sorted, 0.95),
    "p(99)": percentile(sorted, 0.99),
  };
  for (const p of percentiles) out[`p(${p})`] = percentile(sorted, p / 100);
  return out;
}
