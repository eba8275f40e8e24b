// Plain-Node adapter of the side-by-side benchmark (bench/README.md): one process, N socket.io-client
// connections (WebSocket only, no reconnection), the hold / ack / fanout workloads, and BENCH_OUT.
//
// Measurement:
//   connect_p95_ms  performance.now() from io() to the namespace `connect` event, per connection
//   acks            acks whose callback ran inside [START_AT, END_AT) (epoch ms by Date.now()); the
//                   closed loop is socket.timeout(5000).emit("echo", seq, cb)
//   ack_p*_ms       performance.now() from emit to the ack callback, in-window acks only; exact
//                   (nearest-rank over every sample)
//   messages        `broadcast` events received inside the window
//   fanout_p*_ms    Date.now() - payload.sent_at (server epoch ms, so integer ms), in-window only
//   disconnects     `disconnect` events before END_AT that this client did not cause
import { writeFileSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";
import { readContract } from "../contract.mjs";

const ACK_TIMEOUT_MS = 5000;
const launchedAt = Date.now();

const { url: URL, workload: WORKLOAD, connections: N, rampMs: RAMP_MS, startAt: START_AT, endAt: END_AT, out: OUT, problems } = readContract();

const require = createRequire(import.meta.url);
const clientVersion = JSON.parse(readFileSync(require.resolve("socket.io-client/package.json"), "utf8")).version;

const errors = new Map(); // message -> count
function error(msg) {
  errors.set(msg, (errors.get(msg) ?? 0) + 1);
}

/** Growable Float64Array: exact percentiles without boxing millions of numbers. */
class Samples {
  constructor() {
    this.buf = new Float64Array(1024);
    this.n = 0;
  }
  push(v) {
    if (this.n === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = v;
  }
  sorted() {
    return this.buf.slice(0, this.n).sort();
  }
}
/** Nearest-rank percentile of a sorted array, 0 when empty; rounded to 0.001 ms. */
function pct(sorted, p) {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i] * 1000) / 1000;
}

const sockets = [];
let connected = 0;
let connectFailures = 0;
let disconnects = 0;
let acks = 0;
let ackTimeouts = 0;
let messages = 0;
let closing = false;
const connectMs = new Samples();
const ackMs = new Samples();
const fanoutMs = new Samples();

function ackLoop(socket) {
  let seq = 0;
  const next = () => {
    if (closing || !socket.connected || Date.now() >= END_AT) return;
    seq += 1;
    const t0 = performance.now();
    socket.timeout(ACK_TIMEOUT_MS).emit("echo", seq, (err) => {
      const t1 = performance.now();
      const now = Date.now();
      if (err) {
        // "operation has timed out", or "socket has been disconnected" (counted as a disconnect)
        if (!closing && now < END_AT && socket.connected) {
          ackTimeouts += 1;
          error(`ack: ${err.message}`);
        }
      } else if (now >= START_AT && now < END_AT) {
        acks += 1;
        ackMs.push(t1 - t0);
      }
      next();
    });
  };
  const wait = START_AT - Date.now();
  if (wait > 0) setTimeout(next, wait);
  else next();
}

function open() {
  if (closing) return;
  const t0 = performance.now();
  const socket = io(URL, { forceNew: true, transports: ["websocket"], reconnection: false });
  sockets.push(socket);
  let settled = false;
  socket.once("connect", () => {
    settled = true;
    connected += 1;
    connectMs.push(performance.now() - t0);
    if (WORKLOAD === "ack") ackLoop(socket);
  });
  socket.once("connect_error", (err) => {
    if (settled) return;
    settled = true;
    connectFailures += 1;
    error(`connect_error: ${err.message}`);
  });
  socket.on("disconnect", (reason) => {
    if (closing || Date.now() >= END_AT) return;
    disconnects += 1;
    error(`disconnect: ${reason}`);
  });
  if (WORKLOAD === "fanout") {
    socket.on("broadcast", (payload) => {
      const now = Date.now();
      if (now >= START_AT && now < END_AT) {
        messages += 1;
        fanoutMs.push(now - Number(payload?.sent_at));
      }
    });
  }
  socket.__settled = () => settled;
}

function finish() {
  closing = true;
  const pending = sockets.filter((s) => !s.__settled()).length;
  if (pending > 0) {
    connectFailures += pending;
    error(`connect: still pending at BENCH_END_AT`);
  }
  if (sockets.length < N) error(`only ${sockets.length} of ${N} connections were opened before BENCH_END_AT`);
  const ack = ackMs.sorted();
  const fan = fanoutMs.sorted();
  const result = {
    tool: "node-socket.io-client",
    version: clientVersion,
    versions: { "socket.io-client": clientVersion, node: process.versions.node },
    workload: WORKLOAD,
    connected,
    connect_failures: connectFailures + (N - sockets.length),
    connect_p95_ms: pct(connectMs.sorted(), 95),
    disconnects,
    acks,
    ack_p50_ms: pct(ack, 50),
    ack_p95_ms: pct(ack, 95),
    ack_p99_ms: pct(ack, 99),
    messages,
    fanout_p50_ms: pct(fan, 50),
    fanout_p95_ms: pct(fan, 95),
    ack_timeouts: ackTimeouts,
    errors: [...errors].map(([msg, count]) => (count > 1 ? `${msg} (x${count})` : msg)),
  };
  writeFileSync(OUT, JSON.stringify(result, null, 2) + "\n");
  for (const s of sockets) s.disconnect();
  // Give the close frames a moment, then leave whatever is still open.
  setTimeout(() => process.exit(0), 200).unref();
}

function main() {
  if (!OUT) {
    console.error("BENCH_OUT is not set");
    process.exit(2);
  }
  if (problems.length) {
    writeFileSync(OUT, JSON.stringify({ tool: "node-socket.io-client", version: clientVersion, errors: [`bad or missing ${problems.join(", ")}`] }) + "\n");
    process.exit(2);
  }
  // Connection i opens at launch + i * RAMP/N: spread evenly over the ramp, scheduled on absolute
  // times so timer drift does not accumulate.
  const step = N > 0 ? RAMP_MS / N : 0;
  let i = 0;
  const tick = () => {
    const now = Date.now();
    while (i < N && launchedAt + i * step <= now) {
      open();
      i += 1;
    }
    if (i < N && !closing) setTimeout(tick, Math.max(0, launchedAt + i * step - Date.now()));
  };
  tick();
  setTimeout(finish, Math.max(0, END_AT - Date.now()));
}

main();
