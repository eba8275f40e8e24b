// The await API's socket over the protocol engine, with a manual clock: socket.io-client's
// meanings (emitWithAck resolves the ack's first argument, rejects on timeout) and the load
// test's (request/waitFor resolve with an outcome, every timeout counted).
import assert from "node:assert/strict";
import { test } from "node:test";
import { AckError, connected, Socket } from "../../src/socketio/async-socket";
import { OPEN, protocolRig } from "../helpers/fakes";

function rig() {
  const { clock, sink, metrics, logs, connection, engine } = protocolRig();
  const socket = new Socket(connection.socket("/"), { closed: new Promise(() => undefined) }, undefined);
  const ready = connected(socket);
  engine.start();
  engine.receiveText(OPEN);
  return { clock, sink, metrics, logs, engine, connection, socket, ready };
}

async function connectedRig() {
  const r = rig();
  r.engine.receiveText('40{"sid":"N1"}');
  assert.equal(await r.ready, r.socket);
  await new Promise((resolve) => setTimeout(resolve, 1)); // as in k6: frames come in later tasks
  return r;
}

test("io's socket resolves once CONNECTed; emitWithAck resolves the ack's first argument; request the whole outcome", async () => {
  const r = await connectedRig();
  assert.equal(r.socket.id, "N1");
  assert.equal(r.socket.connected, true);
  const ack = r.socket.emitWithAck("queue_join", { elo: 1200 });
  const outcome = r.socket.request("queue_join", { elo: 1300 });
  assert.deepEqual(r.sink.text.slice(-2), ['420["queue_join",{"elo":1200}]', '421["queue_join",{"elo":1300}]']);
  r.clock.advance(12);
  r.engine.receiveText('430[{"status":"queued"},2]');
  r.engine.receiveText('431[{"status":"queued"}]');
  assert.deepEqual(await ack, { status: "queued" });
  const o = await outcome;
  assert.equal(o.ok, true);
  assert.deepEqual(o.args, [{ status: "queued" }]);
  assert.equal(o.elapsedMs, 12);
  assert.equal(r.metrics.count("ack"), 2);
});

test("a refused CONNECT resolves io's socket disconnected, with the reason; it does not reject", async () => {
  const r = rig();
  r.engine.receiveText('44{"message":"unauthorized"}');
  const socket = await r.ready;
  assert.equal(socket.connected, false);
  assert.deepEqual(socket.connectError, { reason: "connect_error", message: "unauthorized" });
});

test("timeout(ms).emitWithAck rejects with socket.io-client's error, counted; request resolves the timeout instead", async () => {
  const r = await connectedRig();
  const rejected = r.socket.timeout(50).emitWithAck("slow");
  const outcome = r.socket.timeout(50).request("slow");
  let calledBack: unknown[] | undefined;
  r.socket.timeout(50).emit("slow", 1, (...args: unknown[]) => (calledBack = args));
  r.clock.advance(60);
  await assert.rejects(rejected, (e: unknown) => e instanceof AckError && e.message === "operation has timed out (no ack for 'slow' within 50 ms)" && e.reason === "timeout" && e.event === "slow");
  assert.deepEqual(await outcome, { ok: false, reason: "timeout", elapsedMs: 50 });
  assert.ok(calledBack?.[0] instanceof AckError, "timeout(ms).emit(..., cb) gets the error first, as in socket.io-client");
  assert.equal(r.metrics.count("ackTimeout"), 3);
  assert.ok(r.logs.some((l) => l.startsWith("once:ack:slow:") && l.includes("no ack for 'slow' within 50 ms")), "an ack timeout is logged once, by event name");
});

test("what the server sends with its CONNECT reply reaches listeners registered after `await io()`", async () => {
  const r = rig();
  // python-socketio emits from its connect handler before the CONNECT reply; socket.io after it.
  r.engine.receiveText('42["my_response",{"data":"Connected"}]');
  r.engine.receiveText('40{"sid":"N1"}');
  r.engine.receiveText('42["welcome",1]');
  const socket = await r.ready;
  const seen: string[] = [];
  socket.on("my_response", (d: { data: string }) => seen.push(d.data));
  const welcome = socket.waitFor("welcome", { timeout: 1000 });
  assert.deepEqual(seen, [], "held until the caller of io() could listen");
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(seen, ["Connected"]);
  assert.equal((await welcome).data, 1);
  r.engine.receiveText('42["my_response",{"data":"later"}]');
  assert.deepEqual(seen, ["Connected", "later"], "and then delivered as they come");
});

