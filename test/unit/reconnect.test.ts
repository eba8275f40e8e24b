import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelay, isReconnectable, resolveReconnect } from "../../src/socketio/protocol/backoff";
import { Connection } from "../../src/socketio/protocol/connection";
import { EngineConnection } from "../../src/socketio/protocol/engine";
import { ManualScheduler, OPEN, RecordingMetrics, RecordingSink } from "../helpers/fakes";

test("backoff: exponential, capped, jittered within bounds", () => {
  const r = resolveReconnect({ attempts: 5, delayMs: 500, maxDelayMs: 3000, jitter: 0.5 })!;
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(n, r, () => 0.5)), [500, 1000, 2000, 3000, 3000]);
  assert.equal(backoffDelay(1, r, () => 0), 250);
  assert.equal(backoffDelay(1, r, () => 0.999999), 750);
  assert.equal(resolveReconnect(false), null);
  assert.deepEqual(resolveReconnect(true), { attempts: 5, delayMs: 500, maxDelayMs: 5000, jitter: 0.5 });
  assert.throws(() => resolveReconnect({ attempts: 0 }), /attempts/);
  assert.throws(() => resolveReconnect({ jitter: 2 }), /jitter/);
  assert.deepEqual(["transport close", "transport error", "ping timeout", "generator overloaded", "io server disconnect", "io client disconnect"].map(isReconnectable), [true, true, true, true, false, false]);
});

test("state recovery: offsets stripped, lost transport, CONNECT with pid and offset, missed events replayed after connect", () => {
  const clock = new ManualScheduler();
  const metrics = new RecordingMetrics();
  const connection = new Connection({ scheduler: clock, metrics, defaultAckTimeout: 1000, startedAt: clock.now(), log: () => undefined });
  const socket = connection.socket("/", { token: "t" });
  const seen: string[] = [];
  socket.on("connect", () => seen.push(`connect recovered=${socket.recovered}`));
  socket.on("disconnect", (r: string) => seen.push(`disconnect ${r}`));
  socket.on("reconnect", (n: number) => seen.push(`reconnect ${n}`));
  socket.on("tick", (...args: unknown[]) => seen.push(`tick ${JSON.stringify(args)}`));

  const first = new RecordingSink();
  let engine = new EngineConnection(first, clock, connection, { openTimeout: 5000 });
  connection.attach(engine);
  engine.start();
  engine.receiveText(OPEN);
  engine.receiveText('40{"sid":"A","pid":"P1"}');
  engine.receiveText('42["tick",1,"off-1"]');
  engine.receiveText('42["tick",2,"off-2"]');
  clock.advance(100);
  engine.transportClosed(1006);
  assert.equal(socket.reconnectable, true);

  clock.advance(400);
  assert.equal(connection.prepareReconnect().length, 1);
  const second = new RecordingSink();
  engine = new EngineConnection(second, clock, connection, { openTimeout: 5000 });
  connection.attach(engine, clock.now());
  engine.start();
  engine.receiveText(OPEN);
  assert.deepEqual(second.text, ['40{"token":"t","pid":"P1","offset":"off-2"}']);
  // The server replays what was missed before its CONNECT reply.
  engine.receiveText('42["tick",3,"off-3"]');
  engine.receiveText('42["tick",4,"off-4"]');
  engine.receiveText('40{"sid":"B","pid":"P1"}');
  engine.receiveText('42["tick",5,"off-5"]');

  assert.deepEqual(seen, [
    "connect recovered=false",
    "tick [1]",
    "tick [2]",
    "disconnect transport error",
    "connect recovered=true",
    "reconnect 1",
    "tick [3]",
    "tick [4]",
    "tick [5]",
  ]);
  assert.ok(metrics.events.includes("reconnected:400:true:2"), metrics.events.join(","));
});

test("without recovery a reconnect is a fresh session: no pid sent, nothing counted as replayed", () => {
  const clock = new ManualScheduler();
  const metrics = new RecordingMetrics();
  const connection = new Connection({ scheduler: clock, metrics, defaultAckTimeout: 1000, startedAt: clock.now(), log: () => undefined });
  const socket = connection.socket("/");
  let engine = new EngineConnection(new RecordingSink(), clock, connection, { openTimeout: 5000 });
  connection.attach(engine);
  engine.start();
  engine.receiveText(OPEN);
  engine.receiveText('40{"sid":"A"}');
  engine.receiveText('42["tick","a string stays"]');
  engine.transportClosed(1006);
  connection.prepareReconnect();
  const sink = new RecordingSink();
  engine = new EngineConnection(sink, clock, connection, { openTimeout: 5000 });
  connection.attach(engine);
  engine.start();
  engine.receiveText(OPEN);
  assert.deepEqual(sink.text, ["40"]);
  engine.receiveText('40{"sid":"B"}');
  assert.equal(socket.recovered, false);
  assert.ok(metrics.events.includes("reconnected:0:false:0"));
});

