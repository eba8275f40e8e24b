// Finds a headless-capable Chromium for the report's browser test: $CHROMIUM, else chromium (or
// chromium-browser, google-chrome) on PATH, else Debian's `chromium` package installed with
// apt-get when this runs as root on a system that has apt-get. Returns { path } or { reason }
// (the test then skips, printing the reason). `node scripts/chromium.mjs` by hand.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { findOnPath } from "./lib.mjs";

const NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

function found() {
  if (process.env.CHROMIUM) return existsSync(process.env.CHROMIUM) ? process.env.CHROMIUM : findOnPath(process.env.CHROMIUM);
  for (const name of NAMES) {
    const path = findOnPath(name);
    if (path) return path;
  }
  return undefined;
}

export function ensureChromium() {
  const path = found();
  if (path) return { path };
  if (process.platform !== "linux" || !findOnPath("apt-get")) return { reason: "no chromium on PATH, and no apt-get to install Debian's chromium package (set CHROMIUM=/path/to/chromium)" };
  if (typeof process.getuid === "function" && process.getuid() !== 0) return { reason: "no chromium on PATH; installing Debian's chromium package needs root: apt-get install -y chromium" };
  console.log("installing Debian's chromium package (apt-get install -y chromium)…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  let r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { stdio: "inherit", env, timeout: 15 * 60_000 });
  if (r.status !== 0) {
    spawnSync("apt-get", ["update"], { stdio: "inherit", env, timeout: 5 * 60_000 });
    r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { stdio: "inherit", env, timeout: 15 * 60_000 });
  }
  const installed = found();
  return installed ? { path: installed } : { reason: `apt-get install chromium failed (exit ${r.status ?? r.signal})` };
}

if (process.argv[1] && process.argv[1].endsWith("chromium.mjs")) {
  const r = ensureChromium();
  console.log(r.path ?? `no chromium: ${r.reason}`);
  process.exit(r.path ? 0 : 1);
}
