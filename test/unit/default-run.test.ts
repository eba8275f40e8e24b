// k6's "default" scenario (k6 run --vus/--duration): what each iteration plays, when a run
// cannot hold a fixed population, and which thresholds it cannot judge.
import assert from "node:assert/strict";
import { test } from "node:test";
import { capacityProblem, type DefaultPlan, describeDefaultRun, isDefaultRun, maxVus, notJudged, roleOf, scenarioLengthMs, totalIterations } from "../../src/kit/default-run";
import { parseDurationMs } from "../../src/kit/env";
import { makeHandleSummary } from "../../src/kit/summary";
import { junitXml } from "../../src/kit/summary/junit";
import { setNotJudgedSource } from "../../src/kit/summary/not-judged";
import { type SummaryData, thresholdResults } from "../../src/kit/summary/verdict";

const noop = () => undefined;
const chsh: DefaultPlan = { plays: "players", seats: { count: 4, setBy: "-e TEAMS" }, then: { dashboard: noop } };

test("a default run is the one scenario k6 names default", () => {
  assert.equal(isDefaultRun({ default: {} }), true);
  assert.equal(isDefaultRun({ queue: {}, rate_limit: {} }), false);
  assert.equal(isDefaultRun({ default: {}, other: {} }), false);
  assert.equal(isDefaultRun(undefined), false);
});

test("iterations play the seats, then the other flows once each, then idle; without seats every iteration plays", () => {
  assert.deepEqual([0, 3, 4, 5].map((i) => roleOf(chsh, i)), [{ kind: "flow" }, { kind: "flow" }, { kind: "then", name: "dashboard" }, { kind: "idle" }]);
  assert.deepEqual(roleOf({ plays: "queue" }, 1234), { kind: "flow" });
  assert.deepEqual(roleOf({ plays: "nothing", seats: { count: 0, setBy: "" } }, 0), { kind: "idle" });
});

test("VUs, iterations and length of k6's default scenario as exec.test.options reports them", () => {
  assert.equal(maxVus({ executor: "constant-vus", vus: 10, duration: "30s" }), 10);
  assert.equal(maxVus({ executor: "shared-iterations", vus: null, iterations: 5 }), 1);
  assert.equal(maxVus({ executor: "ramping-vus", startVUs: 1, stages: [{ duration: "5s", target: 8 }, { duration: "5s", target: 0 }] }), 8);
  assert.equal(totalIterations({ executor: "shared-iterations", vus: 3, iterations: 3 }), 3);
  assert.equal(totalIterations({ executor: "constant-vus", vus: 3, duration: "1s" }), Infinity);
  assert.equal(scenarioLengthMs({ executor: "constant-vus", vus: 2, duration: "1m30s" }, parseDurationMs), 90_000);
  assert.equal(scenarioLengthMs({ executor: "ramping-vus", stages: [{ duration: "5s" }, { duration: "10s" }] }, parseDurationMs), 15_000);
  assert.equal(scenarioLengthMs({ executor: "shared-iterations", iterations: 3 }, parseDurationMs), undefined);
});

test("a fixed population that the default scenario cannot hold at once is one message naming what to pass", () => {
  assert.equal(capacityProblem(chsh, { executor: "constant-vus", vus: 5, duration: "30s" }), null);
  const few = capacityProblem(chsh, { executor: "constant-vus", vus: 2, duration: "30s" })!;
  assert.match(few, /has 2 VUs, but this scenario plays 4 players \(-e TEAMS\) \+ dashboard at once: use --vus 5, or fewer players via -e TEAMS/);
  assert.doesNotMatch(few, /\n/);
  assert.match(capacityProblem(chsh, { executor: "shared-iterations", vus: 5, iterations: 3 })!, /runs 3 iterations.*use --iterations 5/);
  assert.equal(capacityProblem({ plays: "queue" }, { executor: "constant-vus", vus: 1, duration: "1s" }), null);
});

test("not judged: thresholds on the metrics of skipped scenarios, and submetrics filtered on a scenario that is not running", () => {
  const plan: DefaultPlan = { plays: "queue", skips: { rate_limit: ["matchmaking_rate_limit_missed", "matchmaking_over_limit_rejected"] } };
  const keys = ["matchmaking_matched", "matchmaking_rate_limit_missed", "matchmaking_over_limit_rejected{phase:x}", "socketio_ack_duration{scenario:queue}", "socketio_ack_duration{event:a,scenario:default}"];
  const skipped = notJudged(plan, ["default"], keys);
  assert.deepEqual([...skipped.keys()], ["matchmaking_rate_limit_missed", "matchmaking_over_limit_rejected{phase:x}", "socketio_ack_duration{scenario:queue}"]);
  assert.equal(skipped.get("socketio_ack_duration{scenario:queue}"), "scenario queue did not run");
  // In the script's own scenarios nothing is skipped.
  assert.equal(notJudged(plan, ["queue", "rate_limit"], keys).size, 1, "only the submetric on a scenario that does not exist");
  const line = describeDefaultRun(plan, skipped);
  assert.match(line, /plays the "queue" flow\. NOT JUDGED in this run, because scenarios rate_limit, queue did not run/);
  assert.doesNotMatch(line, /\n/);
  assert.match(describeDefaultRun(plan, new Map()), /plays the "queue" flow\.$/);
  // How far past --duration a play under way may run is said, and past k6's own 30 s cut, what to do.
  assert.match(describeDefaultRun({ ...plan, graceMs: 21_000 }, new Map()), /finishes within its own bounds, up to 21 s\.$/);
  assert.match(describeDefaultRun({ ...plan, graceMs: 90_000 }, new Map()), /up to 90 s \(k6 stops what still runs at --duration \+ 30 s: lower the -e options that lengthen a play\)/);
});

test("summaries: a threshold the run could not judge is neither a pass nor a failure", () => {
  const data: SummaryData = {
    metrics: {
      kept: { type: "rate", values: { rate: 1, passes: 3, fails: 0 }, thresholds: { "rate==1": { ok: true } } },
      probe: { type: "rate", values: { rate: 0, passes: 0, fails: 0 }, thresholds: { "rate==1": { ok: true } } },
    },
    state: { testRunDurationMs: 1000 },
  };
  const skipped = new Map([["probe", "scenario rate_limit did not run"]]);
  const results = thresholdResults(data, skipped);
  assert.equal(results.find((t) => t.metric === "probe")!.notJudged, "scenario rate_limit did not run");
  assert.equal(results.find((t) => t.metric === "kept")!.notJudged, undefined);
  assert.match(junitXml("m", results, 1000), /skipped="1"[\s\S]*<testcase classname="m.probe" name="rate==1" time="0">\n {6}<skipped message="not judged: scenario rate_limit did not run"\/>/);
  setNotJudgedSource(() => skipped);
  try {
    const out = makeHandleSummary("m", { SUMMARY_DIR: "out" })(data)!;
    assert.match(out.stdout!, /k6-socketio m: all 1 thresholds held, 1 NOT JUDGED/);
    assert.match(out.stdout!, / {2}- probe rate==1 {3}\(not judged: scenario rate_limit did not run\)/);
    const json = JSON.parse(out["out/m-summary.json"]!);
    assert.equal(json.passed, true);
    assert.equal(json.thresholds.find((t: { metric: string }) => t.metric === "probe").notJudged, "scenario rate_limit did not run");
  } finally {
    setNotJudgedSource(undefined);
  }
});
