// Malformed packets a server may send: each is counted under a reason and dropped, nothing
// reaches a listener, and the socket keeps working (issue 13: `42` used to throw in onEvent).
import assert from "node:assert/strict";
import { test } from "node:test";
import { msgpackParser } from "../../src/socketio/msgpack";
import { packetProblem } from "../../src/socketio/protocol/packet-shape";
import { HANDSHAKE_BOUNDS, parseHandshake, type Handshake } from "../../src/socketio/protocol/handshake";
import type { SocketPacket } from "../../src/socketio/protocol/codec";
import { OPEN, protocolRig } from "../helpers/fakes";

function connected() {
  const rig = protocolRig();
  const socket = rig.connection.socket("/");
  rig.engine.start();
  rig.engine.receiveText(OPEN);
  rig.engine.receiveText('40{"sid":"N1"}');
  const seen: string[] = [];
  socket.on("ok", (...args: unknown[]) => seen.push(`ok:${JSON.stringify(args)}`));
  for (const reserved of ["connect", "disconnect", "connect_error", "undefined", "null"]) socket.on(reserved, () => seen.push(reserved));
  return { ...rig, socket, seen };
}

test("short and shapeless EVENT/ACK text frames are counted as socket_packet and dropped; the socket goes on", () => {
  const frames = ["42", "421", "42/", "42/,", "42/chat", '42[]', "42{}", '42[null]', '42[{"a":1}]', '42["connect"]', "43", '43["no id"]', '4399999999999999999999["x"]', '4212345678901234567890["ok"]'];
  const s = connected();
  for (const frame of frames) assert.doesNotThrow(() => s.engine.receiveText(frame), frame);
  s.engine.receiveText('42["ok",1]');
  assert.deepEqual(s.seen, ["ok:[1]"], "no listener saw a malformed packet");
  assert.equal(s.metrics.count("decodeError"), frames.length, s.metrics.events.join("\n"));
  assert.ok(s.metrics.events.filter((e) => e.startsWith("decodeError")).every((e) => /socket_packet|unknown_ack/.test(e)));
  assert.equal(s.socket.connected, true);
});

test("a BINARY_EVENT with no data, and attachment counts that do not match, are counted and dropped", () => {
  const s = connected();
  s.engine.receiveText("451-");
  s.engine.receiveBinary(new Uint8Array([1, 2]).buffer);
  s.engine.receiveText('452-["ok",{"_placeholder":true,"num":0}]');
  s.engine.receiveBinary(new Uint8Array([1]).buffer);
  s.engine.receiveText('461-[{"_placeholder":true,"num":3}]'); // refers to an attachment beyond its count
  s.engine.receiveBinary(new Uint8Array([1]).buffer);
  s.engine.receiveText('4511-["ok"]'); // more attachments than socket.io-parser accepts
  s.engine.receiveBinary(new Uint8Array([9]).buffer); // binary with no packet awaiting it
  s.engine.receiveText('42["ok",2]');
  assert.deepEqual(s.seen, ["ok:[2]"]);
  assert.ok(s.metrics.count("decodeError") >= 5, s.metrics.events.join("\n"));
});

test("an ACK without arguments is an ack with none, as socket.io-client reads it", () => {
  const s = connected();
  const outcomes: unknown[] = [];
  s.socket.request("q", [], (o) => outcomes.push(o.ok && o.args), { timeout: 500 });
  s.engine.receiveText("430");
  assert.deepEqual(outcomes, [[]]);
  assert.equal(s.metrics.count("decodeError"), 0);
});

test("CONNECT replies with odd payloads: null is a reply without sid, a list or a number is dropped", () => {
  const s = protocolRig();
  const socket = s.connection.socket("/");
  s.engine.start();
  s.engine.receiveText(OPEN);
  const shapes: SocketPacket[] = [
    { type: 0, nsp: "/", data: [1] },
    { type: 0, nsp: "/", data: 5 },
    { type: 2, nsp: 7 as unknown as string, data: ["ok"] },
    { type: 9 as SocketPacket["type"], nsp: "/", data: ["ok"] },
  ];
  for (const p of shapes) assert.ok(packetProblem(p), JSON.stringify(p));
  s.engine.receiveText('40[1]');
  assert.equal(socket.connected, false);
  assert.equal(s.metrics.count("decodeError"), 1);
  assert.equal(packetProblem({ type: 0, nsp: "/", data: null }), undefined);
  assert.equal(packetProblem({ type: 1, nsp: "/", data: null }), undefined);
  assert.equal(packetProblem({ type: 4, nsp: "/", data: 42 }), undefined, "a refusal is a refusal, whatever it says");
});

