// Typed readers for `-e NAME=value` options. A bad value stops the test at init (k6 exit code
// 107) with a message that names the variable, instead of surfacing later as NaN in a metric or
// as k6's own config error. Parsing is strict: numbers are plain decimals (no "0x10", no
// "1e3", no spaces), and an option given empty is refused rather than silently defaulted,
// since `-e TARGET_URL=$UNSET_VAR` must not quietly test the default target.

export class EnvError extends Error {
  override name = "EnvError";
}

export class EnvReader {
  constructor(private readonly env: Record<string, string | undefined>) {}

  string(name: string, fallback: string): string {
    const v = this.given(name);
    return v === undefined ? fallback : v;
  }

  optionalString(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v === "" ? undefined : v;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.given(name);
    if (raw === undefined) return fallback;
    const n = WHOLE.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new EnvError(`-e ${name}=${quoted(raw)}: expected a whole number from ${min} to ${max}, in decimal digits`);
    }
    return n;
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const raw = this.given(name);
    if (raw === undefined) return fallback;
    const n = DECIMAL.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new EnvError(`-e ${name}=${quoted(raw)}: expected a number from ${min} to ${max}, in decimal digits`);
    }
    return n;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.given(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new EnvError(`-e ${name}=${quoted(raw)}: expected one of ${allowed.join(", ")}`);
    }
    return raw as T;
  }

  /**
   * A k6 duration such as 30s, 2m, 1m30s, 500ms, at least `minMs` (default 1 ms). A
   * scenario's duration takes minMs 1000: k6 refuses a shorter one later with its own
   * config error (exit 104) instead of naming the variable. Returned as given.
   */
  duration(name: string, fallback: string, minMs = 1): string {
    const raw = this.string(name, fallback);
    const ms = parseDurationMs(raw);
    if (ms === null) throw new EnvError(`-e ${name}=${quoted(raw)}: expected a duration such as 30s, 2m or 1m30s`);
    if (ms < minMs) throw new EnvError(`-e ${name}=${raw}: expected a duration of at least ${minMs % 1000 === 0 ? `${minMs / 1000}s` : `${minMs}ms`}`);
    return raw;
  }

  /** The raw value, undefined when not given; refuses an empty or space-padded value. */
  private given(name: string): string | undefined {
    const raw = this.env[name];
    if (raw === undefined) return undefined;
    if (raw.trim() === "") throw new EnvError(`-e ${name} is empty: give a value, or leave the option out for its default`);
    if (raw.trim() !== raw) throw new EnvError(`-e ${name}=${quoted(raw)}: remove the spaces around the value`);
    return raw;
  }

  json<T>(name: string): T | undefined {
    const raw = this.optionalString(name);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch (err) {
      throw new EnvError(`-e ${name}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  }
}

const WHOLE = /^-?\d+$/;
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)$/;

/** A value as it goes into a message: quoted when it has spaces, so they show. */
function quoted(raw: string): string {
  return /\s/.test(raw) ? JSON.stringify(raw) : raw;
}

/** Milliseconds of a k6 duration string (h, m, s, ms units), or null when it is not one. */
export function parseDurationMs(text: string): number | null {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index !== consumed) return null;
    consumed += m[0].length;
    const unit = m[2] === "h" ? 3_600_000 : m[2] === "m" ? 60_000 : m[2] === "s" ? 1000 : 1;
    total += Number(m[1]) * unit;
  }
  return consumed === text.length && consumed > 0 ? total : null;
}
