// Bundles every src/scenarios/*.ts into a self-contained k6 script dist/<name>.js, and the
// library into dist/lib/ (the npm package's files and the single-file build for plain k6).
// Type errors fail the build: k6 would only report them at run time, one VU at a time.
//   node build.mjs                 typecheck, then bundle the scenarios and the library
//   node build.mjs --no-typecheck  bundle only (the test runner typechecks once itself)
//   node build.mjs --lib           the library only (npm pack runs this as prepack)
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { minimumK6Version } from "./scripts/lib.mjs";

const root = dirname(fileURLToPath(import.meta.url));
const scenariosDir = join(root, "src", "scenarios");
const outDir = join(root, "dist");
export const libDir = join(outDir, "lib");

export function typecheck() {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  for (const project of ["tsconfig.json", "tsconfig.node.json", "tsconfig.viewer.json"]) {
    try {
      execFileSync(process.execPath, [tsc, "--noEmit", "-p", project], { cwd: root, stdio: "inherit" });
    } catch {
      throw new Error(`type errors in ${project} (see above)`);
    }
  }
}

/**
 * esbuild settings for a k6 script: one self-contained ES module, k6 modules left external.
 * @type {import("esbuild").BuildOptions}
 */
export const k6BundleOptions = {
  bundle: true,
  // The library version, recorded with each run's facts (src/kit/run-facts.ts).
  define: { K6SIO_LIBRARY_VERSION: JSON.stringify(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version) },
  format: "esm",
  platform: "browser",
  target: "es2020",
  // k6's JS runtime has no async generators; esbuild lowers what it can and errors on the rest.
  supported: { "async-generator": false, "for-await": false },
  external: ["k6", "k6/*"],
  // The same mapping as tsconfig.json "paths": scenarios import the library by its name.
  alias: {
    "k6-socketio": join(root, "src", "socketio", "index.ts"),
    "k6-socketio/msgpack": join(root, "src", "socketio", "msgpack.ts"),
    "k6-socketio/kit": join(root, "src", "kit", "index.ts"),
  },
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

// The library as shipped: dist/lib/<name>.js (ES module, k6 modules external, dependencies
// bundled in, so the package has no runtime dependencies) and dist/lib/<name>.d.ts. The kit
// imports the library as "./k6-socketio.js", a sibling file: the npm package's entry points and
// a plain k6 script that copies the files next to itself share one copy of the library.
const mainLib = join(root, "src", "socketio", "index.ts");
export const libEntries = [
  { name: "k6-socketio", entry: mainLib },
  { name: "k6-socketio-msgpack", entry: join(root, "src", "socketio", "msgpack.ts") },
  { name: "k6-socketio-kit", entry: join(root, "src", "kit", "index.ts") },
];
const mainLibImport = "./k6-socketio.js";

/** True when a relative import from `dir` names the library's public entry (src/socketio/index.ts). */
function isMainLib(dir, spec) {
  const target = resolve(dir, spec);
  return [mainLib, mainLib.slice(0, -3), dirname(mainLib)].includes(target);
}

export async function bundleLib() {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  // Built aside, then each file renamed into dist/lib: a reader (a test copying the files while
  // `npm run gate` rebuilds) sees the old file or the new one, never none or half of one.
  const stage = join(outDir, `.lib-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const metaKey = (file) => relative(root, file).split(sep).join("/");
  // Not minified: k6's stack traces point at real lines, and a user's bundler minifies if it wants.
  const { alias: _alias, minifyWhitespace: _w, minifySyntax: _s, ...k6Settings } = k6BundleOptions;
  const result = await build({
    ...k6Settings,
    entryPoints: Object.fromEntries(libEntries.map((e) => [e.name, e.entry])),
    outdir: stage,
    absWorkingDir: root,
    metafile: true,
    plugins: [
      {
        name: "library-as-sibling",
        setup(b) {
          b.onResolve({ filter: /^\.\.?\// }, (args) =>
            args.importer !== mainLib && isMainLib(args.resolveDir, args.path) ? { path: mainLibImport, external: true } : undefined,
          );
        },
      },
    ],
  });
  const notices = new Map();
  for (const { name } of libEntries) {
    const file = join(stage, `${name}.js`);
    const meta = result.metafile.outputs[metaKey(file)];
    if (!meta) throw new Error(`esbuild wrote no ${file}`);
    const inputs = Object.keys(meta.inputs);
    // Only the main entry carries the library itself; the others import it.
    if (name !== "k6-socketio") {
      // root-cause.ts: a pure, stateless format the kit's summary reads (a copy holds no state to diverge).
      const shared = ["src/socketio/msgpack.ts", "src/socketio/protocol/root-cause.ts"];
      const copied = inputs.filter((i) => i.startsWith("src/socketio/") && !shared.includes(i));
      if (copied.length > 0) throw new Error(`${name} would carry its own copy of ${copied.join(", ")}: import the library through src/socketio/index.ts`);
    }
    const bundled = bundledPackages(inputs);
    for (const p of bundled) notices.set(p.name, p);
    const banner =
      `// ${name} ${pkg.version} (${pkg.license}): Socket.IO load testing for k6. Built file, do not edit.\n` +
      (bundled.length ? `// Bundles ${bundled.map((p) => `${p.name} ${p.version} (${p.license})`).join(", ")}: see THIRD-PARTY-LICENSES.txt.\n` : "");
    writeFileSync(file, banner + readFileSync(file, "utf8"));
  }
  writeFileSync(
    join(stage, "THIRD-PARTY-LICENSES.txt"),
    [...notices.values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((p) => `${p.name} ${p.version} (${p.license})\n\n${p.text.trim()}\n`)
      .join(`\n${"-".repeat(72)}\n\n`),
  );
  await bundleLibTypes(stage);
  for (const { name } of libEntries) {
    const meta = result.metafile.outputs[metaKey(join(stage, `${name}.js`))];
    typeOnlyWhereNoValue(join(stage, `${name}.d.ts`), new Set(meta?.exports ?? []));
  }
  mkdirSync(libDir, { recursive: true });
  const built = readdirSync(stage);
  for (const f of built) renameSync(join(stage, f), join(libDir, f));
  for (const f of readdirSync(libDir)) if (!built.includes(f)) rmSync(join(libDir, f), { recursive: true, force: true });
  rmSync(stage, { recursive: true, force: true });
  const sizes = readdirSync(libDir)
    .filter((f) => f.endsWith(".js") || f.endsWith(".d.ts"))
    .map((f) => ({ file: `dist/lib/${f}`, bytes: statSync(join(libDir, f)).size }));
  for (const { file, bytes } of sizes) console.log(`  ${file.padEnd(34)} ${(bytes / 1024).toFixed(1).padStart(7)} KiB`);
  return sizes;
}

/** The npm packages among esbuild's inputs, with their license texts (the MIT license asks for them). */
function bundledPackages(inputs) {
  const dirs = new Set();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]);
  }
  return [...dirs].map((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
    const licenseFile = readdirSync(join(root, dir)).find((f) => /^licen[cs]e/i.test(f));
    if (!licenseFile) throw new Error(`${pkg.name} has no license file to ship with the bundle`);
    return { name: pkg.name, version: pkg.version, license: pkg.license, text: readFileSync(join(root, dir, licenseFile), "utf8") };
  });
}

