// npm test — bootstraps (npm packages, k6, the Python venv, Chromium), typechecks and bundles,
// then runs the unit tests and the integration tests (real k6 on dist/*.js against the
// reference server).
//   npm test -- unit                   unit tests only
//   npm test -- integration            integration tests only
//   npm test -- integration --k6 oldest   on the oldest supported k6 (scripts/k6-oldest, built
//                                      into .tools/ like the pinned one); --k6 pinned ignores
//                                      $K6 and PATH. Without --k6: $K6, else a supported k6 on
//                                      PATH, else the pinned build (scripts/lib.mjs ensureK6).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { build, ensureK6, ensureNodeModules, root } from "./lib.mjs";
import { ensureChromium } from "./chromium.mjs";
import { ensurePythonVenv } from "./python-venv.mjs";

const usage = "usage: npm test [-- unit|integration] [--k6 auto|pinned|oldest]";
let only;
let which = "auto";
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "unit" || a === "integration") only = a;
  else if (a === "--k6") which = args[++i];
  else if (a.startsWith("--k6=")) which = a.slice("--k6=".length);
  else {
    console.error(usage);
    process.exit(2);
  }
}
if (!["auto", "pinned", "oldest"].includes(which)) {
  console.error(usage);
  process.exit(2);
}

function files(dir) {
  return readdirSync(join(root, "test", dir))
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => join("test", dir, f));
}

try {
  ensureNodeModules();
  const suites = only ? [only] : ["unit", "integration"];
  const env = { ...process.env };
  if (suites.includes("integration")) {
    env.K6 = ensureK6({ which });
    // Before the tests: several integration files use the Python peers, two at a time.
    ensurePythonVenv();
    // The report's browser test renders it in headless Chromium (installed here when possible).
    const chromium = ensureChromium();
    if (!chromium.path) console.log(`note: ${chromium.reason}: the report's and the recorder's browser tests will be skipped`);
  }
  build();
  const testFiles = suites.flatMap(files);
  // Two files at a time: each integration file drives one k6 and one server, on two cores.
  const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...testFiles], {
    cwd: root,
    stdio: "inherit",
    env,
  });
  process.exit(r.status ?? 1);
} catch (err) {
  console.error(`npm test failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
