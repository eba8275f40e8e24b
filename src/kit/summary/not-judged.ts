// Thresholds a run cannot judge (a default run whose skipped scenarios feed them), by
// threshold key with the reason. The k6 side (src/kit/default-scenario.ts) provides the source;
// without one (unit tests, scripts without it) every threshold is judged.
let source: (() => Map<string, string>) | undefined;

export function setNotJudgedSource(fn: (() => Map<string, string>) | undefined): void {
  source = fn;
}

export function notJudgedThresholds(): Map<string, string> {
  try {
    return source?.() ?? new Map();
  } catch {
    return new Map();
  }
}
