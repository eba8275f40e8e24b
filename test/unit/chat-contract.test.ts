// The chat contract's JSON form: where a broadcast's fields are read, how times parse, and a
// contract that cannot work stopping at load naming the place.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { chatFromJson, parseTime, readPath, referenceChat } from "../../src/contracts/chat";

const mimic = JSON.parse(readFileSync(new URL("../fixtures/chat-mimic.json", import.meta.url), "utf8"));

test("parseTime: ISO with and without zone (naive is UTC), epoch seconds and ms, numeric strings", () => {
  assert.equal(parseTime("2026-01-02T03:04:05.500Z"), Date.UTC(2026, 0, 2, 3, 4, 5, 500));
  assert.equal(parseTime("2026-01-02T03:04:05.500"), Date.UTC(2026, 0, 2, 3, 4, 5, 500));
  assert.equal(parseTime("2026-01-02T05:04:05+02:00"), Date.UTC(2026, 0, 2, 3, 4, 5));
  assert.equal(parseTime(1_767_323_045), 1_767_323_045_000);
  assert.equal(parseTime(1_767_323_045_123), 1_767_323_045_123);
  assert.equal(parseTime("1767323045"), 1_767_323_045_000);
  assert.equal(parseTime("yesterday"), undefined);
  assert.equal(parseTime(undefined), undefined);
});

test("readPath: objects and argument indexes", () => {
  assert.equal(readPath({ data: { m: { at: 1 } } }, "data.m.at"), 1);
  assert.equal(readPath({ args: [{}, { id: "x" }] }, "args.1.id"), "x");
  assert.equal(readPath({ data: null }, "data.x"), undefined);
});

test("the mimic's contract: joins, sends and broadcasts classified and read; unreadable ones are undefined", () => {
  const c = chatFromJson(mimic, "chat-mimic.json");
  const ctx = { player: { id: "u1", index: 0 }, conversation: { id: "c1" }, message: { id: "0-1", text: "hi [k6 0-1@5]", sentAt: 5 } };
  assert.deepEqual(c.send.args(ctx), [{ conversation_id: "c1", content: "hi [k6 0-1@5]" }]);
  const ack = (data: unknown) => ({ event: undefined, args: data === undefined ? [] : [data], data });
  assert.equal(c.join.classify(ack({ success: true }), ctx), "accepted");
  assert.equal(c.send.classify(ack({ success: false, error: "rate_limited" }), ctx), "refused");
  assert.equal(c.send.classify(ack({ success: false, error: "invalid_request" }), ctx), "error");
  assert.equal(c.send.classify(ack(undefined), ctx), undefined, "an ack with no arguments is a mismatch, not a TypeError");
  assert.equal(c.reason(ack({ success: false, error: "rate_limited" })), "rate_limited");
  assert.equal(c.joinConfirm?.confirms([{ conversation_id: "c1", user_id: "u1" }], ctx), true);
  assert.equal(c.message.identify, "marker");
  const b = c.message.read([{ id: "m", conversation_id: "c1", sender_id: "u2", content: "x [k6 1-2@9]", created_at: "2026-01-02T03:04:05" }]);
  assert.deepEqual(b, { conversationId: "c1", text: "x [k6 1-2@9]", senderId: "u2", serverTime: Date.UTC(2026, 0, 2, 3, 4, 5) });
  assert.equal(c.message.read([{ conversation_id: "c1", content: "x" }]), undefined, "fails the shape (no id)");
  assert.equal(c.message.read([{ id: "m", conversation_id: "c1" }]), undefined, "no text");
  assert.equal(referenceChat.message.read([]), undefined);
});

test("a contract that cannot work stops at load, naming the place", () => {
  const bad = (patch: (o: any) => void) => {
    const o = structuredClone(mimic);
    patch(o);
    return () => chatFromJson(o, "c.json");
  };
  assert.throws(bad((o) => delete o.message.conversation), /c\.json: message\.conversation must say where/);
  assert.throws(bad((o) => delete o.message.text), /give "id" .* or "text"/);
  assert.throws(bad((o) => { o.message.latency = "server"; delete o.message.serverTime; }), /latency "server" needs "serverTime"/);
  assert.throws(bad((o) => (o.join.classes.maybe = {})), /join\.classes\.maybe: unknown class/);
  assert.throws(bad((o) => (o.mesage = {})), /mesage: unknown field/);
  assert.throws(bad((o) => (o.leave.reply = "sometimes")), /leave\.reply/);
});
