// dist/risks.js with its reference contract (seed 003's risks on our /game namespace): every check
// passes against the healthy reference server and fails (exit 99) against the fault that reproduces its risk.
import assert from "node:assert/strict";
import { test } from "node:test";
import { describe, runScenario } from "../helpers/k6run.ts";

const FAST = ["--ping-interval", "500", "--ping-timeout", "500"];
const RISKS = { TABLES: "2", ROUNDS: "5", ZOMBIES: "1", WAIT_TIMEOUT_MS: "3000" };

test("risks: every check passes on the healthy server; duplicate sessions are reported", async () => {
  const run = await runScenario("risks", { serverArgs: FAST, env: RISKS });
  assert.equal(run.code, 0, describe(run));
  assert.equal(run.metric("risks_race_exactly_one")?.passes, 2 * 5);
  assert.equal(run.metric("risks_zombie_announced")?.passes, 1);
  // The reference contract names a versioned state, a member list and a leave: those checks are judged too.
  assert.equal(run.metric("risks_recovered")?.passes, 2);
  assert.equal(run.metric("risks_authz_enforced")?.passes, 2 * 2);
  for (const m of ["risks_lost_updates", "risks_stale_members", "risks_ghost_deliveries", "risks_contract_mismatches"]) assert.equal(run.metric(m)?.count, 0, m);
  assert.match(run.stderr + run.stdout, /- risks_cleanup rate==1 +\(not judged: the contract has no stats probe\)/);
  assert.ok((run.metric("risks_zombie_departure")?.max ?? Infinity) <= 500 + 500 + 500 + 1000);
  assert.match(run.stderr + run.stdout, /duplicate sessions of one user \(reported, not judged\): both sessions were kept/);
});

for (const [fault, threshold] of [
  ["race", "risks_race_exactly_one rate==1"],
  ["no-authz", "risks_authz_enforced rate==1"],
  ["no-auth", "risks_unauthenticated_refused rate==1"],
  ["stale-sessions", "risks_zombie_announced rate==1"],
] as const) {
  test(`risks --fault ${fault}: ${threshold.split(" ")[0]} fails, exit 99`, async () => {
    const run = await runScenario("risks", { serverArgs: [...FAST, "--fault", fault], env: RISKS });
    assert.equal(run.code, 99, describe(run));
    assert.deepEqual(run.failed, [threshold], describe(run));
    assert.equal(run.signal, null);
  });
}

test("risks -e ZOMBIES=0: the zombie check is listed as not judged, never a no-data failure", async () => {
  const run = await runScenario("risks", { serverArgs: FAST, env: { ...RISKS, TABLES: "1", ROUNDS: "2", ZOMBIES: "0" } });
  assert.equal(run.code, 0, describe(run));
  assert.deepEqual(run.failed, []);
  assert.match(run.stdout + run.stderr, /- risks_zombie_announced rate==1 +\(not judged: the zombie check is off \(-e ZOMBIES=0\)\)/);
});
