// The game-room flow fitted to a server by a contract file alone: test/peers/room_mimic.py
// --dialect seed speaks seed 001's game rooms in words none of which are ours (CSRF cookie,
// server-picked codes, an HTTP join with the code in its body, a rotated session cookie, a room
// ticket). One peer serves the green run, the mismatches and the setup failures; each seeded
// fault gets a peer of its own and must fail with a verdict line in words.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { root, startProcess } from "../../scripts/lib.mjs";
import { ensurePythonVenv } from "../../scripts/python-venv.mjs";
import { describe, runAgainst } from "../helpers/k6run.ts";

const ROOMS = { ROOMS: "2", ROOM_SIZE: "3", TURNS: "4", THINK_TIME_MS: "50", WAIT_TIMEOUT_MS: "2000" };
const fixture = join(root, "test", "fixtures", "game-room-seed.json");
const seed = JSON.parse(readFileSync(fixture, "utf8"));
const dir = mkdtempSync(join(tmpdir(), "k6sio-rooms-"));

/** The fixture with `change` applied, written to a file of its own. */
function variant(name: string, change: (c: typeof seed) => void): string {
  const c = structuredClone(seed);
  change(c);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(c));
  return file;
}

let python: string;
let peer: { url: string; stop(): Promise<void> };
const startPeer = (args: string[] = []) => startProcess(join(root, "test", "peers", "room_mimic.py"), ["--port", "0", "--dialect", "seed", ...args], { interpreter: python, timeoutMs: 30_000 });

before(async () => {
  python = ensurePythonVenv();
  peer = await startPeer();
});
after(async () => {
  await peer?.stop();
});

const run = (env: Record<string, string>, url = peer.url) => runAgainst("game-room", url, { env: { ...ROOMS, ...env }, timeoutMs: 90_000 });

test("seed-dialect rooms, contract file alone: login with a CSRF cookie, host-made rooms, HTTP join by body, every event by the contract: exit 0", async () => {
  const r = await run({ CONTRACT_FILE: fixture });
  assert.equal(r.code, 0, describe(r));
  assert.equal(r.metric("game_room_delivery")?.passes, 2 * 3 * 3 * 4, "every member saw every choice of every turn");
  assert.equal(r.metric("game_room_presence_correct")?.passes, 6);
  assert.equal(r.metric("game_room_presence_delivery")?.passes, 2 * 2 * 3, "composing, member_left, member_back reached the others");
  assert.equal(typeof r.metric("game_room_reconnect_sync_duration")?.["p(95)"], "number", "the rotated session cookie carried the reconnect");
  assert.equal(typeof r.metric("game_room_fanout_duration")?.["p(95)"], "number");
  assert.equal(r.metric("game_room_contract_mismatches")?.count, 0);
});

test("steps switched off (false) are not run and their thresholds are NOT JUDGED, never failed; a join confirmed by its ack; players from a users file", async () => {
  const users = join(dir, "users.csv");
  writeFileSync(users, `id\n${Array.from({ length: 3 }, (_, i) => `user-${i}`).join("\n")}\n`);
  const file = variant("no-presence", (c) => {
    c.connection.players = { file: users };
    c.events.join.confirm = "ack";
    c.events.join.broadcast = "member_entered";
    c.events.presence = false;
    c.events.typing = false;
    c.events.reconnect = false;
    delete c.events.turn.sentAt;
  });
  const r = await run({ CONTRACT_FILE: file });
  assert.equal(r.code, 0, describe(r));
  assert.equal(typeof r.metric("game_room_join_duration")?.["p(95)"], "number", "joins confirmed by their ack");
  assert.equal(r.metric("game_room_delivery")?.passes, 2 * 3 * 3 * 4, "the server's ids are the file's users, and the flow knows them");
  const out = r.stdout + r.stderr;
  assert.match(out, /players\.file has 3 users for 6 players: users are reused/, "the users file was read; each room holds user-0..2");
  for (const key of ["game_room_presence_correct", "game_room_reconnect_sync_duration", "game_room_fanout_duration", "game_room_presence_delivery"]) {
    assert.match(out, new RegExp(`- ${key} \\S+ +\\(not judged: `), `${key} declared not judged\n${describe(r)}`);
  }
});

