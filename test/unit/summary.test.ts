import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { makeHandleSummary } from "../../src/kit/summary";
import { junitXml } from "../../src/kit/summary/junit";
import { describeThreshold, type SummaryData, thresholdResults } from "../../src/kit/summary/verdict";

// Recorded from k6 v2.2.0's handleSummary() for a script with passing and failing thresholds.
const data = JSON.parse(readFileSync(new URL("../fixtures/k6-summary-data.json", import.meta.url), "utf8")) as SummaryData;

test("threshold results carry the observed value of the aggregate they test", () => {
  const results = thresholdResults(data);
  const find = (metric: string, expression: string) => results.find((r) => r.metric === metric && r.expression === expression)!;
  assert.deepEqual(find("demo_duration", "p(95)<1"), { metric: "demo_duration", expression: "p(95)<1", ok: false, stat: "p(95)", observed: 12.5, unit: "ms", cause: "demo_duration was past its limit: p(95) measured slower than the threshold allows" });
  assert.equal(find("demo_duration", "avg<1000").ok, true);
  assert.equal(find("demo_ok", "rate==1").observed, 2 / 3);
  assert.equal(find("demo_errors{reason:x}", "count==0").observed, 3);
  assert.equal(describeThreshold(find("demo_duration", "p(95)<1")), "p(95)=12.50 ms, limit p(95)<1");
  assert.equal(describeThreshold(find("demo_ok", "rate==1")), "rate=66.67%, limit rate==1");
});

test("JUnit: one test case per threshold, failures with observed value and limit, escaped", () => {
  const xml = junitXml("matchmaking", thresholdResults(data), 1500);
  assert.match(xml, /<testsuite name="matchmaking" tests="5" failures="3" errors="0" time="1.500">/);
  assert.match(xml, /<testcase classname="matchmaking.demo_duration" name="avg&lt;1000" time="0"><\/testcase>/);
  assert.match(xml, /<failure message="threshold demo_duration p\(95\)&lt;1 failed: p\(95\)=12.50 ms, limit p\(95\)&lt;1" type="threshold">/);
  assert.equal((xml.match(/<testcase /g) ?? []).length, 5);
  assert.equal((xml.match(/<failure /g) ?? []).length, 3);
});

test("handleSummary: the verdict block on every run (instead of k6's list); files too with SUMMARY_DIR", () => {
  const plain = makeHandleSummary("demo", {})(data);
  assert.deepEqual(Object.keys(plain), ["stdout"]);
  assert.match(plain.stdout!, /3 of 5 thresholds FAILED/);
  assert.match(plain.stdout!, /✗ demo_errors\{reason:x\} count==0 .*\n {6}demo_errors counted more than its limit allows/, "a line for every failed threshold");
  assert.doesNotMatch(plain.stdout!, /wrote /);
  const out = makeHandleSummary("demo", { SUMMARY_DIR: "out/" })(data)!;
  assert.deepEqual(Object.keys(out).sort(), ["out/demo-junit.xml", "out/demo-summary.json", "stdout"]);
  const json = JSON.parse(out["out/demo-summary.json"]!);
  assert.equal(json.passed, false);
  assert.equal(json.thresholds.length, 5);
  assert.match(out.stdout!, /3 of 5 thresholds FAILED/);
  assert.match(out.stdout!, /✗ demo_ok rate==1 {3}\(rate=66.67%, limit rate==1\)/);
  assert.match(out.stdout!, /demo_duration\.+ avg=12.50 ms/);
});
