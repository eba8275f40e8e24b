import assert from "node:assert/strict";
import { test } from "node:test";
import { HeartbeatWatchdog } from "../../src/socketio/protocol/heartbeat";

test("dead only when no ping arrived within pingInterval + pingTimeout", () => {
  const w = new HeartbeatWatchdog(25_000, 20_000);
  assert.equal(w.allowance, 45_000);
  const token = w.arm(0);
  assert.deepEqual(w.check(token, 44_999), { state: "pending", remainingMs: 1 });
  assert.deepEqual(w.check(token, 45_000), { state: "dead" });
});

test("a newer ping supersedes the earlier check", () => {
  const w = new HeartbeatWatchdog(100, 50);
  const first = w.arm(0);
  const second = w.arm(120);
  assert.deepEqual(w.check(first, 150), { state: "superseded" });
  assert.deepEqual(w.check(second, 269), { state: "pending", remainingMs: 1 });
  assert.deepEqual(w.check(second, 270), { state: "dead" });
});

test("touch records life without superseding the scheduled check", () => {
  const w = new HeartbeatWatchdog(100, 50);
  const token = w.arm(0);
  w.touch(120);
  assert.deepEqual(w.check(token, 150), { state: "pending", remainingMs: 120 });
  assert.deepEqual(w.check(token, 270), { state: "dead" });
});
