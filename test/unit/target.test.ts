import assert from "node:assert/strict";
import { test } from "node:test";
import { MatchmakingQueue } from "../../src/target/matchmaking-queue.ts";
import { parseTargetArgs, UsageError } from "../../src/target/options.ts";
import { SlidingWindowLimiter } from "../../src/target/rate-limiter.ts";

test("rate limiter: the 6th join within 60 s is rejected with the time until a slot frees", () => {
  const l = new SlidingWindowLimiter(5, 60_000);
  for (let i = 0; i < 5; i++) assert.deepEqual(l.attempt("p", i * 1000), { allowed: true });
  assert.deepEqual(l.attempt("p", 10_000), { allowed: false, retryAfterMs: 50_000 });
  assert.deepEqual(l.attempt("q", 10_000), { allowed: true }, "limits are per player");
  assert.deepEqual(l.attempt("p", 60_000), { allowed: true }, "the first join left the window");
});

test("queue: seats tableSize players of close elo, FIFO, and reports positions", () => {
  const q = new MatchmakingQueue(2, 200);
  assert.deepEqual(q.join({ playerId: "a", elo: 1000, socketId: "sa" }), { position: 1, seated: null });
  assert.deepEqual(q.join({ playerId: "far", elo: 2000, socketId: "sf" }), { position: 2, seated: null });
  const r = q.join({ playerId: "b", elo: 1150, socketId: "sb" });
  assert.equal(r.position, 3);
  assert.deepEqual(r.seated?.map((p) => p.playerId), ["b", "a"]);
  assert.equal(q.size, 1);
});

test("queue: tables of four, leave and disconnect", () => {
  const q = new MatchmakingQueue(4, 100);
  for (const id of ["a", "b", "c"]) assert.equal(q.join({ playerId: id, elo: 1000, socketId: id }).seated, null);
  assert.equal(q.join({ playerId: "a", elo: 1000, socketId: "a" }).position, 1, "joining twice keeps the place");
  assert.equal(q.leave("b"), true);
  assert.equal(q.leave("b"), false);
  q.removeSocket("c");
  assert.equal(q.size, 1);
  for (const id of ["d", "e"]) q.join({ playerId: id, elo: 1050, socketId: id });
  assert.deepEqual(q.join({ playerId: "f", elo: 1000, socketId: "f" }).seated?.map((p) => p.playerId).sort(), ["a", "d", "e", "f"]);
});

test("server arguments", () => {
  const o = parseTargetArgs(["--port", "0", "--fault", "slow-ack=250", "--fault=no-rate-limit", "--table-size", "4"]);
  assert.equal(o.port, 0);
  assert.equal(o.tableSize, 4);
  assert.deepEqual([...o.faults], [["slow-ack", "250"], ["no-rate-limit", ""]]);
  assert.throws(() => parseTargetArgs(["--fault", "nope"]), (e: unknown) => e instanceof UsageError && /known faults/.test(e.message));
  assert.throws(() => parseTargetArgs(["--fault", "slow-ack"]), /slow-ack=MS/);
  assert.throws(() => parseTargetArgs(["--port", "x"]), /--port must be an integer/);
  assert.throws(() => parseTargetArgs(["--bogus"]), /unknown argument/);
  assert.equal(parseTargetArgs(["--fault", "drop-broadcast=0.05"]).faults.get("drop-broadcast"), "0.05");
  assert.throws(() => parseTargetArgs(["--fault", "drop-broadcast=5"]), /probability/);
  assert.throws(() => parseTargetArgs(["--fault", "slow-confirm"]), /slow-confirm=MS/);
  const secured = parseTargetArgs(["--require-query", "token=a=b", "--require-header=X-Api-Key=k"]);
  assert.deepEqual([[...secured.requiredQuery], [...secured.requiredHeaders]], [[["token", "a=b"]], [["x-api-key", "k"]]]);
  assert.throws(() => parseTargetArgs(["--require-header", "novalue"]), /NAME=VALUE/);
});