/** Sizes of every Map, Set and array an object holds, two levels deep (the ack registry's maps too). */
function collectionSizes(obj: object, depth = 2): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value instanceof Map || value instanceof Set) out[key] = value.size;
    else if (Array.isArray(value)) out[key] = value.length;
    else if (depth > 1 && value && typeof value === "object" && value.constructor !== Object) out[key] = collectionSizes(value as object, depth - 1);
  }
  return out;
}

test("reconnect churn: the connection keeps no state per transport, and acks still time out after many reconnects whose timers died", () => {
  const clock = new ManualScheduler();
  const metrics = new RecordingMetrics();
  const connection = new Connection({ scheduler: clock, metrics, defaultAckTimeout: 1000, startedAt: clock.now(), log: () => undefined });
  const socket = connection.socket("/");
  let connects = 0;
  socket.on("connect", () => connects++);
  const outcomes: string[] = [];
  /** One transport as k6/ws runs it: an answered ack, one left pending, then a drop that takes its timers with it. */
  const oneTransport = (): void => {
    const sink = new RecordingSink();
    const engine = new EngineConnection(sink, clock, connection, { openTimeout: 5000 });
    connection.attach(engine, clock.now());
    engine.start();
    engine.receiveText(OPEN);
    engine.receiveText('40{"sid":"A"}');
    socket.request("echo", [1], (o) => outcomes.push(o.ok ? "ok" : o.reason));
    const id = /^42(\d+)/.exec(sink.text.at(-1)!)![1];
    engine.receiveText(`43${id}[1]`);
    socket.request("echo", [2], (o) => outcomes.push(o.ok ? "ok" : o.reason));
    clock.advance(100);
    engine.transportClosed(1006);
    clock.discardTimers();
    connection.prepareReconnect();
  };
  // The failed acks' ids are remembered for late-ack detection, up to a bound (ack-registry.ts).
  const expiredIds = (): number => (collectionSizes(socket).acks as { expired: number }).expired;
  const shape = (): string => {
    const { metrics: _fake, ...ours } = collectionSizes(connection);
    const { acks: _bounded, metrics: _recorded, ...rest } = collectionSizes(socket);
    return JSON.stringify({ timers: clock.pending, connection: ours, socket: rest });
  };
  oneTransport();
  const afterOne = shape();
  for (let i = 0; i < 1_100; i++) oneTransport();
  assert.equal(shape(), afterOne);
  assert.equal(expiredIds(), 1024);
  assert.equal(connects, 1_101);
  assert.deepEqual([outcomes.length, outcomes.filter((o) => o === "ok").length], [2_202, 1_101]);

  // After all those drops, an unanswered ack still times out on the live transport.
  const engine = new EngineConnection(new RecordingSink(), clock, connection, { openTimeout: 5000 });
  connection.attach(engine, clock.now());
  engine.start();
  engine.receiveText(OPEN);
  engine.receiveText('40{"sid":"A"}');
  socket.request("echo", [3], (o) => outcomes.push(o.ok ? "ok" : o.reason));
  clock.advance(1500);
  assert.equal(outcomes.at(-1), "timeout");
});

test("drop(): the client closes its own transport as a broken network would, reconnectable (\"transport error\")", () => {
  const clock = new ManualScheduler();
  const connection = new Connection({ scheduler: clock, metrics: new RecordingMetrics(), defaultAckTimeout: 1000, startedAt: clock.now(), log: () => undefined });
  const socket = connection.socket("/", undefined);
  const seen: string[] = [];
  socket.on("disconnect", (r: string) => seen.push(`disconnect ${r}`));
  const sink = new RecordingSink();
  const engine = new EngineConnection(sink, clock, connection, { openTimeout: 5000 });
  connection.attach(engine);
  engine.start();
  engine.receiveText(OPEN);
  engine.receiveText('40{"sid":"A"}');
  socket.drop();
  assert.deepEqual(seen, ["disconnect transport error"]);
  assert.equal(socket.reconnectable, true);
  assert.equal(sink.closed, true);
});
