import assert from "node:assert/strict";
import { test } from "node:test";
import type { Outcome } from "../../src/socketio/protocol/socket";
import { V3_EVIDENCE_MS } from "../../src/socketio/protocol/engine";
import { OPEN, protocolRig } from "../helpers/fakes";

function session(auth?: Record<string, unknown>, namespace = "/") {
  const { clock, sink, metrics, logs, connection, engine } = protocolRig();
  const socket = connection.socket(namespace, auth);
  const open = () => {
    engine.start();
    engine.receiveText(OPEN);
  };
  const connect = () => {
    open();
    clock.advance(7);
    engine.receiveText(namespace === "/" ? '40{"sid":"N1"}' : `40${namespace},{"sid":"N1"}`);
  };
  return { clock, sink, metrics, logs, socket, engine, connection, open, connect };
}

test("CONNECT carries the auth payload; the reply connects and flushes early emits", () => {
  const s = session({ token: "t" }, "/game");
  const seen: string[] = [];
  s.socket.on("connect", () => seen.push(`connect:${s.socket.id}`));
  s.socket.emit("early", 1);
  s.open();
  assert.deepEqual(s.sink.text, ['40/game,{"token":"t"}']);
  s.clock.advance(7);
  s.engine.receiveText('40/game,{"sid":"N1"}');
  assert.deepEqual(seen, ["connect:N1"]);
  assert.deepEqual(s.sink.text.slice(1), ['42/game,["early",1]']);
  assert.deepEqual(s.metrics.connectDurations, [7], "handshake start to CONNECT reply");
});

test("CONNECT_ERROR reaches connect_error with message and data, is counted, and ends the connection", () => {
  const s = session({ token: "wrong" });
  const errors: unknown[] = [];
  s.socket.on("connect_error", (e) => errors.push(e));
  s.open();
  s.engine.receiveText('44{"message":"unauthorized","data":{"reason":"invalid token"}}');
  assert.deepEqual(errors, [{ reason: "connect_error", message: "unauthorized", data: { reason: "invalid token" } }]);
  assert.equal(s.metrics.count("connectFailed"), 1);
  assert.ok(s.metrics.events.includes("connectFailed:connect_error"));
  assert.ok(s.sink.closed, "no namespace left: the connection closes");
});

test("no CONNECT reply before the deadline is a timeout connect error", () => {
  const s = session();
  s.open();
  s.connection.connectDeadline(5000);
  assert.equal(s.socket.connectError?.reason, "timeout");
  assert.ok(s.metrics.events.includes("connectFailed:timeout"));
});

test("emitWithAck: the ack resolves with its arguments and time; metrics by event", () => {
  const s = session();
  s.connect();
  const outcomes: Outcome[] = [];
  s.socket.request("queue_join", [{ player_id: "p" }], (o) => outcomes.push(o), { timeout: 500 });
  assert.equal(s.sink.text.at(-1), '420["queue_join",{"player_id":"p"}]');
  s.clock.advance(12);
  s.engine.receiveText('430[{"status":"queued"}]');
  assert.deepEqual(outcomes, [{ ok: true, args: [{ status: "queued" }], data: { status: "queued" }, elapsedMs: 12 }]);
  assert.deepEqual(s.metrics.ackDurations, [12]);
  s.socket.request("queue_join", [], () => {});
  assert.equal(s.sink.text.at(-1), '421["queue_join"]', "ids increase per socket");
});

test("emitWithAck: timeout fires once, is counted, and a late ack is ignored and counted", () => {
  const s = session();
  s.connect();
  const outcomes: Outcome[] = [];
  s.socket.request("queue_join", [], (o) => outcomes.push(o), { timeout: 500 });
  s.clock.advance(500);
  assert.deepEqual(outcomes, [{ ok: false, reason: "timeout", elapsedMs: 500 }]);
  s.engine.receiveText("430[]");
  assert.equal(outcomes.length, 1);
  assert.ok(s.metrics.events.includes("ackTimeout:queue_join"));
  assert.ok(s.metrics.events.includes("ackLate:queue_join"));
});

