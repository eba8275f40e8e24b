// Per-socket ack ids. Tracks emits awaiting an ack, their deadlines, and the ids that timed
// out, so that an ack arriving after its deadline is recognised as late rather than unknown.

export type AckSettlement = "settled" | "late" | "unknown";

interface PendingAck {
  event: string;
  sentAt: number;
  deadline: number;
  onSettle: (args: unknown[] | null, elapsedMs: number, reason: string) => void;
}

/** How many timed-out ids to remember for late-ack detection; older ones count as unknown. */
const EXPIRED_MEMORY = 1024;

export class AckRegistry {
  private nextId = 0;
  private readonly pending = new Map<number, PendingAck>();
  private readonly expired = new Map<number, string>();

  /** Reserves the next ack id for an emit. `onSettle` gets the ack's arguments, or null and a reason. */
  register(event: string, sentAt: number, deadline: number, onSettle: PendingAck["onSettle"]): number {
    const id = this.nextId++;
    this.pending.set(id, { event, sentAt, deadline, onSettle });
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
    return this.pending.get(id)?.event ?? this.expired.get(id);
  }

  get size(): number {
    return this.pending.size;
  }

  /** An ACK packet arrived for `id`. */
  settle(id: number, args: unknown[], now: number): AckSettlement {
    const entry = this.pending.get(id);
    if (!entry) return this.expired.has(id) ? "late" : "unknown";
    this.pending.delete(id);
    entry.onSettle(args, now - entry.sentAt, "ok");
    return "settled";
  }

  /** The deadline of `id` passed. Returns false when it had already been settled. */
  expire(id: number, now: number): boolean {
    const entry = this.pending.get(id);
    if (!entry) return false;
    this.pending.delete(id);
    this.remember(id, entry.event);
    entry.onSettle(null, now - entry.sentAt, "timeout");
    return true;
  }

  /** The socket went away: every pending ack fails with `reason`. */
  failAll(reason: string, now: number): void {
    const entries = [...this.pending.entries()];
    this.pending.clear();
    for (const [id, entry] of entries) {
      this.remember(id, entry.event);
      entry.onSettle(null, now - entry.sentAt, reason);
    }
  }

  private remember(id: number, event: string): void {
    this.expired.set(id, event);
    if (this.expired.size > EXPIRED_MEMORY) {
      const oldest = this.expired.keys().next().value;
      if (oldest !== undefined) this.expired.delete(oldest);
    }
  }
}
