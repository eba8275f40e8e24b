// k6's habits: `k6 run --vus N --duration D dist/<name>.js` replaces a script's scenarios with
// one "default" scenario running the exported `default` function. Every scenario exports one:
// its main player flow, with a clear outcome for the thresholds that flow cannot feed.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { describe, runScenario } from "../helpers/k6run.ts";

test("k6 run --vus 2 --duration 5s dist/matchmaking.js: the queue plays, exit 0, the probe's and the dropout check's thresholds are reported not judged", async () => {
  const dir = mkdtempSync(join(tmpdir(), "k6sio-default-"));
  const run = await runScenario("matchmaking", { env: { SUMMARY_DIR: dir }, k6Args: ["--vus", "2", "--duration", "5s"] });
  assert.equal(run.code, 0, describe(run));
  assert.ok((run.metric("matchmaking_matched")?.passes ?? 0) >= 4, describe(run));
  assert.equal(run.metric("matchmaking_over_limit_rejected")?.passes ?? 0, 0, "no probe ran");
  // One line at setup says what runs and what cannot be judged…
  const note = run.stderr.split("\n").filter((l) => l.includes("NOT JUDGED in this run, because scenarios dropouts, rate_limit did not run"));
  assert.equal(note.length, 1, run.stderr);
  assert.match(note[0]!, /plays the \\"queue\\" flow.*matchmaking_dropout_stalls, matchmaking_over_limit_rejected, matchmaking_rate_limit_missed/);
  // …and the summaries do not count them as held.
  assert.match(run.stdout, /all 15 thresholds held, 3 NOT JUDGED/);
  const summary = JSON.parse(readFileSync(join(dir, "matchmaking-summary.json"), "utf8"));
  const notJudged = summary.thresholds.filter((t: { notJudged?: string }) => t.notJudged).map((t: { metric: string }) => t.metric);
  assert.deepEqual(notJudged, ["matchmaking_dropout_stalls", "matchmaking_over_limit_rejected", "matchmaking_rate_limit_missed"]);
  assert.match(readFileSync(join(dir, "matchmaking-junit.xml"), "utf8"), /skipped="3"/);
  assert.ok(run.elapsedMs < 30_000, `${run.elapsedMs} ms`);
});

test("a fixed population in the default scenario: seats, then the error checks, then idle VUs; too few VUs stop at setup with one line", async () => {
  const ROOMS = { ROOMS: "2", ROOM_SIZE: "4", TURNS: "3", THINK_TIME_MS: "50", WAIT_TIMEOUT_MS: "3000" };
  const run = await runScenario("game-room", { env: ROOMS, k6Args: ["--vus", "10", "--duration", "2s"] });
  assert.equal(run.code, 0, describe(run));
  assert.equal(run.metric("game_room_delivery")?.passes, 2 * 4 * 4 * 3, "every member saw every choice of every turn");
  assert.equal(run.metric("game_room_error_contract")?.passes, 4, "the errors scenario ran once");
  assert.match(run.stderr, /plays the \\"players\\" flow and errors\./);

  const few = await runScenario("game-room", { env: ROOMS, k6Args: ["--vus", "3", "--duration", "2s"] });
  assert.equal(few.code, 108, describe(few));
  assert.match(few.stderr, /has 3 VUs, but this scenario plays 8 players \(-e ROOMS, -e ROOM_SIZE\) \+ errors at once: use --vus 9/);
  assert.ok(few.elapsedMs < 15_000, `${few.elapsedMs} ms`);
});