/**
 * One .d.ts per entry, with the types of the bundled packages inlined (a consumer does not
 * have them). Only `k6` and `k6/*` stay imports: they come from @types/k6 on the consumer's
 * side. The kit's declarations import the library's from "./k6-socketio.js", as its code does.
 */
async function bundleLibTypes(dir) {
  const { rollup } = await import("rollup");
  const { dts } = await import("rollup-plugin-dts");
  for (const { name, entry } of libEntries) {
    const bundle = await rollup({
      input: entry,
      external: (id) => id === "k6" || id.startsWith("k6/") || id === mainLibImport,
      plugins: [
        {
          name: "library-as-sibling",
          resolveId(source, importer) {
            if (importer && entry !== mainLib && /^\.\.?\//.test(source) && isMainLib(dirname(importer), source)) {
              return { id: mainLibImport, external: true };
            }
            return null;
          },
        },
        dts({ tsconfig: join(root, "tsconfig.json"), respectExternal: true }),
      ],
      onwarn(warning, warn) {
        if (warning.code === "CIRCULAR_DEPENDENCY") return;
        warn(warning);
      },
    });
    await bundle.write({ file: join(dir, `${name}.d.ts`), format: "es" });
    await bundle.close();
  }
}

/**
 * The bundled declarations export a class as a value even where the source exports it as a
 * type only (`export type { Socket }`): such names go to the `export type { … }` list, so
 * that a consumer's tsc rejects what the JavaScript module does not export.
 */
function typeOnlyWhereNoValue(dtsFile, jsExports) {
  const text = readFileSync(dtsFile, "utf8");
  const m = /^export \{([^}]*)\};$/m.exec(text);
  if (!m) return;
  const values = [];
  const types = [];
  for (const spec of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
    (jsExports.has(spec.split(/\s+as\s+/).pop()) ? values : types).push(spec);
  }
  if (types.length === 0) return;
  let out = text.replace(m[0], values.length ? `export { ${values.join(", ")} };` : "");
  const typeList = /^export type \{([^}]*)\};$/m.exec(out);
  out = typeList
    ? out.replace(typeList[0], `export type { ${[...typeList[1].split(",").map((s) => s.trim()).filter(Boolean), ...types].sort().join(", ")} };`)
    : `${out.trimEnd()}\nexport type { ${types.join(", ")} };\n`;
  writeFileSync(dtsFile, out);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (!process.argv.includes("--no-typecheck")) typecheck();
    if (!process.argv.includes("--lib")) {
      console.log("bundles:");
      await bundleScenarios();
    }
    console.log("library:");
    await bundleLib();
  } catch (err) {
    console.error(`build failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
