// Log lines show a server's payload bounded in size and depth, whatever it holds.
import assert from "node:assert/strict";
import { test } from "node:test";
import { boundedJson } from "../../src/socketio/protocol/bounded-json.ts";

test("bounded JSON: plain values as JSON; long ones cut with …; deep ones cut by level", () => {
  assert.equal(boundedJson({ ok: false, error: "NO", n: 1, l: [true, null] }), '{"ok":false,"error":"NO","n":1,"l":[true,null]}');
  assert.equal(boundedJson(undefined), "null");
  assert.equal(boundedJson("x".repeat(500), 20), `"${"x".repeat(19)}…`);
  assert.equal(boundedJson([[[[1]]]], 300, 2), "[[[…]]]");
  let deep: unknown = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const started = Date.now();
  assert.equal(boundedJson(deep, 50), `${"[".repeat(8)}[…]${"]".repeat(8)}`);
  assert.ok(Date.now() - started < 100, "a 100,000-deep array is shown at once");
  const wide = Array.from({ length: 100_000 }, (_, i) => i);
  assert.equal(boundedJson(wide, 30).length, 31);
});
