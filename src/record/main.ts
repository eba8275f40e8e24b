// npm run record -- from-har <session.har> [--out <name>] [--dir <folder>] [--force]
// npm run record -- proxy --target <http://127.0.0.1:3000> [--port 8080] [--host 127.0.0.1]
//                   [--out <name>] [--dir <folder>] [--max-seconds 600] [--max-mb 50] [--har <file>] [--force]
//
// Turns a recorded session into a scenario. from-har reads a browser's HAR ("Save all as HAR");
// proxy records one itself, in front of the server, for clients that are not browsers, and
// writes it as <name>.har when stopped (Ctrl-C or a bound). Either way it decodes every
// Engine.IO session, prints what it saw, and writes <dir>/<name>.ts (src/scenarios by default),
// a replay in the await API that `npm run build` bundles into dist/<name>.js. docs/record.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { decodeSession } from "./decode";
import { draftScenario } from "./draft-scenario";
import { readHar } from "./har";
import { startRecordingProxy } from "./proxy";
import { summaryLines } from "./summary";

const root = resolve(import.meta.dirname, "..", "..");
const USAGE = `usage: npm run record -- from-har <session.har> [--out <name>] [--dir <folder>] [--force]
       npm run record -- proxy --target <http://127.0.0.1:3000> [--port 8080] [--host 127.0.0.1] [--out <name>] [--dir <folder>] [--max-seconds 600] [--max-mb 50] [--har <file>] [--force]`;

class UsageError extends Error {}

interface Args {
  command: "from-har" | "proxy";
  file: string | undefined;
  target: string | undefined;
  port: number;
  host: string;
  out: string;
  /** Where the draft goes: src/scenarios (bundled by npm run build) unless given. */
  dir: string;
  maxSeconds: number;
  maxBytes: number;
  /** proxy: where the recording is written (<name>.har in the current folder unless given). */
  har: string | undefined;
  force: boolean;
}

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (command !== "from-har" && command !== "proxy") throw new UsageError(command === undefined ? "" : `unknown command ${command}`);
  const a: Args = { command, file: undefined, target: undefined, port: 8080, host: "127.0.0.1", out: "", dir: join(root, "src", "scenarios"), maxSeconds: 600, maxBytes: 50 * 1024 * 1024, har: undefined, force: false };
  let out: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    const number = (min: number, max: number): number => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < min || v > max) throw new UsageError(`${arg} must be a number from ${min} to ${max}`);
      return v;
    };
    if (arg === "--out") out = value();
    else if (arg === "--dir") a.dir = resolve(value());
    else if (arg === "--force") a.force = true;
    else if (command === "proxy" && arg === "--target") a.target = value();
    else if (command === "proxy" && arg === "--port") a.port = number(0, 65535);
    else if (command === "proxy" && arg === "--host") a.host = value();
    else if (command === "proxy" && arg === "--max-seconds") a.maxSeconds = number(1, 86_400);
    else if (command === "proxy" && arg === "--max-mb") a.maxBytes = number(1, 4096) * 1024 * 1024;
    else if (command === "proxy" && arg === "--har") a.har = resolve(value());
    else if (arg.startsWith("--")) throw new UsageError(`unknown option ${arg} for ${command}`);
    else if (command === "from-har" && a.file === undefined) a.file = arg;
    else throw new UsageError(`unexpected argument ${arg}`);
  }
  if (command === "from-har" && !a.file) throw new UsageError("from-har needs the HAR file");
  if (command === "proxy" && !a.target) throw new UsageError("proxy needs --target, the server's URL (http://127.0.0.1:3000)");
  a.out = out ?? (a.file ? basename(a.file).replace(/\.har$/i, "") : "recorded");
  if (!/^[a-z][a-z0-9-]*$/.test(a.out)) throw new UsageError(`--out ${a.out}: a scenario name is lower-case letters, digits and dashes, starting with a letter (it becomes dist/${a.out}.js)`);
  return a;
}

/** Decodes a HAR, prints the summary, writes the draft. */
function draftFrom(harText: string, source: string, args: Args, target: string): number {
  const capture = readHar(harText, source);
  if (capture.sessions.length === 0) {
    console.error(`${source}: no Engine.IO session in it (no request with EIO= and transport=). Record again with the Socket.IO connection made while recording; see docs/record.md`);
    return 1;
  }
  const decoded = capture.sessions.map(decodeSession);
  mkdirSync(args.dir, { recursive: true });
  const kit = relative(args.dir, join(root, "src", "kit")).split(sep).join("/");
  const draft = draftScenario(args.out, capture, decoded, kit.startsWith(".") ? kit : `./${kit}`);
  writeFileSync(target, draft.source);
  for (const line of summaryLines(capture, decoded, draft.undecided)) console.log(line);
  const shown = relative(process.cwd(), target) || target;
  console.log(`\nWrote ${shown} (${draft.correlated} value(s) carried forward from earlier answers).`);
  console.log(`Next: npm run build && npm run k6 -- run -e TARGET_URL=${new URL(capture.sessions[0]!.endpoint).origin} dist/${args.out}.js`);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message ? `${err.message}\n` : ""}${USAGE}`);
    return 2;
  }
  const target = join(args.dir, `${args.out}.ts`);
  if (existsSync(target) && !args.force) {
    console.error(`${relative(process.cwd(), target) || target} exists: choose another --out, or --force to replace it`);
    return 1;
  }
  try {
    if (args.command === "from-har") {
      if (!existsSync(args.file!)) {
        console.error(`no such file: ${args.file}`);
        return 1;
      }
      return draftFrom(readFileSync(args.file!, "utf8"), basename(args.file!), args, target);
    }
    const proxy = await startRecordingProxy({ target: args.target!, port: args.port, host: args.host, maxSeconds: args.maxSeconds, maxBytes: args.maxBytes });
    console.log(`recording: point your client at ${proxy.url} instead of ${args.target}; Ctrl-C to stop (at most ${args.maxSeconds} s, ${Math.round(args.maxBytes / 1024 / 1024)} MB)`);
    const stop = (): void => proxy.stop("stopped (Ctrl-C)");
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const { har, why } = await proxy.done;
    const harFile = args.har ?? resolve(`${args.out}.har`);
    writeFileSync(harFile, JSON.stringify(har, null, 1));
    console.log(`recording ${why}: wrote ${relative(process.cwd(), harFile)} (secrets redacted)\n`);
    return draftFrom(JSON.stringify(har), basename(harFile), args, target);
  } catch (err) {
    if (err instanceof Error) {
      console.error(`record: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

if (process.argv[1] && /record[\\/]main\.ts$/.test(process.argv[1])) {
  void run(process.argv.slice(2)).then((code) => process.exit(code));
}
