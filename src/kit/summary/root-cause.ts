// Root cause first: when a precondition of the whole run failed (no connect ever succeeded, or
// the contract never matched the server), every threshold that depends on it is not judged
// because of it, and the verdict opens with the cause, the fix and the doctor command, instead
// of accusing the server of what could not be observed. Pure: reads handleSummary()'s data.
import { parseRootCause, type RootCause } from "../../socketio/protocol/root-cause";
import type { SummaryData } from "./verdict";

export type { RootCause };

interface Group {
  name?: string;
  groups?: Group[] | Record<string, Group>;
}

/** The causes noted by the VUs: empty groups named after them (socketio/k6/root-cause.ts). */
function causesIn(group: Group | undefined, out: RootCause[] = []): RootCause[] {
  if (!group) return out;
  const parsed = group.name ? parseRootCause(group.name) : undefined;
  if (parsed && !out.some((o) => o.cause === parsed.cause)) out.push(parsed);
  for (const g of Object.values(group.groups ?? {})) causesIn(g, out);
  return out;
}

const count = (data: SummaryData, metric: string, stat: string): number => data.metrics[metric]?.values[stat] ?? 0;

/** The run's root cause, when one precondition failed for every player; undefined otherwise. */
export function rootCauseOf(data: SummaryData & { root_group?: Group }, scenario: string, contractSteps: boolean): RootCause | undefined {
  const found = causesIn(data.root_group);
  const success = data.metrics.socketio_connect_success;
  if (success && count(data, "socketio_connect_success", "passes") === 0 && count(data, "socketio_connect_success", "fails") > 0) {
    return (
      found.find((c) => c.kind === "connect") ?? {
        kind: "connect",
        cause: `none of ${count(data, "socketio_connect_success", "fails")} connects succeeded`,
        fix: "read the first \"connect … failed\" line above",
        doctor: "k6 run -e TARGET_URL=… dist/doctor.js",
      }
    );
  }
  const mismatches = count(data, `${scenario}_contract_mismatches`, "count");
  // Only for flows whose contract steps all go through exchange() or awaitRecognised(), which count what matched.
  if (contractSteps && mismatches > 0 && count(data, "k6socketio_contract_matches", "count") === 0) {
    return {
      kind: "contract",
      cause: `no reply of the server fitted the contract (${mismatches} contract mismatches, no reply classified)`,
      fix: `read the "contract mismatch" lines above: each shows the server's payload and what the contract expects; fix the contract (-e CONTRACT / -e CONTRACT_FILE) or the server`,
      doctor: `k6 run -e TARGET_URL=… -e CONTRACT_FILE=… dist/doctor.js (the matchmaking flow's first step, the contract's way)`,
    };
  }
  return undefined;
}

/** Metrics that describe the cause itself: still judged (and failed) when it is the root cause. */
export function aboutTheCause(metric: string, cause: RootCause, scenario: string): boolean {
  const name = metric.split("{")[0]!;
  if (cause.kind === "connect") return name === "socketio_connect_success" || name === "socketio_connect_errors" || name === `${scenario}_login_failures`;
  return name === `${scenario}_contract_mismatches`;
}

/** The opening line of the verdict. */
export function rootCauseLine(scenario: string, c: RootCause): string {
  const what = c.kind === "connect" ? "NOTHING CONNECTED" : "THE CONTRACT NEVER MATCHED";
  return `k6-socketio ${scenario}: ${what}: ${c.cause}. Fix: ${c.fix}. Step by step: ${c.doctor}. Thresholds that need ${c.kind === "connect" ? "a connection" : "a matching contract"} are not judged.`;
}