test("pending acks and waits fail as disconnected when the server disconnects the socket", () => {
  const s = session();
  s.connect();
  const outcomes: string[] = [];
  const reasons: string[] = [];
  s.socket.on("disconnect", (r) => reasons.push(r));
  s.socket.request("a", [], (o) => outcomes.push(o.ok ? "ok" : o.reason));
  s.socket.waitFor("b", { timeout: 10_000 }, (o) => outcomes.push(o.ok ? "ok" : o.reason));
  s.engine.receiveText("41");
  assert.deepEqual(outcomes, ["disconnected", "disconnected"]);
  assert.deepEqual(reasons, ["io server disconnect"]);
  assert.ok(s.metrics.events.includes("disconnected:io server disconnect"));
  s.clock.advance(20_000);
  assert.equal(outcomes.length, 2, "their timers fire into nothing");
});

test("waitFor: resolves with the first event passing the filter, with the time waited", () => {
  const s = session();
  s.connect();
  const results: Outcome[] = [];
  s.socket.waitFor("match_found", { timeout: 1000, filter: (m: { id: number }) => m.id === 2 }, (o) => results.push(o));
  s.clock.advance(30);
  s.engine.receiveText('42["match_found",{"id":1}]');
  s.clock.advance(10);
  s.engine.receiveText('42["match_found",{"id":2}]');
  s.engine.receiveText('42["match_found",{"id":2}]');
  assert.deepEqual(results, [{ ok: true, event: "match_found", args: [{ id: 2 }], data: { id: 2 }, elapsedMs: 40 }]);
});

test("waitFor a list of events: the first of them completes it and says which", () => {
  const s = session();
  s.connect();
  const results: Outcome[] = [];
  s.socket.waitFor(["team_created", "error"], { timeout: 1000 }, (o) => results.push(o));
  s.engine.receiveText('42["team_status_update",{}]');
  s.clock.advance(5);
  s.engine.receiveText('42["error",{"message":"Team name already exists"}]');
  s.engine.receiveText('42["team_created",{}]');
  assert.deepEqual(results, [{ ok: true, event: "error", args: [{ message: "Team name already exists" }], data: { message: "Team name already exists" }, elapsedMs: 5 }]);
  assert.throws(() => s.socket.waitFor([], { timeout: 10 }, () => undefined), /an event name or a list of names/);
});

test("waitFor: times out at its bound", () => {
  const s = session();
  s.connect();
  const results: Outcome[] = [];
  s.socket.waitFor("never", { timeout: 250 }, (o) => results.push(o));
  s.clock.advance(250);
  assert.deepEqual(results, [{ ok: false, reason: "timeout", elapsedMs: 250 }]);
});

test("on/once/off and server-requested acks", () => {
  const s = session();
  s.connect();
  const seen: string[] = [];
  const listener = (x: string) => seen.push(`on:${x}`);
  s.socket.on("q", listener);
  s.socket.once("q", (x: string) => seen.push(`once:${x}`));
  s.socket.on("ask", (question: string, ack: (a: string) => void) => {
    ack(`answer to ${question}`);
    ack("twice"); // only the first reply is sent
  });
  s.engine.receiveText('42["q","a"]');
  s.engine.receiveText('42["q","b"]');
  s.socket.off("q", listener);
  s.engine.receiveText('42["q","c"]');
  s.engine.receiveText('4213["ask","why"]');
  assert.deepEqual(seen, ["on:a", "once:a", "on:b"]);
  assert.deepEqual(s.sink.text.filter((t) => t.startsWith("43")), ['4313["answer to why"]']);
});

