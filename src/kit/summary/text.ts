// The console summary printed when handleSummary() writes files (k6 then prints none of its
// own): the verdict, every threshold with its observed value, and each metric's main values.
import { describeThreshold, formatValue, type SummaryData, type ThresholdResult } from "./verdict";

export function textSummary(suite: string, data: SummaryData, thresholds: ThresholdResult[], files: string[], rootCause?: string): string {
  const judged = thresholds.filter((t) => !t.notJudged);
  const failed = judged.filter((t) => !t.ok);
  const skipped = thresholds.length - judged.length;
  const lines = [
    "",
    ...(rootCause ? [rootCause, ""] : []),
    `k6-socketio ${suite}: ${failed.length === 0 && !rootCause ? `all ${judged.length} thresholds held` : rootCause && failed.length === 0 ? "FAILED on the root cause above" : `${failed.length} of ${judged.length} thresholds FAILED`}${skipped ? `, ${skipped} NOT JUDGED` : ""}`,
    "",
    "thresholds:",
    ...thresholds.map((t) =>
      t.notJudged
        ? `  - ${t.metric} ${t.expression}   (not judged: ${t.notJudged})`
        : `  ${t.ok ? "✓" : "✗"} ${t.metric} ${t.expression}   (${describeThreshold(t)})${t.cause ? `\n      ${t.cause}` : ""}`,
    ),
    "",
    "metrics:",
  ];
  // The kit's own bookkeeping (no-data guards, the run's facts) is not a measurement: not listed.
  const names = Object.keys(data.metrics).filter((n) => !n.includes("{") && !n.startsWith("k6socketio_")).sort();
  const width = Math.min(48, Math.max(...names.map((n) => n.length)) + 2);
  for (const name of names) {
    const m = data.metrics[name]!;
    const v = m.values;
    const unit = m.contains === "time" ? "ms" : m.contains === "data" ? "B" : "";
    let shown: string;
    if (m.type === "trend") {
      shown = ["avg", "med", "p(95)", "p(99)", "max"].filter((s) => s in v).map((s) => `${s}=${formatValue(v[s], unit as "ms")}`).join(" ");
    } else if (m.type === "rate") {
      shown = `${formatValue(v.rate, "", "rate")} (${v.passes ?? 0} of ${(v.passes ?? 0) + (v.fails ?? 0)})`;
    } else if (m.type === "counter") {
      shown = `${formatValue(v.count, unit as "B")}`;
    } else {
      shown = `${formatValue(v.value, unit as "B")}`;
    }
    lines.push(`  ${name.padEnd(width, ".")} ${shown}`);
  }
  lines.push("", ...files.map((f) => `wrote ${f} (k6 reports below if it could not)`), "");
  return lines.join("\n");
}
