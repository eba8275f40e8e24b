// Shared by `npm start`, `npm test` and the integration tests: bootstrap (npm packages, k6),
// the reference server as a child process, and k6 runs. Node built-ins only, because this
// runs before `npm ci` may have happened.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const k6BuildDir = join(root, "scripts", "k6");

/** The pinned k6 version: the one scripts/k6/go.mod requires. */
export function pinnedK6Version() {
  const mod = readFileSync(join(k6BuildDir, "go.mod"), "utf8");
  const m = /^\s*(?:require\s+)?go\.k6\.io\/k6\/v2\s+(v[\d.]+)\s*$/m.exec(mod);
  if (!m) throw new Error("scripts/k6/go.mod does not require go.k6.io/k6/v2");
  return m[1];
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
 * Path of the k6 binary: $K6 when set, else the pinned version in .tools/, built with
 * `go install` from the Go module proxy the first time (about two minutes).
 */
export function ensureK6({ quiet = false } = {}) {
  if (process.env.K6) {
    if (!existsSync(process.env.K6)) throw new Error(`K6=${process.env.K6}: no such file`);
    return process.env.K6;
  }
  const version = pinnedK6Version();
  const bin = join(root, ".tools", `k6-${version}`);
  const k6 = join(bin, process.platform === "win32" ? "k6.exe" : "k6");
  if (existsSync(k6) && k6Version(k6) === version) {
    if (!quiet) console.log(`k6 ${version}: ${k6}`);
    return k6;
  }
  const go = spawnSync("go", ["version"], { encoding: "utf8" });
  if (go.status !== 0) {
    throw new Error(`k6 ${version} is built from source and needs Go (>= 1.25) on PATH; or set K6=/path/to/k6 (${version})`);
  }
  console.log(`building k6 ${version} with go install (first run only, about two minutes)…`);
  mkdirSync(bin, { recursive: true });
  const started = Date.now();
  const r = spawnSync("go", ["install", "go.k6.io/k6/v2"], {
    cwd: k6BuildDir,
    stdio: "inherit",
    env: { ...process.env, CGO_ENABLED: "0", GOBIN: bin, GOFLAGS: "-mod=readonly" },
  });
  if (r.status !== 0 || !existsSync(k6)) throw new Error(`go install of k6 ${version} failed (see above)`);
  console.log(`built k6 ${k6Version(k6)} in ${Math.round((Date.now() - started) / 1000)} s: ${k6}`);
  return k6;
}

function k6Version(k6) {
  const r = spawnSync(k6, ["version"], { encoding: "utf8" });
  return /k6 (v[\d.]+)/.exec(r.stdout ?? "")?.[1];
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
 * @param {{ env?: Record<string, string>, args?: string[], summaryPath?: string, timeoutMs?: number, echo?: boolean }} [options]
 * @returns {Promise<{ code: number, signal: string | null, stdout: string, stderr: string, summary: any }>}
 */
export function runK6(k6, script, { env = {}, args = [], summaryPath, timeoutMs = 180_000, echo = false } = {}) {
  const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  const all = ["run", "--no-color", ...(summaryPath ? ["--summary-export", summaryPath] : []), ...envArgs, ...args, script];
  const child = spawn(k6, all, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, K6_NO_USAGE_REPORT: "true" } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => {
    stdout += c;
    if (echo) process.stdout.write(c);
  });
  child.stderr.on("data", (c) => {
    stderr += c;
    if (echo) process.stderr.write(c);
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

/** Thresholds from a --summary-export file: [{ metric, expression, ok }]. */
export function thresholdResults(summary) {
  /** @type {{ metric: string, expression: string, ok: boolean }[]} */
  const out = [];
  for (const [metric, data] of Object.entries(summary?.metrics ?? {})) {
    for (const [expression, failed] of Object.entries(data.thresholds ?? {})) {
      // --summary-export stores, for each expression, whether it FAILED.
      out.push({ metric, expression, ok: !failed });
    }
  }
  return out.sort((a, b) => a.metric.localeCompare(b.metric));
}