test("disconnect sends 41 and closes the connection", () => {
  const s = session();
  s.connect();
  const reasons: string[] = [];
  s.socket.on("disconnect", (r) => reasons.push(r));
  s.socket.disconnect();
  assert.equal(s.sink.text.at(-1), "41");
  assert.ok(s.sink.closed);
  assert.deepEqual(reasons, ["io client disconnect"]);
  assert.equal(s.socket.emit("after", 1), false, "emits after a disconnect are dropped");
});

test("a throwing listener is reported, ends the session, and does not escape", () => {
  const s = session();
  s.connect();
  s.socket.on("boom", () => {
    throw new Error("scenario bug");
  });
  assert.doesNotThrow(() => s.engine.receiveText('42["boom"]'));
  assert.equal(s.connection.handlerError?.message, "scenario bug");
  assert.match(s.logs[0]!, /^error:k6-socketio: the 'boom' listener threw: scenario bug/);
  assert.equal(s.socket.disconnectReason, "handler error");
  assert.ok(s.sink.closed);
});

test("undecodable Socket.IO packets are counted, logged a bounded number of times, and skipped", () => {
  const s = session();
  s.connect();
  const got: string[] = [];
  s.socket.on("ok", () => got.push("ok"));
  for (let i = 0; i < 10; i++) s.engine.receiveText("49garbage");
  s.engine.receiveText('42["ok"]');
  assert.equal(s.metrics.count("decodeError"), 10);
  assert.equal(s.logs.length, 3);
  assert.deepEqual(got, ["ok"]);
});

test("the server closing the transport under a connected socket is a 'transport close', a broken one a 'transport error'", () => {
  for (const [code, reason] of [[1000, "transport close"], [1006, "transport error"]] as const) {
    const s = session();
    s.connect();
    s.engine.transportClosed(code);
    assert.equal(s.socket.disconnectReason, reason);
    assert.ok(s.metrics.events.includes(`disconnected:${reason}`));
  }
});

test("dispatch: listeners run before waits, and nothing added during dispatch sees the same event", () => {
  const s = session();
  s.connect();
  const order: string[] = [];
  let turn = 1;
  s.socket.on("tick", (n: number) => order.push(`listener saw turn ${turn} for tick ${n}`));
  const waitTurn = (): void => {
    s.socket.waitFor("tick", { timeout: 1000 }, (o) => {
      order.push(`wait ${String(o.data)}`);
      turn += 1;
      waitTurn(); // re-arming inside the callback must wait for the next tick
    });
  };
  waitTurn();
  s.socket.on("tick", () => s.socket.once("tick", () => order.push("late listener")));
  s.engine.receiveText('42["tick",1]');
  s.engine.receiveText('42["tick",2]');
  assert.deepEqual(order, ["listener saw turn 1 for tick 1", "wait 1", "listener saw turn 2 for tick 2", "late listener", "wait 2"]);
});

test("namespaces: a second namespace on the same connection, leaving one keeps the other", () => {
  const s = session({ token: "t" });
  s.connect();
  const chat = s.socket.of("/chat", { auth: { token: "c" } });
  assert.equal(s.sink.text.at(-1), '40/chat,{"token":"c"}', "CONNECT goes out at once on an open connection");
  const seen: string[] = [];
  chat.on("connect", () => seen.push("chat connect"));
  chat.on("msg", (m: string) => seen.push(`chat ${m}`));
  s.socket.on("msg", (m: string) => seen.push(`main ${m}`));
  s.engine.receiveText('40/chat,{"sid":"C1"}');
  s.engine.receiveText('42/chat,["msg","a"]');
  s.engine.receiveText('42["msg","b"]');
  chat.emit("hello", 1);
  assert.equal(s.sink.text.at(-1), '42/chat,["hello",1]');
  chat.disconnect();
  assert.equal(s.sink.text.at(-1), "41/chat,");
  assert.equal(s.sink.closed, false, "the main namespace is still connected");
  s.engine.receiveText('42["msg","c"]');
  s.socket.disconnect();
  assert.ok(s.sink.closed, "the last namespace closes the connection");
  assert.deepEqual(seen, ["chat connect", "chat a", "main b", "main c"]);
});

