// The EVENT/ACK fast path in codec.ts must produce exactly what socket.io-parser produces, and
// must hand every frame it does not fully understand back to socket.io-parser.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Decoder, Encoder, type Packet } from "socket.io-parser";
import { decodePacket } from "engine.io-parser";
import { decodeEngineFrame, decodeTextEventOrAck, encodeTextEventOrAck, SocketDecoder } from "../../src/socketio/protocol/codec";

const reference = new Encoder();

function parserDecode(frame: string): Packet | Error {
  const decoder = new Decoder();
  let out: Packet | Error = new Error("nothing decoded");
  decoder.on("decoded", (p: Packet) => (out = p));
  try {
    decoder.add(frame);
  } catch (err) {
    out = err as Error;
  }
  return out;
}

const payloads: unknown[][] = [
  ["echo", 1],
  ["echo"],
  ["chat", { text: "héllo \"quoted\" \\ \u2028", n: [1, 2, { deep: null }] }],
  ["when", new Date(0)],
  ["nested", { toJSON: () => ({ a: 1 }) }],
  [42, "numeric event name"],
  [],
  ["undefined inside", undefined, { u: undefined }],
];

test("encode: text EVENT and ACK packets are byte-identical to socket.io-parser's", () => {
  for (const nsp of ["/", "/game", "/a,b"]) {
    for (const data of payloads) {
      for (const id of [undefined, 0, 7, 123456]) {
        for (const type of [2, 3] as const) {
          const packet = { type, nsp, data, ...(id === undefined ? {} : { id }) } as Packet;
          const expected = reference.encode(packet);
          assert.equal(expected.length, 1);
          assert.equal(encodeTextEventOrAck(packet), expected[0], JSON.stringify(packet));
        }
      }
    }
  }
});

test("encode: binary anywhere, and other packet types, are left to socket.io-parser", () => {
  const bin = new Uint8Array([1, 2]);
  for (const data of [["b", bin], ["b", { x: [bin.buffer] }], ["b", { toJSON: () => ({ y: bin }) }]]) {
    assert.equal(encodeTextEventOrAck({ type: 2, nsp: "/", data }), undefined);
  }
  assert.equal(encodeTextEventOrAck({ type: 0, nsp: "/", data: { token: "t" } }), undefined);
  assert.equal(encodeTextEventOrAck({ type: 1, nsp: "/" }), undefined);
});

test("decode: every frame the fast path takes decodes as socket.io-parser decodes it", () => {
  const frames = [
    '2["echo",1]',
    '21["echo",1]',
    '2/game,["echo",{"a":[1,2]}]',
    '2/game,17["echo"]',
    "312[1,2,3]",
    '3/chat,0[{"ok":true}]',
    '2[42,"x"]',
    '2["x"]',
  ];
  for (const frame of frames) {
    const fast = decodeTextEventOrAck(frame);
    assert.ok(fast, `fast path takes ${frame}`);
    assert.deepEqual(fast, { ...(parserDecode(frame) as Packet) }, frame);
  }
});

test("decode: frames the fast path declines are errors or other packets for socket.io-parser", () => {
  const declined = [
    '0{"sid":"x"}',
    "1",
    '4{"message":"no"}',
    '51-["b",{"_placeholder":true,"num":0}]',
    '2["connect"]', // reserved event name: socket.io-parser rejects it
    '2{"not":"array"}',
    "2[broken",
    '2/no-comma["x"]',
    "2",
    "3",
    "2[]",
    '2[null,"x"]',
    "9junk",
    "",
  ];
  for (const frame of declined) assert.equal(decodeTextEventOrAck(frame), undefined, frame);
});

test("SocketDecoder: text frames during a binary packet still go through socket.io-parser's reconstruction", () => {
  const decoder = new SocketDecoder();
  assert.equal(decoder.add('51-["b",{"_placeholder":true,"num":0}]'), null, "awaiting one attachment");
  // A text EVENT while the attachment is awaited: the broken binary packet is dropped, this one kept.
  const next = decoder.add('2["after",1]');
  assert.deepEqual(next, { type: 2, nsp: "/", data: ["after", 1] });
  assert.ok(decoder.takeDropped(), "the incomplete binary packet is reported");
  // And the fast path is back once nothing is awaited.
  assert.deepEqual(decoder.add('21["x"]'), { type: 2, nsp: "/", data: ["x"], id: 1 });
  const bin = decoder.add('61-3[{"_placeholder":true,"num":0}]');
  assert.equal(bin, null);
  const done = decoder.add(new Uint8Array([9]).buffer);
  assert.ok(done && !(done instanceof Error) && done.type === 3 && done.id === 3);
});

test("decodeEngineFrame: text messages decode as engine.io-parser decodes them", () => {
  for (const frame of ['42["x",1]', "4a", "4", "2", "3probe", "6", '0{"sid":"s"}', "bAQID"]) {
    const ours = decodeEngineFrame(frame);
    const theirs = decodePacket(frame, "arraybuffer");
    assert.deepEqual(ours, theirs.type === "error" ? null : theirs, frame);
  }
});
