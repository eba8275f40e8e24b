// The risks contract (src/contracts/risks.ts): JSON parsing, payload paths, reference classes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ContractError } from "../../src/contracts/contract.ts";
import { readMembers, readVersion, referenceRisks, risksFromJson, view } from "../../src/contracts/risks.ts";

const mimic = {
  name: "engine-mimic",
  connection: { namespace: "/play", auth: { token: "${player.token}" }, players: { jwt: { secretEnv: "JWT_SECRET", claims: { sub: "${player.id}" } } } },
  join: { event: "enter_table", args: [{ game_id: "${game}" }], reply: { events: ["table_entered", "error"] }, classes: { accepted: { event: "table_entered" }, error: { event: "error" } } },
  act: { event: "submit_move", args: [{ game_id: "${game}" }], reply: { events: ["move_applied", "move_rejected", "error"] }, classes: { accepted: { event: "move_applied" }, refused: { event: "move_rejected" }, error: { event: "error" } } },
  state: { request: { event: "get_state", args: [{ game_id: "${game}" }], reply: { events: ["game_state", "error"] }, classes: { accepted: { event: "game_state" }, error: { event: "error" } } }, version: "data.version", members: "data.players" },
  stats: { url: "/stats", fields: ["games", "sessions"] },
};

test("a JSON risks contract parses; absent parts stay absent", () => {
  const c = risksFromJson(mimic, "m.json");
  assert.equal(c.act?.exclusive, false);
  assert.equal(c.prepare, undefined);
  assert.equal(c.broadcasts, undefined);
  assert.deepEqual(c.stats, { url: "/stats", fields: ["games", "sessions"] });
  const cls = c.act!.classify({ event: "move_rejected", args: [{ reason: "x" }], data: { reason: "x" } }, { player: { id: "p" }, game: "g", round: { n: 0 } });
  assert.equal(cls, "refused");
});

test("unknown fields and bad paths are ContractErrors naming the place", () => {
  assert.throws(() => risksFromJson({ ...mimic, extra: 1 }, "m.json"), (e: unknown) => e instanceof ContractError && /extra: unknown field/.test(e.message));
  assert.throws(() => risksFromJson({ ...mimic, stats: { url: "/s", fields: ["a..b"] } }, "m.json"), ContractError);
  assert.throws(() => risksFromJson({ ...mimic, stats: { url: "http://elsewhere/stats", fields: ["a"] } }, "m.json"), /stats.url must be a path on the target's origin/);
  assert.throws(() => risksFromJson({ ...mimic, state: { ...mimic.state, version: "version" } }, "m.json"), /state.version must be a path such as "data.round_id"/);
  assert.throws(() => risksFromJson({ ...mimic, broadcasts: { left: { event: "gone" } } }, "m.json"), /broadcasts.left.user must be the path/);
});

test("version and member paths read numbers and ids; anything else is undefined", () => {
  const v = (data: unknown) => view("game_state", [data]);
  assert.equal(readVersion(v({ state: { version: 7 } }), { version: "data.state.version" }), 7);
  assert.equal(readVersion(v({ state: { version: "12" } }), { version: "data.state.version" }), 12);
  assert.equal(readVersion(v(undefined), { version: "data.version" }), undefined);
  assert.deepEqual(readMembers(v({ players: [{ id: "a" }, { id: 2 }] }), { members: "data.players", memberId: "id" }), ["a", "2"]);
  assert.equal(readMembers(v({ players: "a" }), { members: "data.players" }), undefined);
  assert.equal(readMembers(v({ players: [{ id: {} }] }), { members: "data.players", memberId: "id" }), undefined);
});

test("reference classes: an ack with no arguments fits no class (a mismatch), never a TypeError", () => {
  const ctx = { player: { id: "p" }, game: "g", round: { n: 0 } };
  assert.equal(referenceRisks.act!.classify({ event: undefined, args: [], data: undefined }, ctx), undefined);
  assert.equal(referenceRisks.act!.classify({ event: undefined, args: [{ ok: false, error: "NO_PENDING_ROLL" }], data: { ok: false, error: "NO_PENDING_ROLL" } }, ctx), "refused");
});
