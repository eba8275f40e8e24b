// Python peers (test/peers/*.py) for one test file: started on first use, one process per
// distinct argument list (reused by every case that asks for the same), stopped after the file.
import { join } from "node:path";
import { after } from "node:test";
import { root, startProcess } from "../../scripts/lib.mjs";
import { ensurePythonVenv } from "../../scripts/python-venv.mjs";

export type Peer = Awaited<ReturnType<typeof startProcess>>;

/** A starter for `script` with `fixed` arguments first (e.g. ["--port", "0"]). */
export function pythonPeers(script: string, fixed: string[]): (...args: string[]) => Promise<Peer> {
  const started = new Map<string, Promise<Peer>>();
  after(async () => {
    await Promise.all([...started.values()].map(async (p) => (await p.catch(() => null))?.stop()));
  });
  return (...args: string[]) => {
    const key = args.join(" ");
    let p = started.get(key);
    if (!p) {
      p = startProcess(join(root, "test", "peers", script), [...fixed, ...args], { interpreter: ensurePythonVenv(), timeoutMs: 30_000 });
      started.set(key, p);
    }
    return p;
  };
}
