// No secret in any output: a token in AUTH_TOKEN (the CONNECT auth), one in the URL query and one
// in a header, each required by the reference server (so every run below authenticates), over
// every transport and client, connecting, refused and failing. Every output is grepped: stdout,
// stderr, k6's --out json, the summary export, SUMMARY_DIR, and the doctor's report.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { bundleFile } from "../../build.mjs";
import { root } from "../../scripts/lib.mjs";
import { describe, freePort, runAgainst, type ScenarioRun, startTarget } from "../helpers/k6run.ts";

const AUTH = "AuthS3cretValue1";
const QUERY = "QueryS3cretValue2";
const HEADER = "HeaderS3cretValue3";
const SERVER_ARGS = ["--auth-token", AUTH, "--require-query", `token=${QUERY}`, "--require-header", `x-api-key=${HEADER}`, "--ping-interval", "500", "--ping-timeout", "500"];

/** Every output of a run, files included, as one text. */
function outputs(run: ScenarioRun, files: string[]): string {
  return [run.stdout, run.stderr, JSON.stringify(run.summary), ...files.map((f) => readFileSync(f, "utf8"))].join("\n");
}

function assertNoSecret(text: string, what: string): void {
  for (const secret of [AUTH, QUERY, HEADER]) {
    const at = text.indexOf(secret);
    assert.equal(at, -1, `${what}: ${secret} appears in the output: …${text.slice(Math.max(0, at - 200), at + 60)}…`);
  }
}

const tmp = () => mkdtempSync(join(tmpdir(), "k6sio-secrets-"));

// One reference server for every run: it requires all three secrets.
let server: Awaited<ReturnType<typeof startTarget>>;
before(async () => {
  server = await startTarget(SERVER_ARGS);
});
after(() => server.stop());
const urlWithToken = () => `${server.url}/?token=${QUERY}`;

/** test/k6/secrets.ts against the server (and a closed port), with `env` and `k6Args` added. */
async function runFixture(env: Record<string, string>, k6Args: string[] = []): Promise<ScenarioRun> {
  const script = await bundleFile(join(root, "test", "k6", "secrets.ts"), join(tmp(), "secrets.js"));
  const closed = `http://127.0.0.1:${await freePort()}/?token=${QUERY}`;
  const run = await runAgainst("secrets", urlWithToken(), { k6ArchivePath: script, env: { AUTH_SECRET: AUTH, HEADER_SECRET: HEADER, CLOSED_URL: closed, ...env }, k6Args, timeoutMs: 120_000 });
  assert.equal(run.code, 0, describe(run));
  assert.equal(run.metric("checks")?.fails, 0, describe(run));
  return run;
}

test("secrets: both clients, every transport, connected, refused and failing, with the wire trace on: no secret in the console, --out json or the summary", async () => {
  const json = join(tmp(), "out.json");
  const run = await runFixture({ SOCKETIO_DEBUG: "1", SOCKETIO_DEBUG_SESSIONS: "30" }, ["--out", `json=${json}`]);
  const text = outputs(run, [json]);
  assertNoSecret(text, "library run");
  // The secrets were there to leak: the trace and the failures show where they were redacted.
  assert.match(text, /token=\[redacted\]/);
  assert.match(text.replace(/\\"/g, '"'), /40\{"token":"\[redacted\]"\}/, "k6 prints console lines as logfmt, quotes escaped");
  // No tag carries a query: every name tag is a bare endpoint.
  const names = new Set([...readFileSync(json, "utf8").matchAll(/"name":"([^"]*)"/g)].map((m) => m[1]!));
  for (const name of names) assert.doesNotMatch(name, /\?/, `name tag ${name}`);
  assert.ok([...names].some((n) => /^ws:\/\/127\.0\.0\.1:\d+\/socket\.io\/$/.test(n)) && [...names].some((n) => /^http:\/\/127\.0\.0\.1:\d+\/socket\.io\/$/.test(n)), [...names].join(", "));
});

test("secrets: k6/ws with k6's default system tags says once that its url tag would carry the query's secret", async () => {
  const run = await runFixture({ KEEP_URL_TAG: "1" });
  assert.equal(run.stderr.match(/k6\/ws tags every sample with its full URL, and the query carries token/g)?.length, 1, describe(run));
  assertNoSecret(run.stdout + run.stderr, "console");
});

test("secrets: the matchmaking scenario over polling + upgrade with AUTH_TOKEN, a query token and HEADERS authenticates; --out json, SUMMARY_DIR and the console hold none of them", async () => {
  const dir = tmp();
  const json = join(dir, "out.json");
  const env = {
    VUS: "4", DURATION: "3s", THINK_TIME_MS: "200", ACK_TIMEOUT_MS: "1000", MATCH_TIMEOUT_MS: "3000", PROBE_INTERVAL_MS: "50",
    TRANSPORT: "polling", AUTH_TOKEN: AUTH, HEADERS: JSON.stringify({ "X-Api-Key": HEADER }), SUMMARY_DIR: dir,
  };
  const run = await runAgainst("matchmaking", urlWithToken(), { env, k6Args: ["--out", `json=${json}`] });
  assert.equal(run.code, 0, describe(run));
  assert.ok((run.metric("socketio_connect_success")?.passes ?? 0) >= 4, describe(run));
  // The HTML report and the report's own summary and JUnit, built from the run's recorded samples.
  const report = spawnSync(process.execPath, ["--import", "tsx", join(root, "src", "report", "main.ts"), "--out", join(dir, "report"), json], { cwd: root, encoding: "utf8", timeout: 60_000 });
  assert.equal(report.status, 0, `${report.stdout}\n${report.stderr}`);
  const filesIn = (d: string) => readdirSync(d, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(d, e.name));
  const files = [...filesIn(dir), ...filesIn(join(dir, "report"))];
  assert.ok(files.some((f) => f.endsWith("matchmaking-summary.json")), files.join(", "));
  const html = files.find((f) => f.endsWith("matchmaking-report.html"));
  assert.ok(html, files.join(", "));
  assert.match(readFileSync(html, "utf8"), /token=\[redacted\]/, "the report names the target, its token masked");
  assertNoSecret(outputs(run, files) + report.stdout + report.stderr, "matchmaking");
});

test("secrets: the doctor, passing and against a closed port, keeps them out of its stdout, stderr and JSON report", async () => {
  const dir = tmp();
  const env = { AUTH_TOKEN: AUTH, HEADERS: JSON.stringify({ "X-Api-Key": HEADER }), EVENT: "echo", PAYLOAD: JSON.stringify({ note: "hi" }), STEP_TIMEOUT_MS: "3000" };
  const report = join(dir, "doctor.json");
  const passing = await runAgainst("doctor", urlWithToken(), { env: { ...env, REPORT: report } });
  assert.equal(passing.code, 0, describe(passing));
  assert.match(readFileSync(report, "utf8"), /"target": "http:\/\/127\.0\.0\.1:\d+\/\?token=\*\*\*"/);
  assertNoSecret(outputs(passing, [report]), "doctor");
  const closedReport = join(dir, "closed.json");
  const closed = await runAgainst("doctor", `http://127.0.0.1:${await freePort()}/?token=${QUERY}`, { env: { ...env, REPORT: closedReport } });
  assert.equal(closed.code, 99, describe(closed));
  assert.match(closed.stdout, /connection refused/);
  assertNoSecret(outputs(closed, [closedReport]), "doctor against a closed port");
});
