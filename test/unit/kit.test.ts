import assert from "node:assert/strict";
import { test } from "node:test";
import { EnvError, EnvReader, parseDurationMs } from "../../src/kit/env";
import { buildThresholds } from "../../src/kit/thresholds";
import { OptionsError, resolveOptions } from "../../src/socketio/protocol/options";

test("env reader: defaults, valid values, and errors that name the variable", () => {
  const env = new EnvReader({ VUS: "50", EMPTY: "", BAD: "5x", T: "polling", D: "1m30s", J: '{"a":1}' });
  assert.equal(env.int("VUS", 20, 1, 100), 50);
  assert.equal(env.int("ABSENT", 20, 1, 100), 20);
  assert.throws(() => env.int("EMPTY", 20, 1, 100), /-e EMPTY is empty: give a value, or leave the option out/);
  assert.throws(() => env.int("BAD", 1, 1, 10), (e: unknown) => e instanceof EnvError && /-e BAD=5x/.test(e.message));
  assert.throws(() => env.int("VUS", 1, 1, 10), /from 1 to 10/);
  assert.equal(env.oneOf("T", "websocket", ["websocket", "polling"]), "polling");
  assert.throws(() => env.oneOf("BAD", "websocket", ["websocket", "polling"]), /one of websocket, polling/);
  assert.equal(env.duration("D", "30s"), "1m30s");
  assert.throws(() => env.duration("BAD", "30s"), /duration/);
  assert.deepEqual(env.json("J"), { a: 1 });
  assert.throws(() => env.json("BAD"), /not valid JSON/);
});

test("env reader: numbers in decimal digits only, no padding, and durations k6 would refuse are refused first", () => {
  const env = new EnvReader({ HEX: "0x10", EXP: "1e3", PAD: " 3", TAB: "3\t", NEG: "-2", F: "0.25", DOT: ".5", FHEX: "0x1", ZERO: "0s", MS: "500ms", EMPTY: "", BLANK: "  " });
  for (const name of ["HEX", "EXP"]) assert.throws(() => env.int(name, 1, 0, 100_000), /in decimal digits/, name);
  assert.throws(() => env.int("PAD", 1, 0, 10), (e: unknown) => e instanceof EnvError && e.message === '-e PAD=" 3": remove the spaces around the value');
  assert.throws(() => env.int("TAB", 1, 0, 10), /remove the spaces/);
  assert.equal(env.int("NEG", 0, -5, 5), -2);
  assert.equal(env.number("F", 1, 0, 1), 0.25);
  assert.equal(env.number("DOT", 1, 0, 1), 0.5);
  assert.throws(() => env.number("FHEX", 1, 0, 10), /in decimal digits/);
  assert.throws(() => env.duration("ZERO", "30s"), /-e ZERO=0s: expected a duration of at least 1ms/);
  assert.equal(env.duration("ZERO", "0s", 0), "0s");
  assert.throws(() => env.duration("MS", "30s", 1000), /at least 1s/);
  // Given but empty is refused whatever the type; an optional text given empty counts as absent.
  for (const read of [() => env.string("EMPTY", "x"), () => env.oneOf("EMPTY", "a", ["a"]), () => env.duration("BLANK", "1s"), () => env.number("BLANK", 1, 0, 2)]) {
    assert.throws(read, /is empty/);
  }
  assert.equal(env.optionalString("EMPTY"), undefined);
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
