// Partial-match patterns for contracts written as JSON: a reply matches when every key the
// pattern names matches (extra keys in the reply are fine), so a contract says only what tells
// one reply class from another. Operators: {"$regex": "…"}, {"$exists": true|false},
// {"$type": "string"|"number"|"boolean"|"object"|"array"|"null"}, {"$in": [v, …]}, {"$not": p},
// {"$some": p} (an array with at least one element matching p).

export type Pattern = null | boolean | number | string | Pattern[] | { [key: string]: Pattern };

const OPERATORS = new Set(["$regex", "$exists", "$type", "$in", "$not", "$some"]);

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Whether `value` matches `pattern` (objects partially, arrays element by element from the start). */
export function matches(value: unknown, pattern: Pattern): boolean {
  if (pattern === null || typeof pattern !== "object") return value === pattern;
  if (Array.isArray(pattern)) {
    return Array.isArray(value) && pattern.length <= value.length && pattern.every((p, i) => matches(value[i], p));
  }
  const keys = Object.keys(pattern);
  if (keys.length > 0 && keys.every((k) => OPERATORS.has(k))) return keys.every((k) => operator(k, value, pattern[k]!));
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const obj = value as Record<string, unknown>;
  return keys.every((k) => matches(obj[k], pattern[k]!));
}

function operator(op: string, value: unknown, arg: Pattern): boolean {
  switch (op) {
    case "$regex":
      return typeof value === "string" && new RegExp(String(arg)).test(value);
    case "$exists":
      return (value !== undefined) === (arg === true);
    case "$type":
      return typeOf(value) === arg;
    case "$in":
      return Array.isArray(arg) && arg.some((a) => matches(value, a));
    case "$not":
      return !matches(value, arg);
    case "$some":
      return Array.isArray(value) && value.some((v) => matches(v, arg));
  }
  return false;
}

/** Throws naming the place of an unknown operator or a bad regex, so a JSON contract fails at init, not mid-run. */
export function checkPattern(pattern: unknown, where: string): asserts pattern is Pattern {
  if (pattern === null || ["string", "number", "boolean"].includes(typeof pattern)) return;
  if (Array.isArray(pattern)) {
    pattern.forEach((p, i) => checkPattern(p, `${where}[${i}]`));
    return;
  }
  if (typeof pattern !== "object") throw new Error(`${where}: not a JSON pattern (${typeof pattern})`);
  for (const [k, v] of Object.entries(pattern as Record<string, unknown>)) {
    if (k.startsWith("$") && !OPERATORS.has(k)) throw new Error(`${where}: unknown operator ${k} (known: ${[...OPERATORS].join(", ")})`);
    if (k === "$regex") {
      try {
        new RegExp(String(v));
      } catch (err) {
        throw new Error(`${where}.$regex: ${err instanceof Error ? err.message : err}`);
      }
    }
    checkPattern(v, `${where}.${k}`);
  }
}

/**
 * Fills a payload template: a string "${name}" anywhere is replaced by vars[name] (keeping its
 * type when the whole string is the placeholder), inside objects and arrays too.
 */
export function fill(template: unknown, vars: Record<string, unknown>): unknown {
  if (typeof template === "string") {
    const whole = /^\$\{([\w.]+)\}$/.exec(template);
    if (whole) return vars[whole[1]!];
    return template.replace(/\$\{([\w.]+)\}/g, (_, name: string) => String(vars[name] ?? ""));
  }
  if (Array.isArray(template)) return template.map((t) => fill(t, vars));
  if (template && typeof template === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) out[k] = fill(v, vars);
    return out;
  }
  return template;
}
