// Per-socket ack ids. Tracks emits awaiting an ack, their deadlines, and the ids that timed
// out, so that an ack arriving after its deadline is recognised as late rather than unknown.
// One handler per registry settles every entry: an emit stores its callback, not a closure.

export type AckSettlement = "settled" | "late" | "unknown";

export interface PendingAck<T> {
  readonly event: string;
  readonly sentAt: number;
  readonly deadline: number;
  /** What the emit asked to be called back with (its callback). */
  readonly target: T;
  /** How the handler calls `target` back (the registry's user decides what the numbers mean). */
  readonly mode: number;
}

/** Settles one entry: `args` of the ack, or null and why not ("timeout", "disconnected"). */
export type AckHandler<T> = (entry: PendingAck<T>, args: unknown[] | null, elapsedMs: number, reason: string) => void;

type SettleFn = (args: unknown[] | null, elapsedMs: number, reason: string) => void;
const callTarget: AckHandler<SettleFn> = (entry, args, elapsedMs, reason) => entry.target(args, elapsedMs, reason);

/** How many timed-out ids to remember for late-ack detection; older ones count as unknown. */
const EXPIRED_MEMORY = 1024;

export class AckRegistry<T = SettleFn> {
  private nextId = 0;
  private readonly pending = new Map<number, PendingAck<T>>();
  /** Made at the first timeout: most sockets never have one. */
  private expired: Map<number, string> | undefined;

  /** Without a handler, each target is a function called with the ack's arguments, or null and a reason. */
  constructor(private readonly onSettle: AckHandler<T> = callTarget as unknown as AckHandler<T>) {}

  /** Reserves the next ack id for an emit; the handler gets `target` and `mode` back when it settles. */
  register(event: string, sentAt: number, deadline: number, target: T, mode = 0): number {
    const id = this.nextId++;
    this.pending.set(id, { event, sentAt, deadline, target, mode });
    return id;
  }

  /**
   * Expires every pending ack whose deadline is at or before `now`, and returns the earliest
   * deadline still pending (undefined when none is). One timer per socket, re-armed from this,
   * replaces a timer per emit.
   */
  expireDue(now: number): number | undefined {
    let next: number | undefined;
    for (const [id, entry] of this.pending) {
      if (entry.deadline <= now) this.expire(id, now);
      else if (next === undefined || entry.deadline < next) next = entry.deadline;
    }
    return next;
  }

  /** Event name of a pending or recently expired ack id, for metric tags. */
  eventOf(id: number): string | undefined {
    return this.pending.get(id)?.event ?? this.expired?.get(id);
  }

  get size(): number {
    return this.pending.size;
  }

  /** An ACK packet arrived for `id`. */
  settle(id: number, args: unknown[], now: number): AckSettlement {
    const entry = this.pending.get(id);
    if (!entry) return this.expired?.has(id) ? "late" : "unknown";
    this.pending.delete(id);
    this.onSettle(entry, args, now - entry.sentAt, "ok");
    return "settled";
  }

  /** The deadline of `id` passed. Returns false when it had already been settled. */
  expire(id: number, now: number): boolean {
    const entry = this.pending.get(id);
    if (!entry) return false;
    this.pending.delete(id);
    this.remember(id, entry.event);
    this.onSettle(entry, null, now - entry.sentAt, "timeout");
    return true;
  }

  /** The socket went away: every pending ack fails with `reason`. */
  failAll(reason: string, now: number): void {
    const entries = [...this.pending.entries()];
    this.pending.clear();
    for (const [id, entry] of entries) {
      this.remember(id, entry.event);
      this.onSettle(entry, null, now - entry.sentAt, reason);
    }
  }

  private remember(id: number, event: string): void {
    const expired = (this.expired ??= new Map());
    expired.set(id, event);
    if (expired.size > EXPIRED_MEMORY) {
      const oldest = expired.keys().next().value;
      if (oldest !== undefined) expired.delete(oldest);
    }
  }
}
