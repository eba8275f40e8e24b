// Live progress of a running test: follows k6's JSON output as k6 writes it and prints one line
// per interval with the key metrics of that interval, summed over the run's VUs:
//   progress 0:15  VUs 20  connects +40 (errors +0)  acks +812 (p95 12 ms, timeouts +0)  messages out +900 in +1400  disconnects +3
// Started by npm start / npm run gate when PROGRESS=<interval> (e.g. 5s) is set:
//   node --import tsx src/report/progress.ts <output.json> <interval>
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { parseDurationMs } from "../kit/env";
import { percentile } from "./aggregate";

export interface Interval {
  vus: number;
  connects: number;
  connectErrors: number;
  acks: number[];
  ackTimeouts: number;
  sent: number;
  received: number;
  disconnects: number;
}

const fresh = (vus: number): Interval => ({ vus, connects: 0, connectErrors: 0, acks: [], ackTimeouts: 0, sent: 0, received: 0, disconnects: 0 });

/** Adds one line of k6's JSON output to the interval. Lines that are not Points are ignored. */
export function addLine(into: Interval, line: string): void {
  if (!line.startsWith('{"metric":"')) return;
  let entry: { metric: string; type: string; data: { value: number; tags?: Record<string, string> } };
  try {
    entry = JSON.parse(line);
  } catch {
    return;
  }
  const v = entry.data.value;
  switch (entry.metric) {
    case "vus":
      into.vus = v;
      break;
    case "socketio_connect_success":
      if (v) into.connects++;
      break;
    case "socketio_connect_errors":
      into.connectErrors += v;
      break;
    case "socketio_ack_duration":
      into.acks.push(v);
      break;
    case "socketio_ack_timeouts":
      into.ackTimeouts += v;
      break;
    case "socketio_messages_sent":
      into.sent += v;
      break;
    case "socketio_messages_received":
      into.received += v;
      break;
    case "socketio_disconnects":
      if (entry.data.tags?.reason !== "io client disconnect") into.disconnects += v;
      break;
  }
}

export function formatInterval(elapsedMs: number, i: Interval): string {
  const s = Math.round(elapsedMs / 1000);
  const clock = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  const p95 = i.acks.length ? `p95 ${Math.round(percentile(Float64Array.from(i.acks).sort(), 0.95))} ms, ` : "";
  return `progress ${clock}  VUs ${i.vus}  connects +${i.connects} (errors +${i.connectErrors})  acks +${i.acks.length} (${p95}timeouts +${i.ackTimeouts})  messages out +${i.sent} in +${i.received}  disconnects +${i.disconnects}`;
}

/** Follows `path` until stopped, printing a line every `intervalMs`. */
export function follow(path: string, intervalMs: number, print: (line: string) => void = console.log): () => void {
  const started = Date.now();
  let offset = 0;
  let rest = "";
  let current = fresh(0);
  const buffer = Buffer.alloc(1 << 16);
  const drain = () => {
    if (!existsSync(path)) return;
    const fd = openSync(path, "r");
    try {
      for (let n = readSync(fd, buffer, 0, buffer.length, offset); n > 0; n = readSync(fd, buffer, 0, buffer.length, offset)) {
        offset += n;
        const lines = (rest + buffer.toString("utf8", 0, n)).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) addLine(current, line);
      }
    } finally {
      closeSync(fd);
    }
  };
  const poll = setInterval(drain, Math.min(250, intervalMs));
  const tick = setInterval(() => {
    drain();
    print(formatInterval(Date.now() - started, current));
    current = fresh(current.vus);
  }, intervalMs);
  return () => {
    clearInterval(poll);
    clearInterval(tick);
  };
}

/** PROGRESS=5s -> 5000; undefined when unset; an error for a value that is not a duration. */
export function progressInterval(value: string | undefined): number | undefined {
  if (value === undefined || value === "" || value === "0" || value === "false") return undefined;
  const ms = parseDurationMs(value);
  if (ms === null || ms < 200) throw new Error(`PROGRESS=${value}: give an interval such as 5s (at least 200ms)`);
  return ms;
}

if (process.argv[1]?.endsWith("progress.ts")) {
  const [path, interval] = process.argv.slice(2);
  const ms = progressInterval(interval);
  if (!path || ms === undefined) {
    console.error("usage: node --import tsx src/report/progress.ts <k6 output.json> <interval, e.g. 5s>");
    process.exit(2);
  }
  const stop = follow(path, ms);
  process.once("SIGTERM", () => {
    stop();
    process.exit(0);
  });
}
