// Shared by `npm start`, `npm test` and the integration tests: bootstrap (npm packages, k6),
// the reference server as a child process, and k6 runs. Node built-ins only, because this
// runs before `npm ci` may have happened.
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { totalmem } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

// Every k6 the project's scripts start (and the tests, which inherit this environment) runs
// without k6's usage report, unless the user chose otherwise.
process.env.K6_NO_USAGE_REPORT ??= "true";

/**
 * Go's garbage collector settings for the k6 runs the project starts (npm start, gate, bench,
 * `npm run k6`, the tests), unless the user set them: GOGC=400 lets the heap grow to 5× the live
 * data between collections instead of 2×, which k6's many short-lived per-message objects pay
 * back in CPU (docs/benchmarks.md has the figures); GOMEMLIMIT at half the machine's (or the
 * cgroup's) memory makes the collector work harder before that much is held, so the larger
 * heap cannot run the machine out of memory.
 * @param {Record<string, string | undefined>} env
 * @param {number} memoryBytes
 */
export function goRuntimeDefaults(env, memoryBytes) {
  const out = {};
  if (!env.GOGC) out.GOGC = "400";
  if (!env.GOMEMLIMIT && memoryBytes > 0) out.GOMEMLIMIT = `${Math.floor(memoryBytes / 2 / 2 ** 20)}MiB`;
  return out;
}

/** The memory this process may use: the cgroup's limit when there is one, else the machine's. */
function availableMemoryBytes() {
  try {
    const limit = readFileSync("/sys/fs/cgroup/memory.max", "utf8").trim();
    if (/^\d+$/.test(limit)) return Math.min(Number(limit), totalmem());
  } catch {
    /* no cgroup v2 limit here */
  }
  return totalmem();
}

Object.assign(process.env, goRuntimeDefaults(process.env, availableMemoryBytes()));

/**
 * The two k6 builds the project pins, each a Go module under scripts/ built with `go install`
 * into .tools/k6-<version>/: `pinned` (what `npm start` and `npm test` use by default) and
 * `oldest`, the oldest supported k6 (CI runs the integration tests on it too).
 */
const K6_BUILDS = {
  pinned: { dir: join(root, "scripts", "k6"), module: "go.k6.io/k6/v2" },
  oldest: { dir: join(root, "scripts", "k6-oldest"), module: "go.k6.io/k6" },
};

