// A run's root cause as one line of text, so that it can travel from the VU that found it to
// handleSummary(), which sees no VU's state: as the name of an empty k6 group (k6 hands every
// group's name to the summary). Pure: written by k6/root-cause.ts, read by the summary.

export interface RootCause {
  /** connect: the connects failed; contract: the contract never matched the server. */
  kind: "connect" | "contract";
  cause: string;
  fix: string;
  /** The doctor command with the same options. */
  doctor: string;
}

const PREFIX = "k6-socketio root cause";

export function rootCauseName(c: RootCause): string {
  return `${PREFIX} [${c.kind}]: ${c.cause} || fix: ${c.fix} || doctor: ${c.doctor}`;
}

/** The cause in a check's name, or undefined for any other check. */
export function parseRootCause(name: string): RootCause | undefined {
  const m = /^k6-socketio root cause \[(connect|contract)\]: ([\s\S]*) \|\| fix: ([\s\S]*) \|\| doctor: ([\s\S]*)$/.exec(name);
  return m ? { kind: m[1] as RootCause["kind"], cause: m[2]!, fix: m[3]!, doctor: m[4]! } : undefined;
}
