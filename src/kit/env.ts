// Typed readers for `-e NAME=value` options. A bad value stops the test at init with a
// message that names the variable, instead of surfacing later as NaN in a metric.

export class EnvError extends Error {
  override name = "EnvError";
}

export class EnvReader {
  constructor(private readonly env: Record<string, string | undefined>) {}

  string(name: string, fallback: string): string {
    const v = this.env[name];
    return v === undefined || v === "" ? fallback : v;
  }

  optionalString(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v === "" ? undefined : v;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new EnvError(`-e ${name}=${raw}: expected a whole number from ${min} to ${max}`);
    }
    return n;
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new EnvError(`-e ${name}=${raw}: expected a number from ${min} to ${max}`);
    }
    return n;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.env[name];
    if (raw === undefined || raw === "") return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new EnvError(`-e ${name}=${raw}: expected one of ${allowed.join(", ")}`);
    }
    return raw as T;
  }

  /** A k6 duration such as 30s, 2m, 1m30s, 500ms. Returned as given, validated. */
  duration(name: string, fallback: string): string {
    const raw = this.string(name, fallback);
    if (parseDurationMs(raw) === null) throw new EnvError(`-e ${name}=${raw}: expected a duration such as 30s, 2m or 1m30s`);
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
