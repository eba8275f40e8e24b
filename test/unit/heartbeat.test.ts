import assert from "node:assert/strict";
import { test } from "node:test";
import { HeartbeatSweep, HeartbeatWatchdog, type LivenessCheck, SWEEP_PERIOD_MS, schedulerSlot } from "../../src/socketio/protocol/heartbeat";
import { ManualScheduler } from "../helpers/fakes";

test("the deadline is pingInterval + pingTimeout after the last sign of life", () => {
  const w = new HeartbeatWatchdog(25_000, 20_000, 0);
  assert.equal(w.allowance, 45_000);
  assert.equal(w.deadline, 45_000);
  w.touch(120);
  assert.equal(w.deadline, 45_120);
});

/** A connection that is dead once `now` reaches its watchdog's deadline, as the engine judges it. */
class Conn implements LivenessCheck {
  deadAt: number | undefined;
  looks = 0;
  constructor(readonly watchdog: HeartbeatWatchdog) {}
  checkLiveness(now: number): number | undefined {
    this.looks++;
    if (this.deadAt !== undefined) return undefined;
    if (now < this.watchdog.deadline) return this.watchdog.deadline;
    this.deadAt = now;
    return undefined;
  }
}

function rig() {
  const clock = new ManualScheduler();
  const sweep = new HeartbeatSweep(schedulerSlot(clock));
  const conn = (interval: number, timeout: number) => {
    const c = new Conn(new HeartbeatWatchdog(interval, timeout, clock.now()));
    sweep.watch(c, c.watchdog.deadline);
    return c;
  };
  return { clock, sweep, conn };
}

test("a connection without pings dies exactly at its deadline; pings keep it alive without a timer each", () => {
  const { clock, sweep, conn } = rig();
  const t0 = clock.now();
  const c = conn(1000, 500);
  for (let i = 0; i < 20; i++) {
    clock.advance(1000);
    c.watchdog.touch(clock.now());
  }
  assert.equal(c.deadAt, undefined, "alive while pinged");
  assert.ok(c.looks <= 20, `one look per deadline at most, not one per ping (${c.looks} looks for 20 pings)`);
  clock.advance(1499);
  assert.equal(c.deadAt, undefined, "1499 ms after the last ping: alive");
  clock.advance(1);
  assert.equal(c.deadAt, t0 + 21_500, "dead 1500 ms after the last ping");
  assert.equal(sweep.size, 0, "a dead connection is no longer watched");
  assert.equal(clock.pending <= 1, true);
});

test("many connections: one sweep per period at most, each death noticed within a period of its deadline", () => {
  const { clock, sweep, conn } = rig();
  const t0 = clock.now();
  const conns: Conn[] = [];
  for (let i = 0; i < 500; i++) {
    conns.push(conn(5000, 2000));
    clock.advance(10); // deadlines spread over 5 s
  }
  const fired: number[] = [];
  const before = clock.pending;
  assert.ok(before <= 2, `one armed timer for 500 connections, not ${before}`);
  for (let t = 0; t < 20_000; t += 100) {
    clock.advance(100);
    fired.push(clock.pending);
  }
  for (const [i, c] of conns.entries()) {
    const deadline = t0 + i * 10 + 7000;
    assert.ok(c.deadAt !== undefined && c.deadAt >= deadline && c.deadAt <= deadline + SWEEP_PERIOD_MS, `connection ${i}: dead at ${c.deadAt! - t0}, deadline ${deadline - t0}`);
  }
  assert.equal(sweep.size, 0);
});

test("unwatching the last connection clears the timer; a replaced or cleared slot timer does nothing", () => {
  const { clock, sweep, conn } = rig();
  const c = conn(1000, 500);
  sweep.unwatch(c);
  clock.advance(5000);
  assert.equal(c.looks, 0, "an unwatched connection is never looked at");
  assert.equal(clock.pending, 0);
});

test("a connection whose check throws does not stop the sweep for the others", () => {
  const { clock, sweep, conn } = rig();
  const bad: LivenessCheck = {
    checkLiveness: () => {
      throw new Error("boom");
    },
  };
  sweep.watch(bad, clock.now() + 100);
  const c = conn(1000, 500);
  assert.throws(() => clock.advance(100), /boom/);
  assert.equal(sweep.size, 1, "the throwing connection is dropped, the other kept");
  clock.advance(1400);
  assert.equal(c.deadAt, clock.now(), "the other still dies on time");
});

test("short allowances: the sweep runs four times per allowance, so a death is noticed within a quarter of it", () => {
  let now = 0;
  let pending: { at: number; fn: () => void } | undefined;
  const sweep = new HeartbeatSweep({ now: () => now, set: (ms, fn) => (pending = { at: now + ms, fn }), clear: () => (pending = undefined) });
  const allowance = 1000; // pingInterval 500 + pingTimeout 500, as a test server sends
  let deadAt: number | undefined;
  let deadline = allowance;
  const connection: LivenessCheck = {
    checkLiveness(t: number) {
      if (t >= deadline) {
        deadAt = t;
        return undefined;
      }
      return deadline;
    },
  };
  sweep.watch(connection, deadline);
  // The peer answers for a while, moving the deadline at an odd phase, then goes silent.
  for (let beat = 1; beat <= 5; beat++) {
    while (pending && pending.at <= beat * 333) {
      now = pending.at;
      const p = pending;
      pending = undefined;
      p.fn();
    }
    deadline = beat * 333 + allowance;
  }
  while (pending && deadAt === undefined) {
    now = pending.at;
    const p = pending;
    pending = undefined;
    p.fn();
  }
  assert.ok(deadAt !== undefined && deadAt - deadline <= allowance / 4, `noticed ${deadAt! - deadline} ms after its deadline`);
});