test("namespaces: a namespace that never answers fails with a timeout of its own", () => {
  const s = session();
  s.connect();
  const slow = s.socket.of("/slow");
  const errors: string[] = [];
  slow.on("connect_error", (e: { reason: string }) => errors.push(e.reason));
  for (let i = 0; i < 10; i++) {
    s.clock.advance(1_000);
    s.engine.receiveText("2"); // the server keeps pinging: the connection itself is healthy
  }
  assert.deepEqual(errors, ["timeout"]);
  assert.equal(s.socket.connected, true);
});

test("binary: typed arrays nested in the arguments go out as attachments; incoming ones are reassembled", () => {
  const s = session();
  s.connect();
  s.socket.emit("upload", { name: "a", data: new Uint8Array([1, 2, 3]) }, new Uint8Array([4]).buffer);
  assert.equal(s.sink.text.at(-1), '452-["upload",{"name":"a","data":{"_placeholder":true,"num":0}},{"_placeholder":true,"num":1}]');
  assert.deepEqual(s.sink.binary.map((b) => [...new Uint8Array(b)]), [[1, 2, 3], [4]]);
  const got: unknown[] = [];
  s.socket.on("download", (meta: unknown, bytes: ArrayBuffer) => got.push(meta, [...new Uint8Array(bytes)]));
  s.engine.receiveText('451-["download",{"n":1},{"_placeholder":true,"num":0}]');
  s.engine.receiveBinary(new Uint8Array([9, 8]).buffer);
  assert.deepEqual(got, [{ n: 1 }, [9, 8]]);
});

test("hostile input: an ack for an id never sent, and attachments that never arrive, are counted by reason", () => {
  const s = session();
  s.connect();
  s.engine.receiveText('4399["nobody asked"]');
  assert.ok(s.metrics.events.includes("decodeError:unknown_ack"));
  const got: string[] = [];
  s.socket.on("ok", () => got.push("ok"));
  s.engine.receiveText('451-["bin",{"_placeholder":true,"num":0}]'); // announces one attachment…
  s.engine.receiveText('42["ok"]'); // …and sends text instead
  s.engine.receiveText('42["ok"]');
  assert.ok(s.metrics.events.includes("decodeError:attachments"), s.metrics.events.join(","));
  assert.deepEqual(got, ["ok", "ok"], "the broken binary packet is dropped, the text packet that exposed it is kept");
  s.engine.receiveText('42["ev",{"a":'); // truncated JSON
  s.engine.receiveText("42[not json]");
  assert.equal(s.metrics.count("decodeError:socket_packet"), 2);
  s.engine.receiveText("8nope"); // not an Engine.IO packet type
  assert.ok(s.metrics.events.includes("decodeError:engine_frame"));
  assert.equal(s.socket.connected, true, "none of it closes the connection");
});

test("Socket.IO v2: no CONNECT for / (the server connects it), auth as the namespace query for others", () => {
  const s = session({ token: "t" });
  s.engine.start();
  s.engine.receiveText('0{"sid":"V3","upgrades":[],"pingInterval":25000,"pingTimeout":5000}');
  assert.deepEqual(s.sink.text, [], "nothing sent for /");
  s.engine.receiveText("40");
  assert.equal(s.socket.connected, true);
  const custom = s.socket.of("/custom", { auth: { token: "a b" } });
  assert.equal(s.sink.text.at(-1), "40/custom?token=a%20b,", "socket.io-parser ends the namespace with a comma, which v2 servers accept");
  s.engine.receiveText("40/custom");
  assert.equal(custom.connected, true);
  s.engine.receiveText('44/other,"Not authorized"');
  assert.equal(s.logs.length, 1, "a packet for a namespace never joined is still reported");
});

