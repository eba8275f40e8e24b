// The game-room contract model: JSON parsing names the bad field, paths read nested answers,
// HTTP answers are judged as the contract's fault or the server's.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { root } from "../../scripts/lib.mjs";
import { gameRoomFromJson, gameRoomPresets, read } from "../../src/contracts/game-room";
import { judge, oneLine, refreshCookies } from "../../src/kit/http-answer";

const seed = JSON.parse(readFileSync(join(root, "test", "fixtures", "game-room-seed.json"), "utf8"));

test("the presets and the fixture parse; absent or false steps are off", () => {
  assert.equal(gameRoomPresets.reference!.rooms.create?.by, "player");
  assert.equal(gameRoomPresets["cookie-session"]!.rooms.create?.code, "game_code");
  const c = gameRoomFromJson(seed, "seed.json");
  assert.equal(c.events.turn.sentAt, "clock.sent");
  assert.equal(c.rooms.enter?.token, "seat.ticket");
  const off = gameRoomFromJson({ ...seed, events: { ...seed.events, presence: false, typing: undefined } }, "off.json");
  assert.equal(off.events.presence, undefined);
  assert.equal(off.events.typing, undefined);
});

test("a bad contract names the place", () => {
  const bad = (change: (c: typeof seed) => void) => {
    const c = structuredClone(seed);
    change(c);
    return () => gameRoomFromJson(c, "x.json");
  };
  assert.throws(bad((c) => delete c.events.turn), /x\.json: events\.turn is required/);
  assert.throws(bad((c) => (c.events.join.confrim = "a")), /events\.join\.confrim: unknown field/);
  assert.throws(bad((c) => delete c.rooms.create.code), /rooms\.create\.code/);
  assert.throws(bad((c) => (c.rooms.create.by = "me")), /rooms\.create\.by must be "player"/);
  assert.throws(bad((c) => (c.rooms.enter.path = "api")), /rooms\.enter\.path must start with "\/"/);
  assert.throws(bad((c) => (c.events.turn.args = { a: 1 })), /events\.turn\.args must be an array/);
  assert.throws(bad((c) => (c.events.join.confirm = "ack")), /events\.join: with "confirm": "ack", name the room event .* in "broadcast"/);
});

test("paths read nested answers; a missing step is undefined", () => {
  assert.equal(read({ data: { room: { code: "AB" } } }, "data.room.code"), "AB");
  assert.equal(read({ players: [{ id: "p" }] }, "players.0.id"), "p");
  assert.equal(read({ data: null }, "data.room.code"), undefined);
  assert.equal(read(undefined, "a"), undefined);
});

test("HTTP answers: malformed requests are the contract's, other refusals the server's", () => {
  assert.equal(judge(200, ""), "ok");
  for (const s of [400, 404, 405, 422]) assert.equal(judge(s, ""), "mismatch");
  assert.equal(judge(403, '{"error":"room_code required"}'), "mismatch");
  assert.equal(judge(401, "log in first"), "fault");
  assert.equal(judge(409, "room is full"), "fault");
  assert.equal(judge(500, "missing"), "fault");
  assert.equal(oneLine("<html><head><style>b{}</style></head><body><h1>Not\n Found</h1></body></html>"), "Not Found");
  assert.match(oneLine("x".repeat(300)), /… \(300 chars\)$/);
  assert.equal(refreshCookies("sid=old; csrf_token=t", { sid: [{ value: "new" }] }), "sid=old; csrf_token=t".replace("old", "new"));
  assert.equal(refreshCookies(undefined, {}), undefined);
});
