// Creates .venv with the pinned interop peers (test/peers/requirements.txt); does nothing when
// it already matches. Used by the conformance tests; `node scripts/python-venv.mjs` by hand.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./lib.mjs";

export function ensurePythonVenv() {
  const venv = join(root, ".venv");
  const python = join(venv, "bin", "python");
  const requirements = join(root, "test", "peers", "requirements.txt");
  const stamp = join(venv, ".k6sio-requirements");
  const wanted = createHash("sha256").update(readFileSync(requirements)).digest("hex");
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, "utf8") === wanted) return python;
  const system = process.env.PYTHON ?? "python3";
  console.log(`creating .venv with the interop peers (${requirements})…`);
  if (!existsSync(python)) {
    const made = spawnSync(system, ["-m", "venv", venv], { stdio: "inherit" });
    if (made.status !== 0) throw new Error(`${system} -m venv failed: Python 3 with venv is needed for the interop tests`);
  }
  const pip = spawnSync(python, ["-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", requirements], { stdio: "inherit" });
  if (pip.status !== 0) throw new Error("pip install of the interop peers failed (see above)");
  writeFileSync(stamp, wanted);
  return python;
}

if (process.argv[1] && process.argv[1].endsWith("python-venv.mjs")) {
  try {
    console.log(ensurePythonVenv());
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
