// JUnit XML for CI systems: one test case per threshold, a failure for each that did not hold.
import { describeThreshold, type ThresholdResult } from "./verdict";

export function junitXml(suite: string, thresholds: ThresholdResult[], durationMs: number): string {
  const failures = thresholds.filter((t) => !t.ok && !t.notJudged).length;
  const skipped = thresholds.filter((t) => t.notJudged).length;
  const seconds = (durationMs / 1000).toFixed(3);
  const cases = thresholds.map((t) => {
    const open = `    <testcase classname="${esc(`${suite}.${t.metric}`)}" name="${esc(t.expression)}" time="0">`;
    if (t.notJudged) return `${open}\n      <skipped message="${esc(`not judged: ${t.notJudged}`)}"/>\n    </testcase>`;
    if (t.ok) return `${open}</testcase>`;
    const message = `threshold ${t.metric} ${t.expression} failed: ${describeThreshold(t)}`;
    return `${open}\n      <failure message="${esc(message)}" type="threshold">${esc(message)}</failure>\n    </testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="k6-socketio" tests="${thresholds.length}" failures="${failures}" time="${seconds}">`,
    `  <testsuite name="${esc(suite)}" tests="${thresholds.length}" failures="${failures}" errors="0"${skipped ? ` skipped="${skipped}"` : ""} time="${seconds}">`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    ``,
  ].join("\n");
}

function esc(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}
