// Runs one contract exchange on an await-API socket: send, wait for the reply (its ack, or the
// first of its reply events), classify it. A reply the contract does not recognise is counted
// in <scenario>_contract_mismatches{event} and logged once per event with the payload (secrets
// redacted, cut) and what the contract expected: a mismatch, never a server fault.
import { Counter as K6Counter } from "k6/metrics";
import type { Counter } from "./metrics";

/** Replies some class of the contract recognised: none at all, with mismatches, is a root cause (summary/root-cause.ts). */
const contractMatches = new K6Counter("k6socketio_contract_matches");
import type { Exchange, Reply } from "../contracts/contract";
import { boundedJson, type Outcome, Redactor, type Socket } from "../socketio";

export type ExchangeResult<C extends string> =
  | { kind: "class"; cls: C; reply: Reply; elapsedMs: number }
  | { kind: "mismatch"; reply: Reply; elapsedMs: number }
  | { kind: "timeout" | "disconnected"; elapsedMs: number };

const PAYLOAD_CHARS = 300;

export class ContractMismatches {
  private readonly logged = new Set<string>();
  private readonly redactor: Redactor;

  constructor(
    private readonly scenario: string,
    readonly contractName: string,
    private readonly counter: Counter,
    secrets: string[] = [],
  ) {
    this.redactor = new Redactor(secrets);
  }

  /** Counts a reply that fits no class of the contract, and says so once per event and VU. */
  record(event: string, received: unknown, expects: string): void {
    this.counter.add(1, { event });
    if (this.logged.has(event)) return;
    this.logged.add(event);
    // Bounded whatever the payload (a 100,000-deep array would hold JSON.stringify for ~30 s).
    const text = this.redactor.text(boundedJson(received, PAYLOAD_CHARS));
    console.warn(
      `${this.scenario}: contract mismatch: contract "${this.contractName}" does not recognise ${event}: ${text}; it expects ${expects}. ` +
        `Counted in ${this.scenario}_contract_mismatches{event:${event}}, not as a server fault: fix the contract (-e CONTRACT / CONTRACT_FILE) or the server (logged once per event and VU)`,
    );
  }
}

/** Sends the exchange's event for `ctx` and classifies the reply within `timeoutMs`. */
export async function exchange<Ctx, C extends string>(socket: Socket, ex: Exchange<Ctx, C>, ctx: Ctx, timeoutMs: number, mismatches: ContractMismatches): Promise<ExchangeResult<C>> {
  const args = ex.args(ctx);
  let reply: Reply;
  let elapsedMs: number;
  if (ex.reply === undefined || ex.reply === "ack") {
    const o = await socket.timeout(timeoutMs).request(ex.event, ...args);
    if (!o.ok) return { kind: o.reason, elapsedMs: o.elapsedMs };
    reply = { event: undefined, args: o.args, data: o.data };
    elapsedMs = o.elapsedMs;
  } else {
    const wait = socket.waitFor(ex.reply.events, { timeout: timeoutMs });
    socket.emit(ex.event, ...args);
    const o = await wait;
    if (!o.ok) return { kind: o.reason, elapsedMs: o.elapsedMs };
    reply = { event: o.event, args: o.args, data: o.data };
    elapsedMs = o.elapsedMs;
  }
  let cls: C | undefined;
  try {
    cls = ex.classify(reply, ctx);
  } catch (err) {
    // A classifier that throws is the contract's bug: said as such, counted as a mismatch.
    mismatches.record(ex.event, reply.args, `a classifier that does not throw (it threw ${err instanceof Error ? err.message : String(err)})`);
    return { kind: "mismatch", reply, elapsedMs };
  }
  if (cls === undefined) {
    mismatches.record(ex.event, reply.event ? { event: reply.event, args: reply.args } : reply.args, ex.expects);
    return { kind: "mismatch", reply, elapsedMs };
  }
  contractMatches.add(1);
  return { kind: "class", cls, reply, elapsedMs };
}

/**
 * Waits for the `event` that `read` says is the one (true); one `read` cannot make sense of
 * (undefined) is a mismatch. On a timeout, `unrecognised` tells whether the contract, not the
 * server, is why nothing matched.
 */
export async function awaitRecognised(
  socket: Socket,
  event: string,
  timeout: number,
  read: (args: unknown[]) => boolean | undefined,
  expects: string,
  mismatches: ContractMismatches,
): Promise<{ outcome: Outcome; unrecognised: boolean }> {
  let unrecognised = false;
  const outcome = await socket.waitFor(event, {
    timeout,
    filter: (...args: unknown[]) => {
      const r = read(args);
      if (r === true) contractMatches.add(1);
      if (r === undefined) {
        unrecognised = true;
        mismatches.record(event, args, expects);
      }
      return r === true;
    },
  });
  return { outcome, unrecognised };
}
