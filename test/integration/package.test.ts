// The library as users get it: the npm package (`npm pack`, installed offline in a folder
// outside the repository, typechecked with tsc --strict, bundled with esbuild, run with k6) and
// the single-file build (dist/lib/k6-socketio.js copied next to a plain k6 script, run by k6
// as .ts and as .js). Every run talks to the reference server on loopback.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { after, before, test } from "node:test";
import { build } from "esbuild";
import { k6BundleOptions, libDir } from "../../build.mjs";
import { root, runK6, startTarget, thresholdResults } from "../../scripts/lib.mjs";
import { k6 } from "../helpers/k6run.ts";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const consumerDir = join(root, "test", "consumer");

let work: string;
let tarball: string;
let server: Awaited<ReturnType<typeof startTarget>>;

interface Exec {
  code: number | null;
  out: string;
}

/** Runs a command with a hard time bound; resolves with its exit code and output. */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<Exec> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" },
    });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const timer = setTimeout(() => {
      out += `\n[killed after ${timeoutMs} ms]`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      resolve({ code: null, out: `${out}\n${err.message}` });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The consumer's @types/k6: the repo's copy, linked where npm would have installed it. */
function linkK6Types(dir: string): void {
  mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
  symlinkSync(join(root, "node_modules", "@types", "k6"), join(dir, "node_modules", "@types", "k6"), "dir");
}

/** A strict tsconfig as a k6 user would write one: ES2020, k6's types, no DOM, no Node. */
function writeTsconfig(dir: string, files: string[]): void {
  const compilerOptions = {
    target: "ES2020",
    module: "ESNext",
    moduleResolution: "Bundler",
    lib: ["ES2020"],
    types: ["k6"],
    strict: true,
    noEmit: true,
    // Our declaration files are checked too, as a consumer without skipLibCheck would.
    skipLibCheck: false,
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files }, null, 2));
}

async function typecheck(dir: string): Promise<void> {
  const r = await run(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], dir, 90_000);
  assert.equal(r.code, 0, `tsc in ${dir}:\n${r.out}`);
}

interface K6Result {
  code: number;
  summary: { metrics: Record<string, Record<string, number>> } | null;
  output: string;
}

async function k6Run(script: string, env: Record<string, string>): Promise<K6Result> {
  const summaryPath = join(mkdtempSync(join(work, "summary-")), "summary.json");
  const r = await runK6(k6(), script, { env, args: ["--quiet"], summaryPath, timeoutMs: 60_000 });
  const failed = thresholdResults(r.summary).filter((t) => !t.ok);
  const output = `exit ${r.code}, failed thresholds ${JSON.stringify(failed)}\n--- stdout ---\n${r.stdout.slice(-3000)}\n--- stderr ---\n${r.stderr.slice(-3000)}`;
  return { code: r.code, summary: r.summary, output };
}

/** Asserts exit 0 and that every check passed, `checks` of them, i.e. the server really answered. */
function assertTalked(r: K6Result, checks: number): void {
  assert.equal(r.code, 0, r.output);
  const c = r.summary?.metrics.checks;
  assert.deepEqual({ passes: c?.passes, fails: c?.fails }, { passes: checks, fails: 0 }, r.output);
  assert.ok((r.summary?.metrics.socketio_messages_received?.count ?? 0) > 0, `no Socket.IO packet received:\n${r.output}`);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "k6sio-pkg-"));
  // npm pack runs the prepack script, which rebuilds dist/lib: the single-file tests use it too.
  const packDir = join(work, "pack");
  mkdirSync(packDir);
  const packed = await run(npm, ["pack", "--pack-destination", packDir], root, 180_000);
  assert.equal(packed.code, 0, `npm pack:\n${packed.out}`);
  const tgz = readdirSync(packDir).filter((f) => f.endsWith(".tgz"));
  assert.equal(tgz.length, 1, `npm pack wrote ${JSON.stringify(tgz)}`);
  tarball = join(packDir, tgz[0]!);
  server = await startTarget();
});

