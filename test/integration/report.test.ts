// Reports people look at: the gate against a faulted server writes a summary, JUnit and an HTML
// report whose verdict names the failed threshold; headless Chromium renders the report (charts
// drawn, verdict = exit code); PROGRESS prints live lines; a run split over three k6 processes
// gets one verdict from the merge of their recorded outputs.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, statSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { root } from "../../scripts/lib.mjs";
import { ensureChromium } from "../../scripts/chromium.mjs";
import { describe, freePort, k6, runAgainst, startTarget } from "../helpers/k6run.ts";

const MATCHMAKING = { VUS: "4", DURATION: "3s", THINK_TIME_MS: "200", ACK_TIMEOUT_MS: "1000", MATCH_TIMEOUT_MS: "3000", PROBE_INTERVAL_MS: "50" };
const envArgs = (env: Record<string, string>) => Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
const tmp = () => mkdtempSync(join(tmpdir(), "k6sio-report-"));
const report = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", join(root, "src", "report", "main.ts"), ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });

/** One gate run against a server whose acks are 400 ms late: shared by the tests below. */
let gateRun: Promise<{ status: number | null; stdout: string; dir: string }> | undefined;
function slowAckGate() {
  gateRun ??= (async () => {
    const server = await startTarget(["--fault", "slow-ack=400"]);
    const dir = tmp();
    try {
      const r = spawnSync(process.execPath, [join(root, "scripts", "ci-gate.mjs"), "matchmaking", `${server.url}/?token=sekrit-42`, ...envArgs({ ...MATCHMAKING, DURATION: "4s" })], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, K6: k6(), SUMMARY_DIR: dir, PROGRESS: "1s" },
        timeout: 180_000,
      });
      return { status: r.status, stdout: r.stdout + r.stderr, dir };
    } finally {
      await server.stop();
    }
  })();
  return gateRun;
}

