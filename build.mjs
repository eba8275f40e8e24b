// Bundles every src/scenarios/*.ts into a self-contained k6 script dist/<name>.js.
// Type errors fail the build: k6 would only report them at run time, one VU at a time.
//   node build.mjs                 typecheck, then bundle
//   node build.mjs --no-typecheck  bundle only (the test runner typechecks once itself)
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { minimumK6Version } from "./scripts/lib.mjs";

const root = dirname(fileURLToPath(import.meta.url));
const scenariosDir = join(root, "src", "scenarios");
const outDir = join(root, "dist");

export function typecheck() {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  for (const project of ["tsconfig.json", "tsconfig.node.json"]) {
    try {
      execFileSync(process.execPath, [tsc, "--noEmit", "-p", project], { cwd: root, stdio: "inherit" });
    } catch {
      throw new Error(`type errors in ${project} (see above)`);
    }
  }
}

/** esbuild settings for a k6 script: one self-contained ES module, k6 modules left external. */
export const k6BundleOptions = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2020",
  // k6's JS runtime has no async generators; esbuild lowers what it can and errors on the rest.
  supported: { "async-generator": false, "for-await": false },
  external: ["k6", "k6/*"],
  // The same mapping as tsconfig.json "paths": scenarios import the library by its name.
  alias: { "k6-socketio": join(root, "src", "socketio", "index.ts"), "k6-socketio/msgpack": join(root, "src", "socketio", "msgpack.ts") },
  // Whitespace and syntax only: identifiers stay readable in k6's stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  // Short lines: a k6 too old to parse the bundle (v0.52: `??`) shows a few lines around the
  // error, not the whole bundle on one line. The first line names the k6 versions it needs.
  lineLimit: 160,
  banner: { js: `// k6-socketio bundle: needs k6 ${minimumK6Version()} or newer (docs/k6-versions.md)` },
  legalComments: "none",
  logLevel: "warning",
};

/** Bundles one k6 script (tests use it for fixtures that are not shipped in dist/). */
export async function bundleFile(entry, outfile) {
  await build({ ...k6BundleOptions, entryPoints: [entry], outfile });
  return outfile;
}

export async function bundleScenarios() {
  const entries = readdirSync(scenariosDir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
  if (entries.length === 0) throw new Error(`no scenarios in ${scenariosDir}`);
  await build({ ...k6BundleOptions, entryPoints: entries.map((f) => join(scenariosDir, f)), outdir: outDir });
  const sizes = entries.map((f) => {
    const out = join(outDir, `${basename(f, ".ts")}.js`);
    return { file: `dist/${basename(out)}`, bytes: statSync(out).size };
  });
  for (const { file, bytes } of sizes) console.log(`  ${file.padEnd(28)} ${(bytes / 1024).toFixed(1).padStart(7)} KiB`);
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (!process.argv.includes("--no-typecheck")) typecheck();
    console.log("bundles:");
    await bundleScenarios();
  } catch (err) {
    console.error(`build failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
