// The report's pure parts on synthetic k6 JSON outputs: reading and refusing recordings, the
// merge's verdict (counts summed, rates pooled, percentiles from the merged samples), the
// charts' "no data", live progress lines, and the target's secrets masked.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { test } from "node:test";
import { redactUrl } from "../../src/socketio/protocol/redact";
import { percentile } from "../../src/report/aggregate";
import { buildReport, judgedSummary } from "../../src/report/build-report";
import { addLine, formatInterval, progressInterval } from "../../src/report/progress";
import { readRecording } from "../../src/report/recording";
import { combine } from "../../src/report/run";
import { buildCharts, bucketSecondsFor } from "../../src/report/series";

const dir = mkdtempSync(join(tmpdir(), "k6sio-report-"));
const T0 = Date.parse("2026-01-01T00:00:00Z");
const THRESHOLDS = { socketio_connect_success: ["rate>0.9"], matchmaking_join_duration: ["p(95)<100"], matchmaking_false_rejections: ["count<2"], "k6socketio_samples{threshold:matchmaking_join_duration}": ["count>0"] };

interface Instance {
  runId?: string;
  scenario?: string;
  segment?: string;
  joins?: number[];
  connects?: boolean[];
  falseRejections?: number;
}

function lines(i: Instance): string[] {
  const point = (metric: string, at: number, value: number, tags: Record<string, string> = {}) => JSON.stringify({ metric, type: "Point", data: { time: new Date(T0 + at).toISOString(), value, tags } });
  const metric = (name: string, type: string, contains = "default") => JSON.stringify({ type: "Metric", data: { name, type, contains, thresholds: [], submetrics: null }, metric: name });
  const facts = { run_id: i.runId ?? "r1", scenario: i.scenario ?? "matchmaking", segment: i.segment ?? "0:1", vus: "2", started_at: new Date(T0).toISOString(), thresholds: JSON.stringify(THRESHOLDS), not_judged: "[]", target: "http://127.0.0.1:1" };
  return [
    metric("k6socketio_run", "counter"),
    point("k6socketio_run", 0, 1, facts),
    metric("socketio_connect_success", "rate"),
    metric("matchmaking_join_duration", "trend", "time"),
    metric("matchmaking_false_rejections", "counter"),
    ...(i.connects ?? []).map((ok, n) => point("socketio_connect_success", 100 + n * 1000, ok ? 1 : 0)),
    ...(i.joins ?? []).map((ms, n) => point("matchmaking_join_duration", 200 + n * 1000, ms)),
    point("matchmaking_false_rejections", 300, 0),
    ...Array.from({ length: i.falseRejections ?? 0 }, (_, n) => point("matchmaking_false_rejections", 2500 + n, 1, { phase: "probe" })),
  ];
}

function write(name: string, i: Instance, gz = false): string {
  const path = join(dir, name);
  const text = `${lines(i).join("\n")}\n`;
  writeFileSync(path, gz ? gzipSync(text) : text);
  return path;
}

test("k6's percentile: linear interpolation between the nearest ranks", () => {
  const sorted = Float64Array.from([1, 2, 3, 4, 10]);
  assert.equal(percentile(sorted, 0.5), 3);
  assert.ok(Math.abs(percentile(sorted, 0.95) - 8.8) < 1e-9, "between 4 and 10, at 0.8 of the way");
  assert.equal(percentile(Float64Array.from([7]), 0.99), 7);
});

test("merge: counts summed, rates pooled, p95 of the merged samples; a count only the union crosses fails", async () => {
  const a = await readRecording(write("a.json", { segment: "0:1/3", joins: [10, 20, 30], connects: [true, true], falseRejections: 1 }));
  const b = await readRecording(write("b.json.gz", { segment: "1/3:2/3", joins: [40, 50], connects: [true, false], falseRejections: 1 }, true));
  const c = await readRecording(write("c.json", { segment: "2/3:1", joins: [500], connects: [true, true, true], falseRejections: 0 }));
  const summary = judgedSummary(combine([a, b, c]));
  const by = (m: string) => summary.thresholds.find((t) => t.metric === m)!;
  assert.deepEqual([by("matchmaking_false_rejections").observed, by("matchmaking_false_rejections").ok], [2, false]);
  assert.equal(by("socketio_connect_success").observed, 6 / 7, "pooled: 6 of 7, not the mean of 1, 0.5 and 1");
  assert.equal(by("matchmaking_join_duration").observed, percentile(Float64Array.from([10, 20, 30, 40, 50, 500]), 0.95));
  assert.equal(by("matchmaking_join_duration").ok, false);
  assert.equal(summary.run.instances, 3);
  assert.equal(summary.run.vus, 6);
  assert.equal(summary.passed, false);
  assert.ok(!summary.thresholds.some((t) => t.metric.startsWith("k6socketio_samples")), "the no-data guards are not listed");
});

