// What a recording shows, in words: the HTTP requests before the first Socket.IO session, each
// session's transport and namespaces, every event by direction with its count, which were acked
// (and how fast), which look like the answer to a client event and which like broadcasts, and
// what the recorder could not decide.
import type { Capture } from "./capture";
import type { DecodedSession, Step } from "./decode";

/** A server event within this long after a client event, every time, is read as that event's answer. */
export const ANSWER_WINDOW_MS = 2_000;

export interface EventFacts {
  event: string;
  nsp: string;
  dir: "sent" | "received";
  count: number;
  /** How many of them asked for an ack, and the acks' latencies (client events; the server answers). */
  acked: number;
  ackLatencies: number[];
  /** Received events only: the client event each occurrence followed within ANSWER_WINDOW_MS, when always the same one. */
  answers: string | undefined;
  /** Received events only: the median gap between occurrences (a periodic push shows here). */
  everyMs: number | undefined;
  firstAt: number;
}

export function eventFacts(decoded: DecodedSession[]): EventFacts[] {
  const facts = new Map<string, EventFacts>();
  for (const d of decoded) {
    const times = new Map<string, number[]>();
    const follows = new Map<string, Set<string>>();
    let lastSent: Step | undefined;
    for (const s of d.steps) {
      if (s.type !== "event" && s.type !== "ack") continue;
      if (s.type === "ack") {
        // The server's ack of a client event: its latency, under that event.
        if (s.dir === "received" && s.event !== undefined) {
          const f = facts.get(key("sent", s.nsp, s.event));
          if (f && s.latencyMs !== undefined) f.ackLatencies.push(s.latencyMs);
        }
        continue;
      }
      const k = key(s.dir, s.nsp, s.event!);
      let f = facts.get(k);
      if (!f) facts.set(k, (f = { event: s.event!, nsp: s.nsp, dir: s.dir, count: 0, acked: 0, ackLatencies: [], answers: undefined, everyMs: undefined, firstAt: s.t }));
      f.count++;
      if (s.id !== undefined) f.acked++;
      if (s.dir === "sent") {
        lastSent = s;
        continue;
      }
      (times.get(k) ?? times.set(k, []).get(k)!).push(s.t);
      const after = lastSent && s.t - lastSent.t <= ANSWER_WINDOW_MS ? lastSent.event! : "";
      (follows.get(k) ?? follows.set(k, new Set()).get(k)!).add(after);
    }
    for (const [k, ts] of times) {
      const f = facts.get(k)!;
      const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
      if (gaps.length >= 2) f.everyMs = median(gaps);
      const after = follows.get(k)!;
      f.answers = after.size === 1 && !after.has("") ? [...after][0] : undefined;
    }
  }
  return [...facts.values()].sort((a, b) => a.firstAt - b.firstAt);
}

const key = (dir: string, nsp: string, event: string): string => `${dir} ${nsp} ${event}`;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
}

const ms = (x: number): string => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);

/** The summary as lines of text, for the console and for the top of the draft. */
export function summaryLines(capture: Capture, decoded: DecodedSession[], undecided: string[]): string[] {
  const lines: string[] = [`Recorded: ${capture.source}: ${capture.http.length} HTTP request(s), ${decoded.length} Engine.IO session(s)`];
  const firstSession = decoded[0]?.session.t ?? Infinity;
  const before = capture.http.filter((h) => h.t <= firstSession);
  if (before.length) {
    lines.push("", "HTTP before the first Socket.IO session:");
    for (const h of before) lines.push(`  ${h.method} ${pathOf(h.url)} -> ${h.status}${h.mimeType ? ` (${h.mimeType})` : ""}`);
  }
  decoded.forEach((d, i) => {
    const s = d.session;
    const last = s.frames.at(-1)?.t ?? s.t;
    const namespaces = [...new Set(d.steps.filter((x) => x.type === "connect").map((x) => x.nsp))];
    const hs = d.handshake;
    lines.push(
      "",
      `Session ${i + 1}: ${s.endpoint} (Engine.IO v${s.eio}, ${s.transport === "polling" ? (s.upgraded ? "polling upgraded to websocket" : "polling only") : "websocket"}), ${ms(last - s.t)}, namespaces ${namespaces.join(", ") || "none connected"}` +
        (hs?.pingInterval !== undefined ? `, pingInterval ${hs.pingInterval} ms / pingTimeout ${hs.pingTimeout} ms, ${d.pings} ping(s)` : ""),
    );
    const refused = d.steps.find((x) => x.type === "connect_error");
    if (refused) lines.push(`  the server refused namespace ${refused.nsp}: ${JSON.stringify(refused.args[0])}`);
    if (Object.keys(s.query).length) lines.push(`  handshake query: ${Object.keys(s.query).join(", ")}`);
    for (const p of d.problems.slice(0, 5)) lines.push(`  could not decode: ${p}`);
  });
  const facts = eventFacts(decoded);
  if (facts.length) {
    lines.push("", "Events (in the order first seen):");
    for (const f of facts) {
      const arrow = f.dir === "sent" ? "client -> server" : "server -> client";
      const parts = [`${arrow}  ${f.nsp === "/" ? "" : `${f.nsp} `}${f.event} x${f.count}`];
      if (f.dir === "sent") {
        if (f.acked) parts.push(`acked ${f.ackLatencies.length}/${f.acked}${f.ackLatencies.length ? ` (median ${ms(median(f.ackLatencies))})` : ""}`);
        else parts.push("no ack asked");
      } else if (f.answers) parts.push(`each within ${ms(ANSWER_WINDOW_MS)} of '${f.answers}': read as its answer`);
      else if (f.everyMs !== undefined) parts.push(`pushed every ~${ms(f.everyMs)}: read as a broadcast`);
      else parts.push("pushed by the server: read as a broadcast");
      lines.push(`  ${parts.join(", ")}`);
    }
  }
  if (undecided.length) {
    lines.push("", "Could not decide (check these in the draft):");
    for (const u of undecided) lines.push(`  - ${u}`);
  }
  if (capture.skipped.length) {
    lines.push("", "Skipped:");
    for (const s of capture.skipped.slice(0, 10)) lines.push(`  - ${s}`);
  }
  return lines;
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search ? "?…" : ""}`;
  } catch {
    return url;
  }
}
