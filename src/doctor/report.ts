// The doctor's report: one entry per step, what was sent and received, how long it took, and
// for a failure the likely cause and the fix. Pure data and rendering.
import { Redactor } from "../socketio/protocol/redact";

export type StepStatus = "pass" | "fail" | "warn" | "not run";

export interface Step {
  id: string;
  title: string;
  status: StepStatus;
  sent?: string;
  received?: string;
  ms?: number;
  /** For fail and warn: what is most likely wrong, and what to do about it. */
  cause?: string;
  fix?: string;
  /** For not run: why. */
  reason?: string;
}

export interface Report {
  target: string;
  namespace: string;
  steps: Step[];
  failed: number;
}

const MARK: Record<StepStatus, string> = { pass: "PASS", fail: "FAIL", warn: "WARN", "not run": "SKIP" };

export function renderReport(report: Report): string {
  const lines = [``, `k6-socketio doctor: ${report.target} (namespace ${report.namespace})`, ``];
  report.steps.forEach((s, i) => {
    const time = s.ms === undefined ? "" : ` (${Math.round(s.ms)} ms)`;
    lines.push(`[${MARK[s.status]}] ${i + 1}. ${s.title}${time}`);
    if (s.sent) lines.push(`       sent:     ${s.sent}`);
    if (s.received) lines.push(`       received: ${s.received}`);
    if (s.reason) lines.push(`       not run:  ${s.reason}`);
    if (s.cause) lines.push(`       cause:    ${s.cause}`);
    if (s.fix) lines.push(`       fix:      ${s.fix}`);
  });
  lines.push(``, report.failed === 0 ? `doctor: every step passed` : `doctor: ${report.failed} step(s) failed (exit 99)`, ``);
  return lines.join("\n");
}

/** Replaces the values of secret-looking fields, and the given secrets anywhere, with ***. */
export function redact(text: string, secrets: string[]): string {
  return new Redactor(secrets, "***").text(text);
}

/** A step with every text it prints (sent, received, cause, fix) redacted. */
export function redactStep(step: Step, secrets: string[]): Step {
  const clean = { ...step };
  for (const field of ["sent", "received", "cause", "fix"] as const) if (clean[field]) clean[field] = redact(clean[field], secrets);
  return clean;
}