test("merge: a Trend or Rate threshold with no sample fails as no data; the report says no data instead of a flat chart", async () => {
  const out = join(dir, "nodata");
  const path = write("empty.json", {});
  const { summary, exitCode } = await buildReport({ recordings: [path], outDir: out });
  const join95 = summary.thresholds.find((t) => t.metric === "matchmaking_join_duration")!;
  assert.deepEqual([join95.ok, join95.noData, join95.observed], [false, true, undefined]);
  assert.equal(exitCode, 99);
  const html = readFileSync(join(out, "matchmaking-report.html"), "utf8");
  assert.match(html, /no data: no sample of matchmaking_join_duration was recorded/);
  assert.match(html, /<td class="status">no data<\/td>/);
  const charts = buildCharts(combine([await readRecording(path)]), summary.thresholds);
  assert.ok(charts.charts.filter((c) => c.id.startsWith("trend-") || c.id === "connects").every((c) => c.noData), "charts of metrics without samples say no data");
});

test("bad input is refused with a message that says why", async () => {
  const whole = `${lines({ joins: [1, 2] }).join("\n")}\n`;
  const cut = join(dir, "cut.json");
  writeFileSync(cut, whole.slice(0, whole.length - 20));
  await assert.rejects(readRecording(cut), /truncated: its last line \(\d+\) is cut short/);
  const cutGz = join(dir, "cut.json.gz");
  const gz = gzipSync(whole);
  writeFileSync(cutGz, gz.subarray(0, gz.length - 12));
  await assert.rejects(readRecording(cutGz), /truncated: the gzip stream ends early/);
  const notK6 = join(dir, "summary.json");
  writeFileSync(notK6, '{\n  "metrics": {}\n}\n');
  await assert.rejects(readRecording(notK6), /not k6's --out json output/);
  const noFacts = join(dir, "nofacts.json");
  writeFileSync(noFacts, `${lines({}).slice(2).join("\n")}\n`);
  await assert.rejects(readRecording(noFacts), /no run facts/);
  await assert.rejects(readRecording(join(dir, "missing.json")), /no such file/);

  const first = await readRecording(write("s1.json", { segment: "0:1/2" }));
  const otherRun = await readRecording(write("s2.json", { segment: "1/2:1", runId: "r2" }));
  const otherScenario = await readRecording(write("s3.json", { segment: "1/2:1", scenario: "chat" }));
  assert.throws(() => combine([first, otherRun]), /is from run id r2, .* from r1: merge the outputs of one run only/);
  assert.throws(() => combine([first, otherScenario]), /is from scenario "chat"/);
  assert.throws(() => combine([first]), /miss the instance of execution segment 1\/2:1/);
  const again = await readRecording(write("s4.json", { segment: "0:1/2" }));
  assert.throws(() => combine([first, again]), /overlaps another output/);
});

test("chart resolution: 1 s buckets for a 30 s run, at most 300 points for long ones", () => {
  assert.equal(bucketSecondsFor(30_000), 1);
  assert.equal(bucketSecondsFor(300_000), 1);
  assert.equal(bucketSecondsFor(3_600_000), 15);
});

test("live progress: one line per interval from k6's JSON lines", () => {
  const i = { vus: 0, connects: 0, connectErrors: 0, acks: [] as number[], ackTimeouts: 0, sent: 0, received: 0, disconnects: 0 };
  const p = (metric: string, value: number, tags = {}) => JSON.stringify({ metric, type: "Point", data: { time: "2026-01-01T00:00:00Z", value, tags } });
  for (const line of [p("vus", 20), p("socketio_connect_success", 1), p("socketio_connect_success", 0), p("socketio_connect_errors", 1, { reason: "timeout" }), p("socketio_ack_duration", 12), p("socketio_ack_timeouts", 1), p("socketio_disconnects", 1, { reason: "io client disconnect" }), p("socketio_disconnects", 1, { reason: "ping timeout" }), "{garbage"]) addLine(i, line);
  assert.equal(formatInterval(65_000, i), "progress 1:05  VUs 20  connects +1 (errors +1)  acks +1 (p95 12 ms, timeouts +1)  messages out +0 in +0  disconnects +1");
  assert.equal(progressInterval("5s"), 5000);
  assert.equal(progressInterval(undefined), undefined);
  assert.throws(() => progressInterval("often"), /PROGRESS=often: give an interval such as 5s/);
});

test("the target in reports: user info and secret query values masked", () => {
  assert.equal(redactUrl("https://user:pw@game.example.com/mm?token=abc&room=1&api_key=k&jwt=j&session=s"), "https://[redacted]@game.example.com/mm?token=[redacted]&room=1&api_key=[redacted]&jwt=[redacted]&session=[redacted]");
});