function moduleVersion(which) {
  const { dir, module } = K6_BUILDS[which];
  const mod = readFileSync(join(dir, "go.mod"), "utf8");
  const escaped = module.replace(/[./]/g, (c) => `\\${c}`);
  const m = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v[\\d.]+)\\s*$`, "m").exec(mod);
  if (!m) throw new Error(`${join(dir, "go.mod")} does not require ${module}`);
  return m[1];
}

/** The pinned k6 version: the one scripts/k6/go.mod requires. */
export function pinnedK6Version() {
  return moduleVersion("pinned");
}

/** The oldest supported k6 that CI tests: the one scripts/k6-oldest/go.mod requires. */
export function oldestK6Version() {
  return moduleVersion("oldest");
}

/** The minimum k6 version the bundles support: the oldest tested minor line (v1.8.0 for v1.8.1). */
export function minimumK6Version() {
  const [major, minor] = parseVersion(oldestK6Version());
  return `v${major}.${minor}.0`;
}

/** [major, minor, patch] of "v1.8.1" / "k6 v1.8.1 (go1.26, linux/amd64)", or null. */
export function parseVersion(text) {
  const m = /v(\d+)\.(\d+)\.(\d+)/.exec(text ?? "");
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

function compareVersions(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * Whether the project supports this k6 version: "ok", "too-old" (below the minimum: it cannot
 * parse the bundles or lacks modules they use) or "untested" (a newer major than the pinned).
 */
export function k6Support(version) {
  const v = parseVersion(version);
  if (!v) return "unknown";
  if (compareVersions(v, parseVersion(minimumK6Version())) < 0) return "too-old";
  if (v[0] > parseVersion(pinnedK6Version())[0]) return "untested";
  return "ok";
}

/** The version a k6 binary reports ("v2.2.0"), or undefined if it does not run. */
export function k6Version(k6) {
  const r = spawnSync(k6, ["version"], { encoding: "utf8", timeout: 30_000 });
  const v = parseVersion(r.stdout);
  return v ? `v${v.join(".")}` : undefined;
}

/** An executable on PATH (like `command -v`), or undefined. */
export function findOnPath(name) {
  const exts = process.platform === "win32" ? (process.env.PATHEXT ?? ".EXE;.CMD").split(";") : [""];
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      try {
        accessSync(candidate, constants.X_OK);
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Installs npm packages when node_modules is missing or older than package-lock.json. */
export function ensureNodeModules() {
  const marker = join(root, "node_modules", ".package-lock.json");
  const lock = join(root, "package-lock.json");
  if (existsSync(marker) && readFileSync(marker, "utf8").length > 0 && mtime(marker) >= mtime(lock)) return;
  console.log("installing npm packages (npm ci)…");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm ci failed (see above)");
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

/**
 * Path of the k6 binary to run, its version checked:
 *   which "auto" (default): $K6 (a path, or a name on PATH) when set, else a k6 on PATH whose
 *     version is supported, else the pinned build;
 *   which "pinned" / "oldest": that build, whatever $K6 and PATH say.
 * A build is made with `go install` from the Go module proxy the first time (about two minutes)
 * into .tools/k6-<version>/. An unsupported $K6 is an error naming the minimum version; an
 * unsupported k6 on PATH is skipped with a one-line note.
 * @param {{ quiet?: boolean, which?: "auto" | "pinned" | "oldest" }} [options]
 */
export function ensureK6({ quiet = false, which = "auto" } = {}) {
  if (which === "pinned" || which === "oldest") return buildK6(which, quiet);
  if (which !== "auto") throw new Error(`unknown k6 choice "${which}": auto, pinned or oldest`);
  const minimum = minimumK6Version();
  if (process.env.K6) {
    const given = process.env.K6;
    const k6 = /[\\/]/.test(given) ? given : findOnPath(given);
    if (!k6 || !existsSync(k6)) throw new Error(`K6=${given}: ${/[\\/]/.test(given) ? "no such file" : "not found on PATH"}`);
    const version = k6Version(k6);
    const support = k6Support(version);
    if (support === "unknown") throw new Error(`K6=${given}: \`${k6} version\` printed no k6 version; is it k6?`);
    if (support === "too-old") {
      throw new Error(`K6=${given} is k6 ${version}, and k6-socketio needs k6 ${minimum} or newer: install a newer k6, or unset K6 to use the pinned k6 ${pinnedK6Version()} (built into .tools/)`);
    }
    if (support === "untested") console.warn(`note: K6=${given} is k6 ${version}, newer than the tested k6 ${pinnedK6Version()}: using it anyway`);
    if (!quiet) console.log(`k6 ${version}: ${k6} (K6=${given})`);
    return k6;
  }
  const onPath = findOnPath("k6");
  if (onPath) {
    const version = k6Version(onPath);
    const support = k6Support(version);
    if (support === "ok") {
      if (!quiet) console.log(`k6 ${version}: ${onPath} (on PATH)`);
      return onPath;
    }
    const why = support === "too-old" ? `k6-socketio needs k6 ${minimum} or newer` : support === "untested" ? `newer than the tested k6 ${pinnedK6Version()}` : "it printed no k6 version";
    console.warn(`note: ignoring ${onPath} (k6 ${version ?? "?"}: ${why}); using the pinned k6 ${pinnedK6Version()} in .tools/`);
  }
  return buildK6("pinned", quiet);
}

/** The `which` build in .tools/k6-<version>/, built with `go install` when missing. */
function buildK6(which, quiet) {
  const { dir, module } = K6_BUILDS[which];
  const version = moduleVersion(which);
  const bin = join(root, ".tools", `k6-${version}`);
  const k6 = join(bin, process.platform === "win32" ? "k6.exe" : "k6");
  if (existsSync(k6) && k6Version(k6) === version) {
    if (!quiet) console.log(`k6 ${version}: ${k6}`);
    return k6;
  }
  const go = spawnSync("go", ["version"], { encoding: "utf8" });
  if (go.status !== 0) {
    throw new Error(`k6 ${version} is built from source and needs Go (>= 1.25) on PATH; or set K6=/path/to/k6 (k6 ${minimumK6Version()} or newer)`);
  }
  console.log(`building k6 ${version} with go install (first run only, about two minutes)…`);
  mkdirSync(bin, { recursive: true });
  const started = Date.now();
  const r = spawnSync("go", ["install", module], {
    cwd: dir,
    stdio: "inherit",
    env: { ...process.env, CGO_ENABLED: "0", GOBIN: bin, GOFLAGS: "-mod=readonly" },
  });
  if (r.status !== 0 || !existsSync(k6)) throw new Error(`go install of k6 ${version} failed (see above)`);
  console.log(`built k6 ${k6Version(k6)} in ${Math.round((Date.now() - started) / 1000)} s: ${k6}`);
  return k6;
}

/** Typechecks and bundles the scenarios. */
export function build({ typecheck = true } = {}) {
  const args = [join(root, "build.mjs")];
  if (!typecheck) args.push("--no-typecheck");
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error("build failed (see above)");
}

/**
 * Starts the reference server on a free loopback port. Resolves with its URL and a stop
 * function once it printed its listening line; rejects if it exits or stays silent.
 * @param {string[]} [args]
 * @param {{ timeoutMs?: number, echo?: boolean }} [options]
 * @returns {Promise<{ url: string, process: import("node:child_process").ChildProcess, stop: () => Promise<void> }>}
 */
