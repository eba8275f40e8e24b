// Thresholds a run cannot judge (a default run whose skipped scenarios feed them), by
// threshold key with the reason. The k6 side (src/kit/default-scenario.ts) provides the source;
// without one (unit tests, scripts without it) every threshold is judged.
let source: (() => Map<string, string>) | undefined;

export function setNotJudgedSource(fn: (() => Map<string, string>) | undefined): void {
  source = fn;
}

/**
 * Thresholds a scenario cannot judge by its configuration (a check whose contract parts are
 * absent, a step the server lacks), declared in the init context with the reason.
 */
const declared = new Map<string, string>();

export function declareNotJudged(thresholdKeys: Iterable<string>, reason: string): void {
  for (const key of thresholdKeys) declared.set(key, reason);
}

export function notJudgedThresholds(): Map<string, string> {
  let fromSource: Map<string, string>;
  try {
    fromSource = source?.() ?? new Map();
  } catch {
    fromSource = new Map();
  }
  if (declared.size === 0) return fromSource;
  return new Map([...declared, ...fromSource]);
}
