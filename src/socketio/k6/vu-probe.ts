// One probe per VU: a timer that measures how late it fires (the generator's event-loop lag,
// socketio_generator_lag, the worst of each second's ticks) and, on each tick, checks the stall
// watch (socketio_stalls). One
// timer per VU, not per socket. On k6's event loop (k6/websockets, polling) it is a global
// timer that runs while the VU has a session open; inside k6/ws only the socket's own timers
// fire, so there the current socket carries it.
import { LagSampler, LagWindow } from "../protocol/generator-lag";
import { progress, recordGeneratorLag, recordStall } from "./k6-metrics";

const TICK_MS = 250;

const lags = new LagWindow();
const samples = new LagSampler();
/** When the pending tick is due; 0 when none is pending. */
let due = 0;
/** Event-loop sessions open in this VU. */
let open = 0;
let globalTimer = false;
let stallWarned = false;

/** How late this VU's timers run now (ms): the recent ticks' lag, or the pending tick's if it is overdue. */
export function generatorLag(): number {
  const now = Date.now();
  return lags.recentMax(now, due > 0 ? now - due : 0);
}

/**
 * Checks the stall watch now: called on every tick, when a session opens, and by k6/ws after a
 * dial that blocked the VU (no timer of the VU can fire meanwhile).
 */
export function checkStall(now = Date.now()): void {
  const stall = progress.check(now);
  if (!stall) return;
  recordStall();
  if (stallWarned) return;
  stallWarned = true;
  console.warn(
    `k6-socketio: STALL: this VU waited ${(stall.waitedMs / 1000).toFixed(1)} s for an answer (a connect or an ack) and got nothing back, ` +
      `no connect, ack or event on any connection; counted in socketio_stalls (stallAfter ${progress.stallAfterMs} ms). ` +
      "This VU's connections got no answer at all (other VUs' may still be served: the verdict says). (Logged once per VU; every stall is counted.)",
  );
}

function tick(now: number): void {
  noteLag(lags.record(due, now), now);
  checkStall(now);
}

function noteLag(lag: number, now: number): void {
  const sample = samples.add(lag, now);
  if (sample !== undefined) recordGeneratorLag(sample);
}

/** The probe stops (no session left, or a k6/ws socket closed): records the ticks not yet sampled. */
function flushLag(now: number): void {
  const sample = samples.take(now);
  if (sample !== undefined) recordGeneratorLag(sample);
}

/** An event-loop session opened: the probe runs while any is open (and ticks at least once after). */
export function sessionOpened(stallAfterMs: number): void {
  progress.stallAfterMs = stallAfterMs;
  // The VU may have waited with no session open and no timer of ours armed (a failed connect
  // whose dial k6 still holds): that wait counts too.
  checkStall();
  open++;
  if (!globalTimer) armGlobal(TICK_MS);
}

export function sessionClosed(): void {
  open--;
}

function armGlobal(delay: number): void {
  globalTimer = true;
  if (due === 0) due = Date.now() + delay;
  setTimeout(() => {
    const now = Date.now();
    // k6 can run a timer early (see event-loop.ts): wait out the rest.
    if (now < due - 1) return armGlobal(due - now);
    tick(now);
    due = 0;
    if (open > 0) armGlobal(TICK_MS);
    else {
      globalTimer = false;
      flushLag(now);
    }
  }, delay);
}

/**
 * k6/ws: ticks on the current socket's timers (`after`) until `alive()` says the socket is
 * done. Call probeStopped() once the socket has closed: its pending tick never fires.
 */
export function tickOnSocket(stallAfterMs: number, after: (ms: number, fn: () => void) => void, alive: () => boolean): void {
  progress.stallAfterMs = stallAfterMs;
  const fire = (): void => {
    tick(Date.now());
    if (!alive()) return void (due = 0);
    due = Date.now() + TICK_MS;
    after(TICK_MS, fire);
  };
  due = Date.now() + TICK_MS;
  after(TICK_MS, fire);
}

export function probeStopped(): void {
  if (globalTimer) return;
  // k6/ws drops a closed socket's timers: a tick overdue by now was late by at least that much
  // (a starved VU's socket is often closed before its tick can run).
  const now = Date.now();
  if (due !== 0 && now > due) noteLag(lags.record(due, now), now);
  flushLag(now);
  due = 0;
}
