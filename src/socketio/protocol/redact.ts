// Secrets out of anything printed: values of sensitive keys in JSON text and URL queries, and
// any literal secret the caller knows (auth values, header values) wherever it appears.

const SENSITIVE_KEY = /token|auth|key|secret|passw|signature|jwt|session|cookie|credential|csrf|xsrf|sig$/i;
export const REDACTED = "[redacted]";

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

/** JSON `"key": value` pairs whose key looks sensitive get their value replaced. */
const JSON_PAIR = /"([^"\\]{1,64})"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)/g;
/** `key=value` pairs in a query string or cookie header. */
const QUERY_PAIR = /([?&;\s]|^)([^=&?;\s]{1,64})=([^&;#\s]*)/g;

export class Redactor {
  private readonly literals: string[];

  /** `secrets`: values to hide wherever they appear (shorter than 4 characters are ignored: too many false hits). */
  constructor(
    secrets: Iterable<unknown>,
    private readonly mask = REDACTED,
  ) {
    this.literals = [...new Set([...secrets].filter((v): v is string => typeof v === "string" && v.length >= 4))].sort((a, b) => b.length - a.length);
  }

  text(input: string): string {
    let out = input.replace(JSON_PAIR, (pair: string, key: string) => (isSensitiveKey(key) ? `"${key}":"${this.mask}"` : pair));
    out = out.replace(QUERY_PAIR, (pair: string, lead: string, key: string) => (isSensitiveKey(key) ? `${lead}${key}=${this.mask}` : pair));
    for (const secret of this.literals) if (out.includes(secret)) out = out.split(secret).join(this.mask);
    return out;
  }
}

/** The secrets of a connection: every auth value, header value and query value under a sensitive key. */
export function connectionSecrets(o: { auth?: Record<string, unknown> | undefined; headers?: Record<string, string>; query?: Record<string, string> }): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") out.push(v);
    else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x);
  };
  walk(o.auth);
  for (const [k, v] of Object.entries(o.headers ?? {})) {
    if (/^cookie$/i.test(k)) for (const pair of v.split(";")) out.push(pair.slice(pair.indexOf("=") + 1).trim());
    else if (/^authorization$/i.test(k)) out.push(v, v.slice(v.indexOf(" ") + 1));
    else if (isSensitiveKey(k)) out.push(v);
  }
  for (const [k, v] of Object.entries(o.query ?? {})) if (isSensitiveKey(k)) out.push(v);
  return out;
}
