// The risks contract's cleanup probe: a GET of a path on the target's origin answering JSON
// resource counts (active games, sessions…), read at setup and again at teardown.
import http from "k6/http";
import { at } from "../contracts/risks";
import { oneLine } from "../kit/http-answer";

export type Stats = Record<string, number>;

export type StatsRead = { ok: true; figures: Stats } | { ok: false; answer: string; expects: string };

/** The probe's figures, or what it answered instead (for the mismatch line). Never throws. */
export function readStats(probe: { url: string; fields: string[] }, origin: string, timeoutMs: number): StatsRead {
  const url = `${origin}${probe.url}`;
  const expects = `a GET of ${probe.url} answering HTTP 200 with JSON numbers at ${probe.fields.join(", ")}`;
  let res: { status: number; body: unknown; error?: string };
  try {
    res = http.get(url, { timeout: `${timeoutMs}ms`, responseType: "text", tags: { name: `GET ${probe.url}` }, redirects: 0 }) as typeof res;
  } catch (err) {
    return { ok: false, answer: `GET ${url} failed: ${err instanceof Error ? err.message : String(err)}`, expects };
  }
  const text = typeof res.body === "string" ? res.body : "";
  if (res.status !== 200) return { ok: false, answer: `GET ${url} answered ${res.status || res.error}: ${oneLine(text)}`, expects };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, answer: `GET ${url} answered 200 but not JSON: ${oneLine(text)}`, expects };
  }
  const figures: Stats = {};
  for (const field of probe.fields) {
    const v = at(json, field);
    if (typeof v !== "number" || !Number.isFinite(v)) return { ok: false, answer: `GET ${url} answered ${oneLine(text)}`, expects };
    figures[field] = v;
  }
  return { ok: true, figures };
}