test("a wrong entry path or body is a probable contract mismatch naming the step, the request and the answer, not a setup error", async () => {
  const path = await run({ CONTRACT_FILE: variant("enter-path", (c) => (c.rooms.enter.path = "/api/rooms/enter")) });
  assert.equal(path.code, 99, describe(path));
  assert.ok(path.failed.includes("game_room_contract_mismatches count==0"), describe(path));
  assert.ok(!path.failed.includes("game_room_setup_errors count==0"), describe(path));
  assert.match(path.stdout + path.stderr, /probable contract mismatch at HTTP step \\?"enter\\?" of contract \\?"seed-rooms\\?": POST http:\/\/127\.0\.0\.1:\d+\/api\/rooms\/enter \{\\?"room_code\\?":\\?"[A-Z]+\\?"\} answered 404: 404: Not Found;/);
  const body = await run({ CONTRACT_FILE: variant("enter-body", (c) => (c.rooms.enter.body = { code: "${room.code}" })) });
  assert.equal(body.code, 99, describe(body));
  assert.ok(body.failed.includes("game_room_contract_mismatches count==0"), describe(body));
  assert.match(body.stdout + body.stderr, /HTTP step \\?"enter\\?".* answered 400: \{\\?"error\\?": \\?"room_code required\\?"\}/);
  // A room event whose shape the contract misreads is a mismatch too, with the payload.
  const shape = await run({ CONTRACT_FILE: variant("turn-shape", (c) => (c.events.turn.playerId = "by.name")), WAIT_TIMEOUT_MS: "1000" });
  assert.equal(shape.code, 99, describe(shape));
  assert.ok(shape.failed.includes("game_room_contract_mismatches count==0"), describe(shape));
  assert.match(shape.stdout + shape.stderr, /contract mismatch: contract \\?"seed-rooms\\?" does not recognise move_made: .*a string at \\?"by\.name\\?"/);
});

test("setup() failures stop the run with one line naming the step, exit 108: room creation on a wrong path, the host's login refused or malformed", async () => {
  const create = await run({ CONTRACT_FILE: fixture, GAMES_API_PATH: "/api/nope" });
  assert.equal(create.code, 108, describe(create));
  assert.match(create.stdout + create.stderr, /game-room: setup step \\?"create\\?" failed: probable contract mismatch \(contract \\?"seed-rooms\\?", rooms\.create\): POST http:\/\/127\.0\.0\.1:\d+\/api\/nope \{\\?"capacity\\?":3\} answered 404/);
  const login = await run({ CONTRACT_FILE: variant("bad-secret", (c) => (c.connection.login.body.secret = "nope")) });
  assert.equal(login.code, 108, describe(login));
  assert.match(login.stdout + login.stderr, /game-room: setup step \\?"host login\\?" failed: contract \\?"seed-rooms\\?": the host .* could not log in/);
  // A login the server refuses as malformed (no CSRF token sent) is the contract's: a mismatch of step "login", secrets redacted.
  const csrf = await run({ CONTRACT_FILE: variant("no-csrf", (c) => delete c.connection.login.csrf) });
  assert.equal(csrf.code, 108, describe(csrf));
  assert.match(csrf.stdout + csrf.stderr, /probable contract mismatch at HTTP step \\?"login\\?" .*POST http:\/\/127\.0\.0\.1:\d+\/api\/auth\/login .*\\?"secret\\?":\\?"\[redacted\]\\?"\} answered 400: .*csrf token missing/);
  const bad = await run({ CONTRACT_FILE: variant("bad-field", (c) => (c.events.join.confrim = "x")) });
  assert.equal(bad.code, 107, describe(bad));
  assert.match(bad.stdout + bad.stderr, /events\.join\.confrim: unknown field/);
});

for (const [fault, threshold, words] of [
  ["lost-fanout", "game_room_delivery rate>0.999", /never received .*'s choice of turn 2 \(move_made\): the broadcast skipped a member/],
  ["no-sync", "game_room_timeouts count==0", /no reconnect sync within 2000 ms: the server sent no resume_state after resume, so a reconnecting player gets no state/],
  ["presence-stale", "game_room_presence_correct rate>0.999", /roster counts 2 members at \\?"online\.count\\?", the room has 3: stale presence/],
] as const) {
  test(`seed-dialect --fault ${fault}: ${threshold} fails, with a verdict line in words`, async () => {
    const faulty = await startPeer(["--fault", fault]);
    try {
      const r = await run({ CONTRACT_FILE: fixture }, faulty.url);
      assert.equal(r.code, 99, describe(r));
      assert.ok(r.failed.includes(threshold), describe(r));
      assert.match(r.stdout + r.stderr, words, describe(r));
    } finally {
      await faulty.stop();
    }
  });
}
