// npm run bench:breakdown [-- --reps 5 --n 20000 --parts encode,decode]: runs each part
// of bench/k6/breakdown.ts in a k6 process of its own, pinned to one core, the parts interleaved
// REPS times, and prints each part's median µs per operation (and its spread).
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleFile } from "../build.mjs";
import { ensureK6, root } from "../scripts/lib.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REPS = arg("reps", 5);
const N = arg("n", 20000);
const ALL = ["floor", "encode", "decode", "registry", "sample", "clock", "send-silent", "reply-silent", "path-silent", "path-k6", "fanout-silent", "fanout-k6"];
const only = process.argv.indexOf("--parts");
const PARTS = only > 0 ? process.argv[only + 1].split(",") : ALL;

const k6 = ensureK6({ quiet: true });
const script = await bundleFile(join(root, "bench", "k6", "breakdown.ts"), join(mkdtempSync(join(tmpdir(), "k6sio-breakdown-")), "breakdown.js"));
const results = new Map(PARTS.map((p) => [p, []]));
for (let rep = 0; rep < REPS; rep++) {
  for (const part of PARTS) {
    const r = spawnSync("taskset", ["-c", "1", k6, "run", "-q", "-e", `PART=${part}`, "-e", `N=${N}`, script], { encoding: "utf8", timeout: 120_000 });
    const m = /BREAKDOWN \S+ ([\d.]+)/.exec(r.stdout + r.stderr);
    if (!m) throw new Error(`${part}: no result\n${r.stdout}${r.stderr}`);
    results.get(part).push(Number(m[1]));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`µs per operation, median of ${REPS} processes (min–max), ${N} operations each, k6 pinned to core 1:`);
for (const [part, xs] of results) console.log(`  ${part.padEnd(14)} ${median(xs).toFixed(2).padStart(7)}   (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`);