test("socket.io 3.x (no maxPayload, silent until asked): v4 CONNECT with auth after V3_EVIDENCE_MS, and its sid settles v4", () => {
  const s = session({ token: "t" });
  s.engine.start();
  s.clock.advance(3);
  s.engine.receiveText('0{"sid":"E3","upgrades":[],"pingInterval":25000,"pingTimeout":20000}');
  assert.deepEqual(s.sink.text, []);
  s.clock.advance(V3_EVIDENCE_MS);
  assert.deepEqual(s.sink.text, ['40{"token":"t"}']);
  s.clock.advance(5);
  s.engine.receiveText('40{"sid":"N3"}');
  assert.equal(s.socket.connected, true);
  assert.deepEqual(s.metrics.connectDurations, [8], "the client's own wait for evidence is not the server's connect time");
  assert.equal(s.socket.handshake?.eio3, false);
  assert.equal(s.engine.protocolAssumed, false);
});

test("a Socket.IO v2 server slower than V3_EVIDENCE_MS to connect /: its CONNECT without sid switches the connection to v3", () => {
  const s = session();
  s.engine.start();
  s.engine.receiveText('0{"sid":"V3","upgrades":[],"pingInterval":1000,"pingTimeout":500}');
  s.clock.advance(V3_EVIDENCE_MS);
  s.engine.receiveText("40");
  assert.equal(s.socket.connected, true);
  assert.equal(s.socket.handshake?.eio3, true);
  s.clock.advance(1000);
  assert.equal(s.sink.text.at(-1), "2", "the client pings as v3 wants");
});

test("emitWithAck: acks with different timeouts each expire at their own deadline, from one sweep timer", () => {
  const s = session();
  s.connect();
  const seen: string[] = [];
  const start = s.clock.now();
  s.socket.request("slow", [], (o) => seen.push(`slow:${o.ok ? "ok" : o.reason}@${s.clock.now() - start}`), { timeout: 1000 });
  s.socket.request("fast", [], (o) => seen.push(`fast:${o.ok ? "ok" : o.reason}@${s.clock.now() - start}`), { timeout: 200 });
  s.socket.request("acked", [], (o) => seen.push(`acked:${o.ok ? "ok" : o.reason}@${s.clock.now() - start}`), { timeout: 300 });
  s.clock.advance(100);
  s.engine.receiveText("432[]");
  s.clock.advance(2000);
  assert.deepEqual(seen, ["acked:ok@100", "fast:timeout@200", "slow:timeout@1000"]);
});

test("emitWithAck: a thousand settled emits leave no pending timers behind", () => {
  const s = session();
  s.connect();
  let acked = 0;
  for (let i = 0; i < 1000; i++) {
    s.socket.request("echo", [i], (o) => (acked += o.ok ? 1 : 0), { timeout: 500 });
    s.engine.receiveText(`43${i}[${i}]`);
  }
  assert.equal(acked, 1000);
  assert.ok(s.clock.pending <= 3, `one sweep timer (plus heartbeat and connect bounds), got ${s.clock.pending}`);
});

test("a missing ack says 'check the name' only for an event the server never acked in this VU", () => {
  const s = session();
  s.connect();
  s.socket.request("never_acked_evt", [], () => undefined, { timeout: 100 });
  s.clock.advance(100);
  assert.match(s.logs.join("\n"), /no ack for 'never_acked_evt' within 100 ms .*has not acked 'never_acked_evt' in this VU yet: .*check the name/);
  s.socket.request("acked_then_not", [], () => undefined, { timeout: 100 });
  s.engine.receiveText('431[{"ok":true}]');
  s.socket.request("acked_then_not", [], () => undefined, { timeout: 100 });
  s.clock.advance(100);
  const line = s.logs.find((l) => l.includes("no ack for 'acked_then_not'"));
  assert.match(line ?? "", /acked 'acked_then_not' before in this VU, so its handler exists: this time it raised/);
  assert.doesNotMatch(line ?? "", /check the name/);
});