test("npm run gate against a faulted server: one summary format, JUnit, progress lines, and a report whose verdict names the failed threshold", async () => {
  const { status, stdout, dir } = await slowAckGate();
  assert.equal(status, 99, stdout);
  const summary = JSON.parse(readFileSync(join(dir, "matchmaking-summary.json"), "utf8"));
  assert.deepEqual([summary.format, summary.version, summary.judgedBy, summary.passed], ["k6-socketio-summary", 1, "k6", false]);
  assert.equal(summary.run.scenario, "matchmaking");
  assert.equal(summary.run.contract, "reference");
  assert.match(summary.run.target, /\?token=\[redacted\]$/);
  assert.match(summary.run.k6Version, /^v\d+\.\d+\.\d+$/);
  assert.match(summary.run.runId, /^\w+$/);
  assert.ok(summary.run.vus > 0 && summary.run.durationMs > 3000 && summary.run.libraryVersion && summary.run.startedAt);
  assert.match(stdout, /^progress 0:0\d {2}VUs \d+ {2}connects \+\d+ \(errors \+\d+\) {2}acks \+\d+ \(p95 \d+ ms, timeouts \+\d+\)/m, "PROGRESS=1s prints live lines");
  assert.ok((stdout.match(/^progress /gm) ?? []).length >= 2, "a line per interval");
  assert.match(stdout, /report: .*matchmaking-report\.html/);

  const html = readFileSync(join(dir, "matchmaking-report.html"), "utf8");
  assert.match(html, /<div class="verdict fail" id="verdict" data-passed="false" data-exit-code="99">FAILED: 1 of \d+ thresholds failed \(exit 99\)<\/div>/);
  assert.match(html, /<tr class="failed"><td class="status">FAILED<\/td><td><a href="#chart-trend-matchmaking_join_duration">matchmaking_join_duration<\/a><\/td><td><code>p\(95\)&lt;250<\/code><\/td><td>p\(95\)=4\d\d(\.\d+)? ms<\/td><td>queue joins were answered slower than the limit<\/td>/, "the failed row says what it means");
  // Totals first, then the errors by reason, then each ack event's distribution: the 400 ms acks sit in their band.
  assert.match(html, /<div class="tiles" id="totals"><div class="tile">connections<b>\d+<\/b>0 failed<\/div><div class="tile">acks<b>\d+<\/b>0 timed out<\/div>/);
  assert.match(html, /<tr><td><code>queue_join<\/code><\/td><td>\d+<\/td><td>4\d\d(\.\d+)? ms<\/td><td>4\d\d(\.\d+)? ms<\/td>/);
  assert.match(html, /<td title="(\d+) acks"><span class="band"[^>]*><\/span> \1<\/td>(<td title="0 acks"><\/td>){3}<\/tr>/, "queue_join's acks in the 250–500 ms band");
  // The failed threshold's chart comes first, with its limit: where in time the latency rose.
  assert.match(html, /<div class="charts">\n<section class="chart failed" id="chart-trend-matchmaking_join_duration">/);
  assert.ok(!/<script src=|<link [^>]*href="http/.test(html), "self-contained: nothing fetched when opened");
  for (const file of [dir, join(dir, "matchmaking-samples.json.gz")]) assert.ok(existsSync(file));
  for (const name of ["matchmaking-summary.json", "matchmaking-report.html", "matchmaking-junit.xml"]) assert.ok(!readFileSync(join(dir, name), "utf8").includes("sekrit-42"), `${name} holds no secret`);
  const gz = spawnSync("zgrep", ["-c", "sekrit-42", join(dir, "matchmaking-samples.json.gz")], { encoding: "utf8" });
  assert.equal(gz.stdout.trim(), "0", "the kept samples hold no secret");

  // Judged again from the recorded samples alone, the run gets k6's verdict and k6's values.
  const again = tmp();
  const r = report(["--out", again, join(dir, "matchmaking-samples.json.gz")]);
  assert.equal(r.status, 99, r.stdout + r.stderr);
  const judged = JSON.parse(readFileSync(join(again, "matchmaking-summary.json"), "utf8"));
  for (const t of summary.thresholds) {
    const mine = judged.thresholds.find((j: { metric: string; expression: string }) => j.metric === t.metric && j.expression === t.expression);
    assert.equal(mine?.ok, t.ok, `${t.metric} ${t.expression}`);
    assert.ok(Math.abs(mine.observed - t.observed) < 1e-6, `${t.metric}: ${mine.observed} vs k6's ${t.observed}`);
  }
});

test("headless Chromium renders the report: every chart drew, and the verdict matches the exit code", async (t) => {
  const chromium = ensureChromium();
  if (!chromium.path) {
    console.log(`# skipped: ${chromium.reason}`);
    t.skip(chromium.reason);
    return;
  }
  const { status, dir } = await slowAckGate();
  const file = join(dir, "matchmaking-report.html");
  const r = spawnSync(chromium.path, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=10000", "--window-size=1400,3000", "--dump-dom", pathToFileURL(file).href], { encoding: "utf8", timeout: 120_000 });
  const dom = r.stdout;
  assert.match(dom, /<\/html>/, `chromium printed no DOM: ${r.stderr.slice(-2000)}`);
  const expected = Number(/data-charts-expected="(\d+)"/.exec(dom)?.[1]);
  const drawn = Number(/data-charts-drawn="(\d+)"/.exec(dom)?.[1]);
  assert.ok(expected >= 8, `charts with data: ${expected}`);
  assert.equal(drawn, expected, "every chart drew");
  const pixels = [...dom.matchAll(/data-drawn-pixels="(\d+)"/g)].map((m) => Number(m[1]));
  assert.equal(pixels.length, expected);
  assert.ok(pixels.every((p) => p > 1000), `every canvas painted: ${pixels.join(", ")}`);
  assert.equal(/<canvas/g.test(dom), true);
  assert.equal(Number(/id="verdict" data-passed="(?:true|false)" data-exit-code="(\d+)"/.exec(dom)?.[1]), status);
  assert.match(dom, /FAILED: 1 of \d+ thresholds failed/);
  // A screenshot of the report as a person sees it, kept beside it (its size says it painted).
  const png = join(dir, "matchmaking-report.png");
  spawnSync(chromium.path, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=10000", "--window-size=1400,2400", `--screenshot=${png}`, pathToFileURL(file).href], { encoding: "utf8", timeout: 120_000 });
  assert.ok(existsSync(png) && statSync(png).size > 50_000, `a screenshot of the report: ${png}`);
  // The y axis follows the data: a limit far above it is noted, not drawn (it would flatten the data).
  assert.match(dom, /class="limit-note">limit socketio_connect_duration p\(95\)&lt;1000 \(1000 ms\) is off this scale: the data's highest value is [\d.]+ ms/);
  assert.doesNotMatch(dom, /limit-note">limit matchmaking_join_duration/, "the failed 400 ms p95 is near its 250 ms limit: drawn");
});

test("nothing connected: the report opens with the root cause and the fix, and accuses nobody", async (t) => {
  const dir = tmp();
  const r = spawnSync(process.execPath, [join(root, "scripts", "ci-gate.mjs"), "matchmaking", `http://127.0.0.1:${await freePort()}`, ...envArgs({ ...MATCHMAKING, DURATION: "2s" })], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, K6: k6(), SUMMARY_DIR: dir },
    timeout: 120_000,
  });
  assert.equal(r.status, 99, r.stdout + r.stderr);
  const html = readFileSync(join(dir, "matchmaking-report.html"), "utf8");
  assert.match(html, /<div class="verdict fail" id="verdict"[^>]*>FAILED: nothing connected: connection refused by 127\.0\.0\.1 .*Fix: nothing listens on that port.*Step by step: k6 run -e TARGET_URL=http:\/\/127\.0\.0\.1:\d+ dist\/doctor\.js/);
  assert.match(html, /<td class="status">not judged<\/td><td>(<a [^>]*>)?matchmaking_dropout_stalls/);
  assert.doesNotMatch(html, /<td class="status">FAILED<\/td><td>(<a [^>]*>)?matchmaking_(dropout|rate_limit)/);
  const chromium = ensureChromium();
  if (!chromium.path) return t.diagnostic(`no screenshot: ${chromium.reason}`);
  const png = join(dir, "matchmaking-report.png");
  spawnSync(chromium.path, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--virtual-time-budget=10000", "--window-size=1400,1600", `--screenshot=${png}`, pathToFileURL(join(dir, "matchmaking-report.html")).href], { encoding: "utf8", timeout: 120_000 });
  assert.ok(existsSync(png) && statSync(png).size > 20_000, `a screenshot of the report: ${png}`);
});

test("a run split over three k6 processes gets one verdict: a count only the union crosses fails, with one JUnit file", async () => {
  // The server refuses a player's 6th join within a minute; the probes' contract says 6 are
  // allowed: each probe sees 1 join within the limit refused. Each instance alone stays under
  // `count<2`; the run, 3 probes over 3 instances, does not.
  const server = await startTarget();
  const dir = tmp();
  try {
    const env = { ...MATCHMAKING, VUS: "6", PROBE_VUS: "3", RATE_LIMIT: "6", PROBE_JOINS: "7", RUN_ID: `mg${Date.now().toString(36)}`, THRESHOLDS: JSON.stringify({ matchmaking_false_rejections: ["count<2"] }) };
    const segments = ["0:1/3", "1/3:2/3", "2/3:1"];
    const runs = await Promise.all(
      segments.map((segment, i) => runAgainst("matchmaking", server.url, { env, k6Args: [`--execution-segment=${segment}`, "--execution-segment-sequence=0,1/3,2/3,1", "--out", `json=${join(dir, `runner-${i}.json.gz`)}`] })),
    );
    runs.forEach((r) => assert.equal(r.code, 0, `each instance alone passes: ${describe(r)}`));
    assert.deepEqual(runs.map((r) => r.metric("matchmaking_false_rejections")?.count), [1, 1, 1]);

    const files = segments.map((_, i) => join(dir, `runner-${i}.json.gz`));
    const out = join(dir, "merged");
    const merged = report(["--out", out, ...files]);
    assert.equal(merged.status, 99, merged.stdout + merged.stderr);
    assert.match(merged.stdout, /FAIL: matchmaking run mg\w+: 1 of \d+ thresholds failed \(judged on the samples of 3 k6 instances\):\n {2}- matchmaking_false_rejections count<2: observed count=3/);
    const summary = JSON.parse(readFileSync(join(out, "matchmaking-summary.json"), "utf8"));
    assert.deepEqual([summary.judgedBy, summary.run.instances, summary.passed], ["merge", 3, false]);
    const sum = (name: string, key: string) => runs.reduce((a, r) => a + (r.metric(name)?.[key] ?? 0), 0);
    assert.equal(summary.metrics.socketio_messages_sent.values.count, sum("socketio_messages_sent", "count"), "counts summed");
    const passes = sum("socketio_connect_success", "passes");
    assert.equal(summary.metrics.socketio_connect_success.values.rate, passes / (passes + sum("socketio_connect_success", "fails")), "rates pooled");
    assert.equal(summary.run.vus, runs.reduce((a, r) => a + (r.metric("vus_max")?.value ?? 0), 0));
    const junit = readFileSync(join(out, "matchmaking-junit.xml"), "utf8");
    assert.equal((junit.match(/<failure /g) ?? []).length, 1);
    assert.match(junit, /threshold matchmaking_false_rejections count&lt;2 failed: count=3, limit count&lt;2/);
    assert.match(readFileSync(join(out, "matchmaking-report.html"), "utf8"), /FAILED: 1 of \d+ thresholds failed \(exit 99\)/);

    const partial = report(["--out", join(dir, "partial"), files[0]!, files[2]!]);
    assert.equal(partial.status, 1);
    assert.match(partial.stderr, /report: the outputs miss the instance of execution segment 1\/3:2\/3: a verdict on part of a run would be wrong/);
  } finally {
    await server.stop();
  }
});