test("timeout(ms).emit with a callback gets (null, ...ack) on an ack; a plain emit's callback gets the ack's arguments", async () => {
  const r = await connectedRig();
  let withTimeout: unknown[] | undefined;
  let plain: unknown[] | undefined;
  r.socket.timeout(500).emit("a", (...args: unknown[]) => (withTimeout = args));
  r.socket.emit("b", 7, (...args: unknown[]) => (plain = args));
  assert.deepEqual(r.sink.text.slice(-2), ['420["a"]', '421["b",7]']);
  r.engine.receiveText('430["x",1]');
  r.engine.receiveText('431["y"]');
  assert.deepEqual(withTimeout, [null, "x", 1]);
  assert.deepEqual(plain, ["y"]);
});

test("after a disconnect: emitWithAck rejects, request and waitFor resolve 'disconnected', emit sends nothing", async () => {
  const r = await connectedRig();
  const pending = r.socket.request("never");
  const waiting = r.socket.waitFor("never", { timeout: 5000 });
  r.socket.disconnect();
  assert.equal((await pending).ok, false);
  assert.equal((await waiting).reason, "disconnected");
  const sent = r.sink.text.length;
  await assert.rejects(r.socket.emitWithAck("late"), (e: unknown) => e instanceof AckError && e.reason === "disconnected" && e.message.startsWith("socket has been disconnected"));
  assert.equal((await r.socket.request("late")).reason, "disconnected");
  assert.equal((await r.socket.waitFor("late", { timeout: 100 })).reason, "disconnected");
  assert.equal(r.socket.emit("late"), r.socket, "emit returns the socket, as in socket.io-client");
  assert.equal(r.sink.text.length, sent, "nothing is sent on a disconnected socket");
});

test("a waitFor that times out is counted and says which events arrived meanwhile (a typo shows at once)", async () => {
  const r = await connectedRig();
  const wait = r.socket.waitFor("match_fuond", { timeout: 1000 });
  r.engine.receiveText('42["match_found",{"players":[]}]');
  r.engine.receiveText('42["queue_update",1]');
  r.engine.receiveText('42["queue_update",2]');
  r.clock.advance(1001);
  assert.equal((await wait).reason, "timeout");
  assert.equal(r.metrics.count("waitTimeout"), 1);
  const line = r.logs.find((l) => l.startsWith("once:wait:match_fuond:"));
  assert.ok(line, r.logs.join("\n"));
  assert.match(line, /waitFor\('match_fuond'\) timed out after 1000 ms/);
  assert.match(line, /'match_found' ×1, 'queue_update' ×2/);
});

test("a listener that throws ends its own connection as 'handler error', logged with the event's name", async () => {
  const r = await connectedRig();
  const reasons: string[] = [];
  r.socket.on("disconnect", (reason: string) => reasons.push(reason));
  r.socket.on("boom", () => {
    throw new Error("bug in the flow");
  });
  r.engine.receiveText('42["boom"]');
  assert.deepEqual(reasons, ["handler error"]);
  assert.ok(r.logs.some((l) => l.startsWith("error:") && l.includes("'boom' listener threw: bug in the flow")), r.logs.join("\n"));
  assert.ok(r.sink.closed);
  // Another connection (another player of the same VU) is untouched.
  const other = await connectedRig();
  const ack = other.socket.request("still");
  other.engine.receiveText('430["fine"]');
  assert.equal((await ack).ok, true);
});

test("bad arguments throw a clear TypeError at the call", async () => {
  const r = await connectedRig();
  assert.throws(() => r.socket.emit(42 as unknown as string), /event must be a non-empty string/);
  assert.throws(() => r.socket.waitFor("x", {} as { timeout: number }), /options.timeout must be a positive number/);
  assert.throws(() => r.socket.waitFor("x", { timeout: 10, filter: "yes" as unknown as () => boolean }), /filter must be a function/);
  assert.throws(() => r.socket.timeout(-1), /ms must be a positive number/);
  assert.throws(() => r.socket.on("x", undefined as unknown as () => void), /listener must be a function/);
  assert.throws(() => r.socket.of("chat"), /namespace must start with "\/"/);
});

test("of() joins another namespace on the same connection and resolves once it is connected", async () => {
  const r = await connectedRig();
  const chat = r.socket.of("/chat", { auth: { token: "t" } });
  assert.equal(r.sink.text.at(-1), '40/chat,{"token":"t"}');
  r.engine.receiveText('40/chat,{"sid":"C1"}');
  const s = await chat;
  assert.equal(s.id, "C1");
  const ack = s.request("hello");
  assert.equal(r.sink.text.at(-1), '42/chat,0["hello"]');
  r.engine.receiveText('43/chat,0["hi"]');
  assert.equal((await ack).data, "hi");
});