after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the tarball holds the built library, README and license notices, and no dependencies", { timeout: 60_000 }, async () => {
  const list = await run("tar", ["-tzf", tarball], work, 30_000);
  assert.equal(list.code, 0, list.out);
  const files = list.out.split("\n").filter(Boolean).sort();
  assert.deepEqual(files, [
    "package/LICENSE",
    "package/README.md",
    "package/dist/lib/THIRD-PARTY-LICENSES.txt",
    "package/dist/lib/k6-socketio-kit.d.ts",
    "package/dist/lib/k6-socketio-kit.js",
    "package/dist/lib/k6-socketio-msgpack.d.ts",
    "package/dist/lib/k6-socketio-msgpack.js",
    "package/dist/lib/k6-socketio.d.ts",
    "package/dist/lib/k6-socketio.js",
    "package/package.json",
  ]);
  const pkgJson = await run("tar", ["-xzOf", tarball, "package/package.json"], work, 30_000);
  const pkg = JSON.parse(pkgJson.out) as Record<string, unknown>;
  assert.equal(pkg.dependencies, undefined, "a runtime dependency would not install offline");
  assert.deepEqual(Object.keys(pkg.exports as object), [".", "./msgpack", "./kit", "./package.json"]);
});

test("a consumer outside the repo installs the tarball offline, typechecks, bundles and runs a scenario", { timeout: 240_000 }, async () => {
  const dir = join(work, "consumer");
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "my-load-tests", private: true, type: "module" }, null, 2));
  const installed = await run(npm, ["install", "--offline", "--no-audit", "--no-fund", tarball], dir, 120_000);
  assert.equal(installed.code, 0, `npm install:\n${installed.out}`);
  assert.deepEqual(
    readdirSync(join(dir, "node_modules")).filter((f) => !f.startsWith(".")),
    ["k6-socketio"],
    "the package brings no dependencies",
  );
  linkK6Types(dir);
  copyFileSync(join(consumerDir, "scenario.ts"), join(dir, "scenario.ts"));
  writeTsconfig(dir, ["scenario.ts"]);
  await typecheck(dir);

  // The repo's esbuild settings for k6, without its alias: "k6-socketio" resolves to the installed package.
  const { alias: _alias, ...settings } = k6BundleOptions;
  const outfile = join(dir, "dist", "scenario.js");
  const result = await build({ ...settings, absWorkingDir: dir, entryPoints: [join(dir, "scenario.ts")], outfile, metafile: true });
  assert.ok(result.metafile);
  const inputs = Object.keys(result.metafile.inputs);
  const foreign = inputs.filter((i) => i !== "scenario.ts" && !i.startsWith("node_modules/k6-socketio/dist/lib/"));
  assert.deepEqual(foreign, [], "everything comes from the scenario and the installed package");
  assert.deepEqual(inputs.filter((i) => i.endsWith("/k6-socketio.js")).length, 1, "one copy of the library (the kit imports it)");

  assertTalked(await k6Run(outfile, { TARGET_URL: server.url }), 8);
  const msgpackServer = await startTarget(["--parser", "msgpack"]);
  try {
    assertTalked(await k6Run(outfile, { TARGET_URL: msgpackServer.url, PARSER: "msgpack" }), 8);
  } finally {
    await msgpackServer.stop();
  }
});

function singleFileFolder(name: string, files: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const f of files) {
    const from = f.startsWith("my-test") ? join(consumerDir, "single-file", f) : join(libDir, f);
    assert.ok(existsSync(from), `${relative(root, from).split(sep).join("/")} is missing`);
    copyFileSync(from, join(dir, f));
  }
  return dir;
}

test("the single-file build runs in a plain k6 TypeScript script, with its types, no build step", { timeout: 120_000 }, async () => {
  const dir = singleFileFolder("single-ts", ["k6-socketio.js", "k6-socketio.d.ts", "my-test.ts"]);
  linkK6Types(dir);
  writeTsconfig(dir, ["my-test.ts"]);
  await typecheck(dir);
  assertTalked(await k6Run(join(dir, "my-test.ts"), { TARGET_URL: server.url }), 6);
});

test("the single-file build runs in a plain k6 JavaScript script, with the kit beside it", { timeout: 120_000 }, async () => {
  const dir = singleFileFolder("single-js", ["k6-socketio.js", "k6-socketio-kit.js", "my-test.js"]);
  assertTalked(await k6Run(join(dir, "my-test.js"), { TARGET_URL: server.url }), 6);
});
