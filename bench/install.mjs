// bench/install.mjs: installs the third-party load tools of the side-by-side benchmark into
// project-local, git-ignored folders (see bench/.gitignore), and tells the runner how to launch them.
//
//   - bench/tools/node_modules  from bench/tools/package.json + package-lock.json (pinned):
//       artillery (its built-in `socketio` engine uses socket.io-client 4.x, i.e. Socket.IO v5 /
//       Engine.IO v4, so no engine plugin is needed) and socket.io-client for the plain-Node client.
//       Installed with --ignore-scripts: artillery depends on @playwright/browser-chromium, whose
//       install script downloads a browser (not reachable here, and not needed for Socket.IO).
//   - bench/.venv  from bench/tools/locust/requirements.txt (pinned): locust + python-socketio.
//
// Each part is skipped when a stamp (hash of its manifest) matches. installBenchTools() never
// throws: it returns {artillery, node, locust}, each {ok, version, errors, skipped}, so that the
// benchmark can report a tool that failed to install as a failed row.
//
// `node bench/install.mjs` installs and prints that result (exit code 1 if any tool failed).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = dirname(fileURLToPath(import.meta.url));
const toolsDir = join(benchDir, "tools");
const nodeModules = join(toolsDir, "node_modules");
const npmStamp = join(nodeModules, ".bench-install-stamp");
const venvDir = join(benchDir, ".venv");
const venvPython = join(venvDir, "bin", "python");
const requirements = join(toolsDir, "locust", "requirements.txt");
const venvStamp = join(venvDir, ".bench-install-stamp");

const INSTALL_TIMEOUT_MS = 20 * 60 * 1000;

function sha256(...parts) {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

function packageVersion(name) {
  return readJson(join(nodeModules, ...name.split("/"), "package.json"))?.version;
}

/** Version of a Python distribution installed in bench/.venv, read from its .dist-info folder. */
function pythonPackageVersion(dist) {
  const lib = join(venvDir, "lib");
  if (!existsSync(lib)) return undefined;
  const wanted = dist.toLowerCase().replace(/[-_.]+/g, "_");
  for (const py of readdirSync(lib)) {
    const site = join(lib, py, "site-packages");
    if (!existsSync(site)) continue;
    for (const entry of readdirSync(site)) {
      const m = /^(.+)-([^-]+)\.dist-info$/.exec(entry);
      if (m && m[1].toLowerCase().replace(/[-_.]+/g, "_") === wanted) return m[2];
    }
  }
  return undefined;
}

/** Runs a command; resolves {code, output} (output = last ~8 KB of stdout+stderr), never rejects. */
function run(cmd, args, { cwd = benchDir, env = process.env, timeoutMs = INSTALL_TIMEOUT_MS } = {}) {
  return new Promise((done) => {
    let output = "";
    const keep = (chunk) => {
      output = (output + chunk.toString()).slice(-8192);
    };
    let child;
    try {
      child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      done({ code: -1, output: String(err) });
      return;
    }
    const timer = setTimeout(() => {
      keep(`\n[timed out after ${timeoutMs} ms]`);
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (err) => keep(`\n${err.message}`));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 128 : -1), output });
    });
  });
}

/** The last lines of a failed command's output worth reporting (no stack frames, no noise). */
function tail(output, lines = 8) {
  return output
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l && !/Unknown user config|^npm (error|ERR!)\s*$|^npm (error|ERR!)\s+(at |\{|\}|A complete log)|^\s+at /.test(l))
    .slice(-lines);
}

