// Runs a bundled scenario with the real k6 against a freshly started reference server.
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureK6, root, runK6, startTarget, thresholdResults } from "../../scripts/lib.mjs";

export interface ScenarioRun {
  code: number;
  signal: string | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  summary: Summary | null;
  /** Expressions that failed, as "metric expression". */
  failed: string[];
  metric(name: string): Record<string, number> | undefined;
}

interface Summary {
  metrics: Record<string, Record<string, unknown>>;
}

let k6Path: string | undefined;

export function k6(): string {
  k6Path ??= ensureK6({ quiet: true });
  return k6Path;
}

interface RunOptions {
  serverArgs?: string[];
  env?: Record<string, string>;
  /** Run against this URL instead of a freshly started reference server. */
  targetUrl?: string;
  /** Extra `k6 run` arguments, e.g. execution segments. */
  k6Args?: string[];
  /** Run this `k6 archive` tarball instead of dist/<scenario>.js. */
  k6ArchivePath?: string;
  timeoutMs?: number;
}

export async function runScenario(scenario: string, opts: RunOptions = {}): Promise<ScenarioRun> {
  const server = opts.targetUrl ? null : await startTarget(opts.serverArgs ?? []);
  try {
    return await runAgainst(scenario, opts.targetUrl ?? server!.url, opts);
  } finally {
    await server?.stop();
  }
}

/** Runs a scenario against a server the caller manages (several k6 processes, one server). */
export async function runAgainst(scenario: string, url: string, opts: RunOptions = {}): Promise<ScenarioRun> {
  const summaryPath = join(mkdtempSync(join(tmpdir(), "k6sio-")), "summary.json");
  const started = Date.now();
  const r = await runK6(k6(), opts.k6ArchivePath ?? join(root, "dist", `${scenario}.js`), {
    env: { TARGET_URL: url, ...opts.env },
    args: ["--quiet", ...(opts.k6Args ?? [])],
    summaryPath,
    timeoutMs: opts.timeoutMs ?? 120_000,
  });
  const summary = r.summary as Summary | null;
  return {
    ...r,
    summary,
    elapsedMs: Date.now() - started,
    failed: thresholdResults(summary)
      .filter((t) => !t.ok)
      .map((t) => `${t.metric} ${t.expression}`),
    metric: (name) => summary?.metrics[name] as Record<string, number> | undefined,
  };
}

export { startTarget };

/** A compact description of a run for assertion messages. */
export function describe(run: ScenarioRun): string {
  const tail = (s: string) => s.split("\n").slice(-25).join("\n");
  return `exit ${run.code}, failed thresholds: ${JSON.stringify(run.failed)}\n--- stdout ---\n${tail(run.stdout)}\n--- stderr ---\n${tail(run.stderr)}`;
}

/** A loopback port with nothing listening on it (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
