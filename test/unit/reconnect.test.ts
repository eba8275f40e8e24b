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
