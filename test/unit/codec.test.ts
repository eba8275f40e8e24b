import assert from "node:assert/strict";
import { test } from "node:test";
import {
  decodeEngineFrame,
  decodePollingBody,
  decodePollingBodyV3,
  encodeEngineText,
  encodePollingBody,
  encodePollingBodyV3,
  encodeSocketPacket,
  isPollingBodyV3,
  PacketType,
  SocketDecoder,
} from "../../src/socketio/protocol/codec";

test("engine frames: text packets decode by their type digit", () => {
  assert.deepEqual(decodeEngineFrame("2"), { type: "ping" });
  assert.deepEqual(decodeEngineFrame("2probe"), { type: "ping", data: "probe" });
  assert.deepEqual(decodeEngineFrame('42["ev",1]'), { type: "message", data: '2["ev",1]' });
  assert.equal(decodeEngineFrame("9nonsense"), null);
  assert.equal(decodeEngineFrame(""), null);
});

test("engine frames: text packets encode with their type digit", () => {
  assert.equal(encodeEngineText("pong"), "3");
  assert.equal(encodeEngineText("ping", "probe"), "2probe");
  assert.equal(encodeEngineText("upgrade"), "5");
  assert.equal(encodeEngineText("message", '0{"token":"t"}'), '40{"token":"t"}');
});

test("polling bodies: packets are joined by the record separator", () => {
  const body = encodePollingBody([
    { type: "message", data: "0" },
    { type: "pong" },
  ]);
  assert.equal(body, "40\x1e3");
  assert.deepEqual(decodePollingBody('0{"sid":"x"}\x1e40{"sid":"y"}'), [
    { type: "open", data: '{"sid":"x"}' },
    { type: "message", data: '0{"sid":"y"}' },
  ]);
  assert.equal(decodePollingBody("40\x1e~~"), null, "one bad packet rejects the body");
});

test("socket packets: events, acks and namespaces encode as Socket.IO v5 text", () => {
  assert.deepEqual(encodeSocketPacket({ type: PacketType.CONNECT, nsp: "/" }), ["0"]);
  assert.deepEqual(encodeSocketPacket({ type: PacketType.CONNECT, nsp: "/chat", data: { token: "t" } }), ['0/chat,{"token":"t"}']);
  assert.deepEqual(encodeSocketPacket({ type: PacketType.EVENT, nsp: "/", id: 12, data: ["ev", 1] }), ['212["ev",1]']);
  assert.deepEqual(encodeSocketPacket({ type: PacketType.ACK, nsp: "/chat", id: 3, data: ["ok"] }), ['3/chat,3["ok"]']);
  assert.deepEqual(encodeSocketPacket({ type: PacketType.DISCONNECT, nsp: "/" }), ["1"]);
});

test("socket packets: a typed array becomes a placeholder plus an ArrayBuffer of exactly its bytes", () => {
  const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
  const view = backing.subarray(2, 5);
  const frames = encodeSocketPacket({ type: PacketType.EVENT, nsp: "/", data: ["up", view] });
  assert.equal(frames.length, 2);
  assert.equal(frames[0], '51-["up",{"_placeholder":true,"num":0}]');
  assert.ok(frames[1] instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(frames[1] as ArrayBuffer)], [1, 2, 3]);
});

test("decoder: returns packets, reassembles binary attachments", () => {
  const d = new SocketDecoder();
  assert.deepEqual(d.add('2["ev",{"a":1}]'), { type: PacketType.EVENT, nsp: "/", data: ["ev", { a: 1 }] });
  assert.equal(d.add('51-["bin",{"_placeholder":true,"num":0}]'), null, "waits for the attachment");
  const packet = d.add(new Uint8Array([7, 8]).buffer);
  assert.ok(packet && !(packet instanceof Error));
  assert.equal(packet.type, PacketType.EVENT, "socket.io-parser reports the reassembled packet as an EVENT");
  assert.deepEqual([...new Uint8Array((packet.data as [string, ArrayBuffer])[1])], [7, 8]);
});

test("decoder: bad input is returned as an Error and the next packet still decodes", () => {
  const d = new SocketDecoder();
  for (const bad of ["9garbage", '2["ev"', "2{\"not\":\"an array\"}", "0/chat,[1]"]) {
    assert.ok(d.add(bad) instanceof Error, `rejects ${bad}`);
    assert.deepEqual(d.add('2["ok"]'), { type: PacketType.EVENT, nsp: "/", data: ["ok"] });
  }
  assert.ok(d.add(new ArrayBuffer(2)) instanceof Error, "an attachment nobody announced");
  assert.equal(d.add('51-["bin",{"_placeholder":true,"num":0}]'), null);
  assert.deepEqual(d.add('2["next"]'), { type: PacketType.EVENT, nsp: "/", data: ["next"] }, "text after a missing attachment is a new packet");
  assert.match(String(d.takeDropped()?.message), /plaintext/);
  assert.equal(d.takeDropped(), null);
  assert.deepEqual(d.add("1"), { type: PacketType.DISCONNECT, nsp: "/" });
});

test("Engine.IO v3 polling payloads: length-prefixed records, binary as b4+base64", () => {
  const body = '97:0{"sid":"8Ms-A78kfIu37tyhAAAA","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}2:40';
  assert.equal(isPollingBodyV3(body), true);
  assert.deepEqual(decodePollingBodyV3(body), ['0{"sid":"8Ms-A78kfIu37tyhAAAA","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000}', "40"]);
  assert.deepEqual(decodePollingBodyV3("6:b4AQID1:2"), ["bAQID", "2"]);
  assert.equal(decodePollingBodyV3("5:abc"), null, "a length past the end");
  assert.equal(decodePollingBodyV3("x:abc"), null);
  assert.equal(encodePollingBodyV3(['42["ev"]', "bAQID", "3"]), '8:42["ev"]6:b4AQID1:3');
  assert.equal(isPollingBodyV3('0{"sid":"x"}'), false);
});
