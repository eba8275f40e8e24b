// npm test — bootstraps (npm packages, k6), typechecks and bundles, then runs the unit tests
// and the integration tests (real k6 on dist/*.js against the reference server).
//   npm test -- unit           unit tests only
//   npm test -- integration    integration tests only
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { build, ensureK6, ensureNodeModules, root } from "./lib.mjs";

const only = process.argv[2];
if (only && only !== "unit" && only !== "integration") {
  console.error(`usage: npm test [-- unit|integration]`);
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
  if (suites.includes("integration")) env.K6 = ensureK6();
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