async function installNpmTools(log) {
  const errors = [];
  const pkg = join(toolsDir, "package.json");
  const lock = join(toolsDir, "package-lock.json");
  const stampOf = () => sha256(readFileSync(pkg), existsSync(lock) ? readFileSync(lock) : "");
  const present = () => existsSync(join(nodeModules, "artillery", "package.json")) && existsSync(join(nodeModules, "socket.io-client", "package.json"));

  if (existsSync(lock) && present() && existsSync(npmStamp) && readFileSync(npmStamp, "utf8") === stampOf()) {
    return { errors, skipped: true };
  }
  const firstTime = !existsSync(lock);
  const verb = firstTime ? "install" : "ci";
  log(`[bench install] npm ${verb} --prefix ${toolsDir} (artillery, socket.io-client)…`);
  const env = {
    ...process.env,
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1",
    ARTILLERY_DISABLE_TELEMETRY: "true",
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
  };
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const res = await run(npm, [verb, "--prefix", toolsDir, "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: toolsDir, env });
  if (res.code !== 0) {
    errors.push(`npm ${verb} failed (exit ${res.code})`, ...tail(res.output));
    return { errors, skipped: false };
  }
  if (!present()) {
    errors.push(`npm ${verb} succeeded but artillery/socket.io-client are missing from ${nodeModules}`);
    return { errors, skipped: false };
  }
  writeFileSync(npmStamp, stampOf());
  return { errors, skipped: false };
}

async function installLocust(log) {
  const errors = [];
  if (!existsSync(requirements)) return { errors: [`missing ${requirements}`], skipped: false };
  const system = process.env.PYTHON ?? "python3";
  const wanted = sha256(readFileSync(requirements));
  if (existsSync(venvPython) && existsSync(venvStamp) && readFileSync(venvStamp, "utf8") === wanted) {
    return { errors, skipped: true };
  }
  log(`[bench install] python venv ${venvDir} (locust, python-socketio)…`);
  if (!existsSync(venvPython)) {
    const made = await run(system, ["-m", "venv", venvDir]);
    if (made.code !== 0) {
      errors.push(`${system} -m venv failed (exit ${made.code}): Python 3 with venv is needed for Locust`, ...tail(made.output));
      return { errors, skipped: false };
    }
  }
  const pip = await run(venvPython, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "-r", requirements], {
    env: { ...process.env, PIP_NO_INPUT: "1" },
  });
  if (pip.code !== 0) {
    errors.push(`pip install -r ${requirements} failed (exit ${pip.code})`, ...tail(pip.output));
    return { errors, skipped: false };
  }
  // Import check: the whole stack the locustfile uses, under gevent's monkey-patching as in Locust.
  const check = await run(venvPython, ["-c", "import locust, socketio, engineio, websocket, gevent; print('ok')"]);
  if (check.code !== 0 || !check.output.includes("ok")) {
    errors.push(`the Locust venv does not import (exit ${check.code})`, ...tail(check.output));
    return { errors, skipped: false };
  }
  writeFileSync(venvStamp, wanted);
  return { errors, skipped: false };
}

async function safely(fn, log) {
  try {
    return await fn(log);
  } catch (err) {
    return { errors: [`installer crashed: ${err instanceof Error ? err.message : String(err)}`], skipped: false };
  }
}

/**
 * Installs (or checks) every third-party tool. Never throws.
 * @returns {Promise<Record<"artillery"|"node"|"locust", {ok: boolean, version?: string, errors: string[], skipped: boolean}>>}
 */
export async function installBenchTools({ log = console.log } = {}) {
  const [npmRes, locustRes] = await Promise.all([safely(installNpmTools, log), safely(installLocust, log)]);
  const tools = Object.fromEntries(benchTools().map((t) => [t.id, t]));
  const row = (id, res) => {
    const errors = [...res.errors];
    if (!errors.length && !tools[id].installed) errors.push(`${id}: not installed after the install step`);
    return { ok: errors.length === 0, version: tools[id].version, errors, skipped: res.skipped };
  };
  return {
    artillery: row("artillery", npmRes),
    node: row("node", npmRes),
    locust: row("locust", locustRes),
  };
}

/**
 * How the runner launches each tool: spawn `command` (absolute paths) in `cwd` with the contract's
 * BENCH_* variables set. Each tool writes BENCH_OUT itself (see bench/README.md).
 * @returns {{id: string, name: string, version: string|undefined, versions: Record<string,string|undefined>, installed: boolean, command: string[], cwd: string}[]}
 */
export function benchTools() {
  const artilleryVersion = packageVersion("artillery");
  const clientVersion = packageVersion("socket.io-client");
  const locustVersion = pythonPackageVersion("locust");
  const pySioVersion = pythonPackageVersion("python-socketio");
  return [
    {
      id: "artillery",
      name: "artillery",
      version: artilleryVersion,
      versions: { artillery: artilleryVersion, "socket.io-client": clientVersion, node: process.versions.node },
      installed: Boolean(artilleryVersion && existsSync(join(nodeModules, "artillery", "bin", "run"))),
      command: [process.execPath, join(toolsDir, "artillery", "run.mjs")],
      cwd: join(toolsDir, "artillery"),
    },
    {
      id: "locust",
      name: "locust",
      version: locustVersion,
      versions: {
        locust: locustVersion,
        "python-socketio": pySioVersion,
        "python-engineio": pythonPackageVersion("python-engineio"),
        "websocket-client": pythonPackageVersion("websocket-client"),
        gevent: pythonPackageVersion("gevent"),
      },
      installed: Boolean(locustVersion && pySioVersion && existsSync(venvPython)),
      command: [venvPython, join(toolsDir, "locust", "launch.py")],
      cwd: join(toolsDir, "locust"),
    },
    {
      id: "node",
      name: "node-socket.io-client",
      version: clientVersion,
      versions: { "socket.io-client": clientVersion, node: process.versions.node },
      installed: Boolean(clientVersion),
      command: [process.execPath, join(toolsDir, "node", "client.mjs")],
      cwd: join(toolsDir, "node"),
    },
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await installBenchTools({ log: (line) => console.error(line) });
  console.log(JSON.stringify(result, null, 2));
  process.exit(Object.values(result).every((r) => r.ok) ? 0 : 1);
}
