// Secrets out of anything printed, reported or tagged: values of sensitive keys in JSON text,
// URL queries and fragments, credentials in a URL, and any literal secret the caller knows
// (auth values, header values) wherever it appears. docs/api.md lists the sensitive keys.

/**
 * A key is sensitive when it contains one of these, case-insensitively (so x-api-key,
 * access_token, client_secret, PHPSESSID, X-Amz-Signature … are all caught). Over-redacting a
 * harmless key costs a log line its value; under-redacting leaks a credential.
 */
const SENSITIVE_KEY = /token|auth|key|secret|passw|pwd|signature|sig(?:[^a-z]|$)|jwt|bearer|session|sessid|cookie|credential|csrf|xsrf|ticket/i;
export const REDACTED = "[redacted]";

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key.includes("%") ? safeDecode(key) : key);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** JSON `"key": value` pairs whose key looks sensitive get their value replaced. */
const JSON_PAIR = /"([^"\\]{1,64})"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)/g;
/** `key=value` pairs in a query string or cookie header (a value stops at quotes, so JSON around a URL survives). */
const QUERY_PAIR = /([?&;#\s]|^)([^=&?;#\s"'<>]{1,64})=([^&;#\s"'<>\\]*)/g;
/** A JSON Web Token anywhere (a minted player token in a payload under a harmless key). */
const JWT = /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g;
/** `scheme://user:password@` */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s"'<>]*@/gi;

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
    out = out.replace(URL_CREDENTIALS, `$1${this.mask}@`);
    out = out.replace(JWT, this.mask);
    for (const secret of this.literals) if (out.includes(secret)) out = out.split(secret).join(this.mask);
    return out;
  }
}

/**
 * A URL fit to print: the values of sensitive query and fragment keys, and any user:password,
 * replaced by `mask`. Everything else (host, path, harmless parameters) stays readable.
 */
export function redactUrl(url: string, mask = REDACTED): string {
  const cut = url.search(/[?#]/);
  const head = (cut < 0 ? url : url.slice(0, cut)).replace(URL_CREDENTIALS, `$1${mask}@`);
  if (cut < 0) return head;
  return head + url.slice(cut).replace(/([?&#])([^=&#]*)=([^&#]*)/g, (pair: string, lead: string, key: string) => (isSensitiveKey(key) ? `${lead}${key}=${mask}` : pair));
}

/** A URL without its query and fragment: what a metric tag may carry (no secret, no per-session sid). */
export function urlWithoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut < 0 ? url : url.slice(0, cut);
}

/** The secrets of a connection: every auth value, header value and query value (the URL's and the options') under a sensitive key. */
export function connectionSecrets(o: {
  auth?: Record<string, unknown> | undefined;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  target?: { query: Record<string, string> };
}): string[] {
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
  for (const query of [o.target?.query, o.query]) for (const [k, v] of Object.entries(query ?? {})) if (isSensitiveKey(k)) out.push(v, encodeURIComponent(v));
  return out;
}
