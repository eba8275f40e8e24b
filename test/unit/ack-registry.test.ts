import assert from "node:assert/strict";
import { test } from "node:test";
import { AckRegistry } from "../../src/socketio/protocol/ack-registry";

test("ack ids are per registry and increase from 0", () => {
  const a = new AckRegistry();
  const b = new AckRegistry();
  assert.equal(a.register("x", 0, 0 + 1000, () => {}), 0);
  assert.equal(a.register("x", 0, 0 + 1000, () => {}), 1);
  assert.equal(b.register("x", 0, 0 + 1000, () => {}), 0);
});

test("settle delivers the ack's arguments and the elapsed time once", () => {
  const r = new AckRegistry();
  const calls: unknown[] = [];
  const id = r.register("join", 100, 100 + 1000, (args, ms, reason) => calls.push({ args, ms, reason }));
  assert.equal(r.settle(id, ["ok"], 130), "settled");
  assert.deepEqual(calls, [{ args: ["ok"], ms: 30, reason: "ok" }]);
  assert.equal(r.settle(id, ["again"], 140), "unknown", "a second ack for a settled id is not late");
  assert.equal(r.expire(id, 200), false, "a settled ack does not time out");
  assert.equal(calls.length, 1);
});

test("an ack after its timeout is late, ignored, and remembered by event", () => {
  const r = new AckRegistry();
  const calls: unknown[] = [];
  const id = r.register("join", 0, 0 + 1000, (args, _ms, reason) => calls.push({ args, reason }));
  assert.equal(r.expire(id, 5000), true);
  assert.deepEqual(calls, [{ args: null, reason: "timeout" }]);
  assert.equal(r.eventOf(id), "join");
  assert.equal(r.settle(id, ["too late"], 6000), "late");
  assert.equal(calls.length, 1);
  assert.equal(r.settle(999, [], 6000), "unknown");
});

test("failAll settles every pending ack with the reason", () => {
  const r = new AckRegistry();
  const reasons: string[] = [];
  r.register("a", 0, 0 + 1000, (_a, _m, reason) => reasons.push(reason));
  r.register("b", 0, 0 + 1000, (_a, _m, reason) => reasons.push(reason));
  r.failAll("disconnected", 10);
  assert.deepEqual(reasons, ["disconnected", "disconnected"]);
  assert.equal(r.size, 0);
});

test("late-ack memory is bounded", () => {
  const r = new AckRegistry();
  const first = r.register("old", 0, 0 + 1000, () => {});
  r.expire(first, 1);
  for (let i = 0; i < 2000; i++) r.expire(r.register("new", 0, 0 + 1000, () => {}), 1);
  assert.equal(r.settle(first, [], 2), "unknown", "the oldest timed-out ids are forgotten");
});

test("expireDue expires what is due and returns the earliest deadline still pending", () => {
  const r = new AckRegistry();
  const reasons: string[] = [];
  r.register("a", 0, 100, (_a, ms, reason) => reasons.push(`a:${reason}:${ms}`));
  r.register("b", 0, 50, (_a, ms, reason) => reasons.push(`b:${reason}:${ms}`));
  const c = r.register("c", 10, 300, () => reasons.push("c"));
  assert.equal(r.expireDue(49), 50);
  assert.deepEqual(reasons, []);
  assert.equal(r.expireDue(100), 300, "a and b are due; c is next");
  assert.deepEqual(reasons, ["a:timeout:100", "b:timeout:100"]);
  assert.equal(r.settle(c, [1], 120), "settled");
  assert.equal(r.expireDue(400), undefined);
});
