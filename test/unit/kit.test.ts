import assert from "node:assert/strict";
import { test } from "node:test";
import { EnvError, EnvReader, parseDurationMs } from "../../src/kit/env";
import { buildThresholds } from "../../src/kit/thresholds";
import { OptionsError, resolveOptions } from "../../src/socketio/protocol/options";

test("env reader: defaults, valid values, and errors that name the variable", () => {
  const env = new EnvReader({ VUS: "50", EMPTY: "", BAD: "5x", T: "polling", D: "1m30s", J: '{"a":1}' });
  assert.equal(env.int("VUS", 20, 1, 100), 50);
  assert.equal(env.int("EMPTY", 20, 1, 100), 20);
  assert.throws(() => env.int("BAD", 1, 1, 10), (e: unknown) => e instanceof EnvError && /-e BAD=5x/.test(e.message));
  assert.throws(() => env.int("VUS", 1, 1, 10), /from 1 to 10/);
  assert.equal(env.oneOf("T", "websocket", ["websocket", "polling"]), "polling");
  assert.throws(() => env.oneOf("BAD", "websocket", ["websocket", "polling"]), /one of websocket, polling/);
  assert.equal(env.duration("D", "30s"), "1m30s");
  assert.throws(() => env.duration("BAD", "30s"), /duration/);
  assert.deepEqual(env.json("J"), { a: 1 });
  assert.throws(() => env.json("BAD"), /not valid JSON/);
});

test("k6 durations", () => {
  assert.equal(parseDurationMs("30s"), 30_000);
  assert.equal(parseDurationMs("1m30s"), 90_000);
  assert.equal(parseDurationMs("250ms"), 250);
  assert.equal(parseDurationMs("1h"), 3_600_000);
  for (const bad of ["", "30", "s", "1m 30s", "-1s"]) assert.equal(parseDurationMs(bad), null, bad);
});

test("thresholds: placeholders filled, overrides replace a metric's list", () => {
  const preset = { a: ["count>=${n}"], b: ["p(95)<250"] };
  assert.deepEqual(buildThresholds(preset, { n: 6 }, undefined), { a: ["count>=6"], b: ["p(95)<250"] });
  assert.deepEqual(buildThresholds(preset, { n: 6 }, { b: "p(95)<500", "c{event:x}": ["rate>0.9"] }), {
    a: ["count>=6"],
    b: ["p(95)<500"],
    "c{event:x}": ["rate>0.9"],
  });
  assert.throws(() => buildThresholds(preset, {}, undefined), /unknown placeholder/);
  assert.throws(() => buildThresholds(preset, { n: 1 }, ["p(95)<1"]), /JSON object/);
  assert.throws(() => buildThresholds(preset, { n: 1 }, { b: [1] }), /list of expressions/);
});

test("connect options: defaults and clear errors", () => {
  const o = resolveOptions("http://127.0.0.1:3000/mm");
  assert.equal(o.namespace, "/mm");
  assert.equal(o.transport, "websocket");
  assert.equal(o.path, "/socket.io/");
  assert.equal(o.connectTimeout, 10_000);
  assert.equal(resolveOptions("http://h", { namespace: "/x", path: "io" }).path, "/io/");
  assert.throws(() => resolveOptions("http://h", { transport: "sse" as never }), OptionsError);
  assert.throws(() => resolveOptions("http://h", { namespace: "chat" }), /must start with "\/"/);
  assert.throws(() => resolveOptions("http://h", { ackTimeout: 0 }), /positive number/);
  assert.throws(() => resolveOptions("http://h", { auth: "token" as never }), /auth must be an object/);
});
