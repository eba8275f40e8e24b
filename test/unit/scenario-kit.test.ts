import assert from "node:assert/strict";
import { test } from "node:test";
import { RESPONSE_PATTERNS, responseDelayMs } from "../../src/kit/response-delay";
import { parseSizes, roomSizes, seatOf } from "../../src/kit/seating";
import { seededRandom } from "../../src/target/common.ts";

function stats(pattern: (typeof RESPONSE_PATTERNS)[number], n = 20_000) {
  const random = seededRandom(7);
  const xs = Array.from({ length: n }, () => responseDelayMs(pattern, 1, random));
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sorted = [...xs].sort((a, b) => a - b);
  return { mean, min: sorted[0]!, max: sorted[n - 1]!, median: sorted[n >> 1]!, distinct: new Set(xs).size };
}

test("response delays follow the seed's distributions", () => {
  const random = stats("random");
  assert.ok(random.min >= 500 && random.max <= 3000 && Math.abs(random.mean - 1750) < 30, JSON.stringify(random));
  const burst = stats("burst");
  assert.equal(burst.distinct, 5, "only the five burst choices");
  assert.ok(Math.abs(burst.mean - 1180) < 40, JSON.stringify(burst));
  const steady = stats("steady");
  assert.ok(Math.abs(steady.mean - 1500) < 10, JSON.stringify(steady));
  const human = stats("human_like");
  assert.ok(Math.abs(human.median - 1649) < 25, `log-normal median e^0.5 s: ${JSON.stringify(human)}`);
  assert.ok(Math.abs(human.mean - 1725) < 25, `mean e^(0.5 + 0.045) s: ${JSON.stringify(human)}`);
});

test("response delays scale and never drop below 1 ms", () => {
  const random = seededRandom(1);
  for (const p of RESPONSE_PATTERNS) {
    const d = responseDelayMs(p, 0.05, random);
    assert.ok(d >= 1 && d <= 200, `${p}: ${d}`);
  }
  assert.equal(responseDelayMs("random", 0.0001, () => 0), 1);
});

test("seating maps global player numbers onto rooms of several sizes", () => {
  const rooms = roomSizes([2, 5], 2);
  assert.deepEqual(rooms, [2, 2, 5, 5]);
  assert.deepEqual(seatOf(0, rooms), { room: 0, roomSize: 2, seat: 0 });
  assert.deepEqual(seatOf(3, rooms), { room: 1, roomSize: 2, seat: 1 });
  assert.deepEqual(seatOf(4, rooms), { room: 2, roomSize: 5, seat: 0 });
  assert.deepEqual(seatOf(13, rooms), { room: 3, roomSize: 5, seat: 4 });
  assert.equal(seatOf(14, rooms), null);
  assert.deepEqual(parseSizes("ROOM_SIZES", "2, 5,10", 2, 100), [2, 5, 10]);
  assert.throws(() => parseSizes("ROOM_SIZES", "2,x", 2, 100), /-e ROOM_SIZES=2,x/);
  assert.throws(() => parseSizes("ROOM_SIZES", "1", 2, 100), /from 2 to 100/);
});
