// The risks flow fitted to a python-socketio game engine shaped like seed 003
// (test/peers/engine_mimic.py) by a contract file alone (test/fixtures/risks-engine.json): a JWT
// per player, replies as events, error {message}, a versioned state, an HTTP stats probe. The
// healthy engine is green with every check judged; each seeded fault fails the run with a verdict
// line that names it; a wrong contract is a mismatch, never a server fault.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { root } from "../../scripts/lib.mjs";
import { describe, runAgainst } from "../helpers/k6run.ts";
import { pythonPeers } from "../helpers/python-peers.ts";

const CONTRACT = join(root, "test", "fixtures", "risks-engine.json");
const SHORT = {
  CONTRACT_FILE: CONTRACT,
  ENGINE_JWT_SECRET: "mimic-secret",
  TABLES: "2",
  ROUNDS: "4",
  ZOMBIES: "1",
  WAIT_TIMEOUT_MS: "3000",
  CLEANUP_WAIT_MS: "1500",
};

/** One engine per fault, its pings fast so a vanished player is noticed within seconds. */
const engine = pythonPeers("engine_mimic.py", ["--port", "0", "--ping-interval", "1", "--ping-timeout", "1"]);

async function run(fault: string | null, env: Record<string, string> = {}) {
  const peer = await engine(...(fault ? ["--fault", fault] : []));
  return runAgainst("risks", peer.url, { env: { ...SHORT, ...env }, timeoutMs: 90_000 });
}

const verdict = (r: { stdout: string; stderr: string }) => (r.stdout + r.stderr).replace(/\\"/g, '"');
const CHECKS = ["risks_race_exactly_one", "risks_authz_enforced", "risks_recovered", "risks_cleanup", "risks_unauthenticated_refused", "risks_zombie_announced"];

test("healthy engine, contract file alone: every check is judged and holds", async () => {
  const r = await run(null);
  assert.equal(r.code, 0, describe(r));
  assert.deepEqual(r.failed, []);
  for (const m of CHECKS) assert.ok((r.metric(m)?.passes ?? 0) > 0 && r.metric(m)?.fails === 0, `${m}: ${JSON.stringify(r.metric(m))}\n${describe(r)}`);
  assert.equal(r.metric("risks_race_exactly_one")?.passes, 2 * 4);
  assert.equal(r.metric("risks_acts_accepted")?.count, 2 * 4);
  for (const m of ["risks_lost_updates", "risks_stale_members", "risks_ghost_deliveries", "risks_contract_mismatches", "risks_timeouts"]) assert.equal(r.metric(m)?.count, 0, m);
  // The findings' counters are guarded: each was judged (fed) on some table, not passed on nothing.
  for (const m of ["risks_lost_updates", "risks_stale_members", "risks_ghost_deliveries"]) assert.ok((r.metric(`k6socketio_samples{threshold:${m}}`)?.count ?? 0) > 0, m);
  assert.doesNotMatch(verdict(r), /NOT JUDGED/);
});

for (const [fault, failed, line] of [
  ["race", ["risks_lost_updates count==0", "risks_race_exactly_one rate==1"], /round 1: 2 of 2 simultaneous submit_manual_outcome were accepted for one roll_dice[\s\S]*8 accepted submit_manual_outcome, version advanced by 4: 4 lost updates/],
  ["no-authz", ["risks_authz_enforced rate==1"], /player \S+-t\d-x, which never joined game \S+, had submit_manual_outcome accepted there: outcome_accepted/],
  ["no-recovery", ["risks_recovered rate==1"], /dropped its transport, reconnected and asked for the game's state: request_game_state was error: error \{"message":"Game not found"\}/],
  ["stale-rooms", ["risks_cleanup rate==1", "risks_ghost_deliveries count==0", "risks_stale_members count==0"], /left game \S+ \(leave_game\) and still received 1 game_state_update broadcast for it[\s\S]*still lists it among its 2 members/],
  ["leak", ["risks_cleanup rate==1"], /cleanup: after the run's games ended, \/stats (sessions is 12|active_games is 4) \(0 before the run\)/],
] as const) {
  test(`--fault ${fault}: the run fails naming it in words`, async () => {
    const r = await run(fault);
    assert.equal(r.code, 99, describe(r));
    assert.deepEqual([...r.failed].sort(), [...failed].sort(), describe(r));
    assert.match(verdict(r), line);
    assert.equal(r.metric("risks_contract_mismatches")?.count, 0);
  });
}

test("a wrong contract (the version at a path the state lacks) is a mismatch, never a lost update", async () => {
  const wrong = JSON.parse(readFileSync(CONTRACT, "utf8"));
  wrong.state.version = "data.state.version";
  const file = join(mkdtempSync(join(tmpdir(), "risks-contract-")), "wrong.json");
  writeFileSync(file, JSON.stringify(wrong));
  const r = await run(null, { CONTRACT_FILE: file, ZOMBIES: "0" });
  assert.equal(r.code, 99, describe(r));
  assert.ok(r.failed.includes("risks_contract_mismatches count==0"), describe(r));
  assert.equal(r.metric("risks_lost_updates")?.count ?? 0, 0, "no lost update counted");
  assert.match(verdict(r), /contract "engine-mimic" does not recognise request_game_state: .*it expects an accepted reply with a version number at data\.state\.version/);
  assert.match(verdict(r), /- risks_zombie_announced rate==1 +\(not judged: the zombie check is off \(-e ZOMBIES=0\)\)/);
});