test("msgpack: python-socketio's DISCONNECT with data nil ends the namespace like any DISCONNECT", () => {
  // In Node, notepack decodes Buffers (the bundle's browser build takes the ArrayBuffers k6 gives).
  const frame = (p: unknown) => Buffer.from(msgpackParser.encode(p as SocketPacket)[0] as ArrayBuffer) as unknown as ArrayBuffer;
  const decoder = msgpackParser.decoder();
  assert.deepEqual(decoder.add(frame({ type: 1, data: null, nsp: "/" })), { type: 1, nsp: "/" });
  assert.deepEqual(decoder.add(frame({ type: 0, data: null, nsp: "/" })), { type: 0, nsp: "/" });
  assert.ok(decoder.add(frame({ type: 1, data: [1], nsp: "/" })) instanceof Error, "a DISCONNECT with real data is still refused");
  const shapeless = decoder.add(frame({ type: 2, data: [], nsp: "/" }));
  assert.ok(!(shapeless instanceof Error) && shapeless && packetProblem(shapeless), "an EVENT without a name passes the package, not the shape check");

  const rig = protocolRig({ parser: msgpackParser });
  const socket = rig.connection.socket("/");
  const reasons: string[] = [];
  socket.on("disconnect", (r) => reasons.push(r));
  rig.engine.start();
  rig.engine.receiveText(OPEN);
  rig.engine.receiveBinary(frame({ type: 0, data: { sid: "N1" }, nsp: "/" }));
  rig.engine.receiveBinary(frame({ type: 1, data: null, nsp: "/" }));
  assert.deepEqual(reasons, ["io server disconnect"]);
});

test("open packet: timer values are bounded, pingInterval 0 is accepted, wrong types are named", () => {
  const hs = (o: Record<string, unknown>) => parseHandshake(JSON.stringify({ sid: "S", upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1e6, ...o }));
  const zero = hs({ pingInterval: 0 }) as Handshake;
  assert.equal(zero.pingInterval, 0);
  assert.equal(zero.adjusted, undefined, "python-engineio's 0 is not an error");
  for (const huge of [9e15, 1e308]) {
    const h = hs({ pingInterval: huge, pingTimeout: huge }) as Handshake;
    assert.equal(h.pingInterval, HANDSHAKE_BOUNDS.pingInterval.max);
    assert.equal(h.pingTimeout, HANDSHAKE_BOUNDS.pingTimeout.max);
    assert.ok(h.pingInterval + h.pingTimeout < 2 ** 31 - 1, "every timer stays below the 32-bit overflow");
    assert.match(h.adjusted!, /pingInterval .* capped/);
  }
  assert.match((hs({ upgrades: "websocket" }) as Handshake).adjusted!, /upgrades is string/);
  assert.match((hs({ upgrades: [1, "websocket"] }) as Handshake).adjusted!, /non-strings/);
  assert.match((hs({ maxPayload: -1 }) as Handshake).adjusted!, /maxPayload/);
  for (const bad of [{ sid: 5 }, { sid: "" }, { pingInterval: -1 }, { pingInterval: "25000" }, { pingTimeout: null }]) assert.equal(typeof hs(bad), "string", JSON.stringify(bad));
  assert.equal(typeof parseHandshake("[1,2]"), "string");
});

test("a huge pingInterval is counted once as open_packet and arms no runaway timer", () => {
  const rig = protocolRig();
  rig.connection.socket("/");
  rig.engine.start();
  rig.engine.receiveText('0{"sid":"S","upgrades":[],"pingInterval":1e308,"pingTimeout":9e15,"maxPayload":1000}');
  assert.ok(rig.metrics.events.includes("decodeError:open_packet"), rig.metrics.events.join("\n"));
  assert.equal(rig.engine.state, "open");
  assert.ok(rig.clock.pending <= 3, `timers pending: ${rig.clock.pending}`);
});

test("pingInterval 0: the server's pingTimeout alone bounds the wait for the next ping", () => {
  const rig = protocolRig();
  rig.connection.socket("/");
  rig.engine.start();
  rig.engine.receiveText('0{"sid":"S","upgrades":[],"pingInterval":0,"pingTimeout":500,"maxPayload":1000}');
  rig.engine.receiveText('40{"sid":"N1"}');
  rig.clock.advance(400);
  rig.engine.receiveText("2");
  rig.clock.advance(400);
  assert.equal(rig.engine.state, "open");
  rig.clock.advance(200);
  assert.equal(rig.engine.state, "closed");
});

test("a packet whose handling throws ends only its own connection, as a counted 'parse error'", () => {
  const s = connected();
  const reasons: string[] = [];
  s.socket.on("disconnect", (r) => reasons.push(r));
  // Both paths: the per-message one (text EVENT/ACK) and the general one (every other packet).
  s.socket.receive = s.socket.receiveEvent = s.socket.receiveAck = () => {
    throw new TypeError("a library bug");
  };
  assert.doesNotThrow(() => s.engine.receiveText('42["ok"]'));
  assert.deepEqual(reasons, ["parse error"]);
  assert.ok(s.metrics.events.includes("decodeError:socket_packet"));
  assert.ok(s.sink.closed);
});
