// Which k6 the project's scripts run (scripts/lib.mjs ensureK6): $K6 as a path or a name on
// PATH, a k6 on PATH when supported, one clear line for one that is too old. Fake k6 binaries
// (shell scripts that print a version) stand in for real ones.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { goRuntimeDefaults, k6Support, minimumK6Version, oldestK6Version, parseVersion, pinnedK6Version, root } from "../../scripts/lib.mjs";

/** A directory holding a fake `k6` that reports `version` and echoes its other arguments. */
function fakeK6(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), "k6sio-fake-"));
  const k6 = join(dir, "k6");
  writeFileSync(k6, `#!/bin/sh\nif [ "$1" = version ]; then echo "k6 ${version} (go1.22.4, linux/amd64)"; else echo "fake k6 ran: $* usage_report_off=$K6_NO_USAGE_REPORT gogc=$GOGC memlimit=$GOMEMLIMIT"; fi\n`);
  chmodSync(k6, 0o755);
  return dir;
}

/** A directory whose `go` fails, so that a fallback to the pinned build cannot start one. */
function noGo(): string {
  const dir = mkdtempSync(join(tmpdir(), "k6sio-nogo-"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "go"), "#!/bin/sh\nexit 1\n");
  chmodSync(join(dir, "go"), 0o755);
  return dir;
}

const nodeDir = dirname(process.execPath);

function runK6Script(args: string[], env: Record<string, string | undefined>) {
  const r = spawnSync(process.execPath, [join(root, "scripts", "k6.mjs"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, K6: undefined, GOGC: undefined, GOMEMLIMIT: undefined, ...env }, timeout: 30_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout, stderr: r.stderr };
}

test("supported versions: from the oldest tested minor line up to the pinned major", () => {
  assert.equal(pinnedK6Version(), "v2.2.0");
  assert.equal(oldestK6Version(), "v1.8.1");
  assert.equal(minimumK6Version(), "v1.8.0");
  assert.deepEqual(parseVersion("k6 v1.8.1 (go1.26.8, linux/amd64)"), [1, 8, 1]);
  assert.deepEqual(["v0.52.0", "v1.7.3", "v1.8.0", "v1.9.2", "v2.2.0", "v2.9.0", "v3.0.0", undefined].map((v) => k6Support(v)), [
    "too-old",
    "too-old",
    "ok",
    "ok",
    "ok",
    "ok",
    "untested",
    "unknown",
  ]);
});

test("K6=k6 names a k6 on PATH; the project's scripts turn k6's usage report off", () => {
  const dir = fakeK6("v1.8.1");
  const r = runK6Script(["run", "x.js"], { K6: "k6", PATH: `${dir}:${nodeDir}`, K6_NO_USAGE_REPORT: undefined });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out.trim(), /^fake k6 ran: run x\.js usage_report_off=true gogc=400 memlimit=\d+MiB$/);
  const kept = runK6Script(["run", "x.js"], { K6: join(dir, "k6"), PATH: nodeDir, K6_NO_USAGE_REPORT: "false", GOGC: "150", GOMEMLIMIT: "1GiB" });
  assert.equal(kept.out.trim(), "fake k6 ran: run x.js usage_report_off=false gogc=150 memlimit=1GiB", "values the user set are kept");
  const missing = runK6Script(["version"], { K6: "k6-nowhere", PATH: nodeDir });
  assert.equal(missing.status, 1);
  assert.equal(missing.out.trim(), "K6=k6-nowhere: not found on PATH");
});

test("K6= too old for the bundles: one line naming the minimum version and what to do, and k6 is not run", () => {
  const dir = fakeK6("v0.52.0");
  const r = runK6Script(["run", "dist/matchmaking.js"], { K6: join(dir, "k6"), PATH: nodeDir });
  assert.equal(r.status, 1);
  assert.equal(r.out.trim().split("\n").length, 1, r.out);
  assert.match(r.out, /^K6=.*\/k6 is k6 v0\.52\.0, and k6-socketio needs k6 v1\.8\.0 or newer: install a newer k6, or unset K6 to use the pinned k6 v2\.2\.0/);
  assert.doesNotMatch(r.out, /fake k6 ran/);
});

test("a k6 on PATH: used when supported; skipped with a one-line note when too old", () => {
  const good = runK6Script(["run", "y.js"], { PATH: `${fakeK6("v2.0.1")}:${nodeDir}` });
  assert.match(good.out.trim(), /^fake k6 ran: run y\.js usage_report_off=true gogc=400/);
  // Too old: noted, then the pinned build (present in .tools/, or a `go install` that this
  // test's fake `go` refuses).
  const old = runK6Script(["version"], { PATH: `${fakeK6("v0.52.0")}:${noGo()}:${nodeDir}` });
  const lines = old.stderr.trim().split("\n");
  assert.match(lines[0]!, /^note: ignoring \/.*\/k6 \(k6 v0\.52\.0: k6-socketio needs k6 v1\.8\.0 or newer\); using the pinned k6 v2\.2\.0 in \.tools\/$/);
  assert.doesNotMatch(old.out, /fake k6 ran/);
  if (old.status !== 0) assert.match(lines[1]!, /k6 v2\.2\.0 is built from source and needs Go/);
  else assert.match(old.stdout, /^k6 v2\.2\.0/);
});

test("Go's GC settings for the project's k6 runs: GOGC=400 and GOMEMLIMIT at half the memory, unless the user set them", () => {
  assert.deepEqual(goRuntimeDefaults({}, 24 * 2 ** 30), { GOGC: "400", GOMEMLIMIT: "12288MiB" });
  assert.deepEqual(goRuntimeDefaults({ GOGC: "100" }, 8 * 2 ** 30), { GOMEMLIMIT: "4096MiB" });
  assert.deepEqual(goRuntimeDefaults({ GOGC: "off", GOMEMLIMIT: "2GiB" }, 8 * 2 ** 30), {});
});
