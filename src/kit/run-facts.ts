// What was run, for reports: noted in the init context by the kit's readers (scenario, contract,
// target), then written by handleSummary and recorded from setup() (src/kit/record-run.ts).
// No k6 import: handleSummary's unit tests run it in Node.
import type { RunFacts } from "./summary/format";

/** The library version, set by build.mjs (absent when the kit is bundled by someone else). */
declare const K6SIO_LIBRARY_VERSION: string | undefined;

const noted: { scenario?: string; contract?: string; target?: string } = {};

export function noteScenario(name: string): void {
  noted.scenario ??= name;
}

export function noteContract(name: string): void {
  noted.contract ??= name;
}

/** TARGET_URL, its secrets already masked (src/kit/redact-target.ts). */
export function noteTarget(redactedUrl: string): void {
  noted.target ??= redactedUrl;
}

export function libraryVersion(): string | undefined {
  return typeof K6SIO_LIBRARY_VERSION === "string" ? K6SIO_LIBRARY_VERSION : undefined;
}

/** The facts known in any context (init, setup, handleSummary), from the noted values and -e options. */
export function runFacts(env: Record<string, string | undefined>, runId: string | undefined): RunFacts {
  const sockets = Number(env.SOCKETS_PER_VU ?? "1");
  return {
    scenario: noted.scenario ?? "unknown",
    instances: 1,
    ...(runId ? { runId } : {}),
    ...(noted.target ? { target: noted.target } : {}),
    ...(noted.contract ? { contract: noted.contract } : {}),
    ...(env.K6_VERSION ? { k6Version: env.K6_VERSION } : {}),
    ...(libraryVersion() ? { libraryVersion: libraryVersion() } : {}),
    ...(Number.isInteger(sockets) && sockets > 0 ? { socketsPerVu: sockets } : {}),
    ...(env.GIT_COMMIT ? { gitCommit: env.GIT_COMMIT } : {}),
  };
}

