// Artillery processor of the benchmark adapter (see run.mjs). Loaded by Artillery in each worker
// thread; reads the contract's BENCH_* variables from the environment.
//
// The Socket.IO traffic itself is Artillery's own: its `socketio` engine opens the connection
// (socket.io-client, options from config.socketio) before the first step, and the ack workload
// uses the engine's native `emit` + `acknowledge` step. These functions only gate the flow on the
// window and record, through Artillery's own metrics pipeline (events.emit counter / histogram,
// aggregated by Artillery into report.json), the samples that fall inside the window:
//
//   bench.connected / bench.connect_ms   each VU's connection at its first step; the time runs
//                                         from socket.io-client's Socket.open() (stamped by the
//                                         patch below) to the namespace `connect`
//   bench.acks / bench.ack_ms             acks completing in [START_AT, END_AT): performance.now()
//                                         taken by the function steps right before and right
//                                         after the native emit/acknowledge step
//   bench.ack_timeouts                    acks that hit config.socketio.ackTimeout (5 s) in-window
//   bench.messages / bench.fanout_ms      `broadcast` events received in the window (listener on
//                                         the VU's socket, context.sockets[""]); Date.now() - sent_at
//   bench.disconnects                     `disconnect` before END_AT not caused by the VU's end
import { performance } from "node:perf_hooks";
import { Socket } from "socket.io-client";
import { readContract } from "../contract.mjs";

const { workload: WORKLOAD, startAt: START_AT, endAt: END_AT } = readContract();
const ACK_TIMEOUT_MS = Number(process.env.BENCH_ARTILLERY_ACK_TIMEOUT_MS ?? 5000);
const LAUNCHED_AT = Number(process.env.BENCH_ARTILLERY_LAUNCHED_AT);

// Stamp the moment the engine's io() call starts connecting: Manager and Socket are created and
// the WebSocket opened synchronously within that call, so this is the start of the handshake.
// Measurement only; nothing about the connection changes. (Same module instance as Artillery's
// engine: both resolve bench/tools/node_modules/socket.io-client.)
const originalOpen = Socket.prototype.open;
Socket.prototype.open = function benchStampedOpen(...args) {
  if (this.__benchOpenedAt === undefined) this.__benchOpenedAt = performance.now();
  return originalOpen.apply(this, args);
};

function socketOf(context) {
  return context.sockets?.[""];
}

/** First step of every flow: the engine has connected the VU's socket before any step runs. */
export function benchConnected(context, events, next) {
  const socket = socketOf(context);
  if (!socket || !socket.connected) {
    events.emit("counter", "bench.not_connected_at_first_step", 1);
    return next(new Error("socket not connected at the first step"));
  }
  events.emit("counter", "bench.connected", 1);
  // min / max of this tell when the ramp really ran, relative to the adapter's launch
  if (Number.isFinite(LAUNCHED_AT)) events.emit("histogram", "bench.connected_at_ms_after_launch", Date.now() - LAUNCHED_AT);
  if (socket.__benchOpenedAt !== undefined) events.emit("histogram", "bench.connect_ms", performance.now() - socket.__benchOpenedAt);
  else events.emit("counter", "bench.connect_time_unavailable", 1);

  socket.on("disconnect", (reason) => {
    if (reason === "io client disconnect" || Date.now() >= END_AT) return; // the VU's own end
    events.emit("counter", "bench.disconnects", 1);
    events.emit("counter", `bench.disconnect_reason.${reason}`, 1);
  });
  if (WORKLOAD === "fanout") {
    socket.on("broadcast", (payload) => {
      const now = Date.now();
      if (now >= START_AT && now < END_AT) {
        events.emit("counter", "bench.messages", 1);
        events.emit("histogram", "bench.fanout_ms", now - Number(payload?.sent_at));
      }
    });
  }
  return next();
}

/** Waits until BENCH_START_AT (ack: the closed loop starts with the window). */
export function benchWaitStart(context, events, next) {
  setTimeout(next, Math.max(0, START_AT - Date.now()));
}

/** Waits until BENCH_END_AT (hold, fanout: the VU stays connected for the whole run). */
export function benchWaitEnd(context, events, next) {
  setTimeout(next, Math.max(0, END_AT - Date.now()));
}

export function benchAckStart(context, events, next) {
  context.__benchAckT0 = performance.now();
  return next();
}

export function benchAckDone(context, events, next) {
  const elapsed = performance.now() - context.__benchAckT0;
  const now = Date.now();
  if (now < START_AT || now >= END_AT) return next();
  if (!socketOf(context)?.connected) return next(); // released by a disconnect: counted there
  if (elapsed >= ACK_TIMEOUT_MS) {
    // socket.io-client's ackTimeout fired: the engine treats it as an (empty) ack
    events.emit("counter", "bench.ack_timeouts", 1);
    return next();
  }
  events.emit("counter", "bench.acks", 1);
  events.emit("histogram", "bench.ack_ms", elapsed);
  return next();
}

/** `whileTrue` of the ack loop: go on while the window is open and the socket connected. */
export function benchInWindow(context, next) {
  return next(Date.now() < END_AT && Boolean(socketOf(context)?.connected));
}