export function startTarget(args = [], options = {}) {
  return startProcess(join(root, "src", "target", "main.ts"), ["--port", "0", ...args], options);
}

/**
 * Starts the test proxy (src/target/proxy.ts) in front of the given backends.
 * @param {string[]} args
 */
export function startProxy(args) {
  return startProcess(join(root, "src", "target", "proxy.ts"), ["--port", "0", ...args], {});
}

/**
 * Starts a TypeScript or JavaScript server that prints "listening on <url>".
 * @param {string} entry
 * @param {string[]} args
 * @param {{ timeoutMs?: number, echo?: boolean, interpreter?: string }} [options]
 * @returns {Promise<{ url: string, process: import("node:child_process").ChildProcess, stop: () => Promise<void> }>}
 */
export function startProcess(entry, args, { timeoutMs = 20_000, echo = false, interpreter = process.execPath } = {}) {
  const loader = entry.endsWith(".ts") ? ["--import", "tsx"] : entry.endsWith(".py") ? ["-u"] : [];
  const child = spawn(interpreter, [...loader, entry, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${entry} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      if (echo) process.stdout.write(chunk);
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.stdout.off("data", onData);
        if (echo) child.stdout.on("data", (c) => process.stdout.write(c));
        child.stdout.resume();
        child.stderr.resume();
        resolve({ url: m[1], process: child, stop: () => stopChild(child) });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (c) => {
      output += c;
      if (echo) process.stderr.write(c);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with code ${code} before listening:\n${output}`));
    });
  });
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Runs `k6 run` on a bundle. Resolves with the exit code, the output, and the parsed
 * --summary-export JSON (null if k6 wrote none). `timeoutMs` bounds the whole run.
 */
/**
 * @param {string} k6
 * @param {string} script
 * @param {{ env?: Record<string, string>, args?: string[], summaryPath?: string, timeoutMs?: number, echo?: boolean, onStderr?: (chunk: string) => void }} [options]
 * @returns {Promise<{ code: number, signal: string | null, stdout: string, stderr: string, summary: any }>}
 */
export function runK6(k6, script, { env = {}, args = [], summaryPath, timeoutMs = 180_000, echo = false, onStderr } = {}) {
  const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  const all = ["run", "--no-color", ...(summaryPath ? ["--summary-export", summaryPath] : []), ...envArgs, ...args, script];
  const child = spawn(k6, all, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => {
    stdout += c;
    if (echo) process.stdout.write(c);
  });
  child.stderr.on("data", (c) => {
    stderr += c;
    if (echo) process.stderr.write(c);
    if (onStderr) onStderr(String(c));
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      let summary = null;
      if (summaryPath && existsSync(summaryPath)) {
        try {
          summary = JSON.parse(readFileSync(summaryPath, "utf8"));
        } catch {
          summary = null;
        }
      }
      resolve({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr, summary });
    });
  });
}

/**
 * Thresholds from a --summary-export file: [{ metric, expression, ok, noData }]. The kit's
 * no-data guards (k6socketio_samples{threshold:<id>}, src/kit/data-guard.ts) are not listed:
 * a failed one marks the threshold it guards as failed with no data.
 */
export function thresholdResults(summary) {
  /** @type {{ metric: string, expression: string, ok: boolean, noData?: boolean }[]} */
  const out = [];
  const starved = new Set();
  const guard = /^k6socketio_samples\{threshold:(.+)\}$/;
  for (const [metric, data] of Object.entries(summary?.metrics ?? {})) {
    const id = guard.exec(metric)?.[1];
    if (id !== undefined && Object.values(data.thresholds ?? {}).some((failed) => failed)) starved.add(id);
  }
  for (const [metric, data] of Object.entries(summary?.metrics ?? {})) {
    if (guard.test(metric)) continue;
    const noData = starved.has(guardIdOf(metric));
    for (const [expression, failed] of Object.entries(data.thresholds ?? {})) {
      // --summary-export stores, for each expression, whether it FAILED.
      out.push({ metric, expression, ok: !failed && !noData, ...(noData ? { noData } : {}) });
    }
  }
  return out.sort((a, b) => a.metric.localeCompare(b.metric));
}

/** The guard id of a threshold key, as src/kit/threshold-key.ts names it: "m{a:b}" -> "m.a=b". */
function guardIdOf(key) {
  const brace = key.indexOf("{");
  if (brace < 0) return key.trim().replace(/[{},:\s]/g, "_");
  const pairs = key.slice(brace + 1, key.lastIndexOf("}")).split(",").map((p) => p.trim()).filter(Boolean);
  const parts = pairs.map((p) => `${p.slice(0, p.indexOf(":")).trim()}=${p.slice(p.indexOf(":") + 1).trim()}`);
  return [key.slice(0, brace).trim(), ...parts].join(".").replace(/[{},:\s]/g, "_");
}
