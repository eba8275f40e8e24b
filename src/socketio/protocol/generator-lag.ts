// The load generator's own event-loop lag: how late a timer fires past its due time. A VU whose
// JavaScript thread is starved (too many sockets, a busy handler) handles pings, acks and its
// own deadlines late, and a ping or ack timeout then says more about the generator than about
// the server. Pure: the k6 probe (k6/vu-probe.ts) feeds it.

/** The reason recorded instead of the server's when the generator was too late to tell. */
export const GENERATOR_OVERLOADED = "generator overloaded";

/** A lag above this fraction of the server's pingTimeout makes the generator the suspect. */
export const OVERLOAD_FRACTION = 0.5;

/**
 * A server pingTimeout below this cannot be met by any client (a timer's resolution plus one
 * round trip): a timeout under it is the server's setting, never blamed on the generator.
 */
export const UNMEETABLE_TIMER_MS = 20;

/** How long a measured lag counts as "around" a timeout. */
const WINDOW_MS = 10_000;
const SLOTS = 16;

export class LagWindow {
  private readonly at = new Array<number>(SLOTS).fill(-Infinity);
  private readonly lag = new Array<number>(SLOTS).fill(0);
  private next = 0;

  /** One measurement: a timer due at `due` fired at `now`. Returns the lag (ms, never negative). */
  record(due: number, now: number): number {
    const lag = Math.max(0, now - due);
    this.at[this.next] = now;
    this.lag[this.next] = lag;
    this.next = (this.next + 1) % SLOTS;
    return lag;
  }

  /** The largest lag measured in the last WINDOW_MS, or `overdueMs` (a probe that should have fired already) if larger. */
  recentMax(now: number, overdueMs = 0): number {
    let max = Math.max(0, overdueMs);
    for (let i = 0; i < SLOTS; i++) if (this.at[i]! >= now - WINDOW_MS && this.lag[i]! > max) max = this.lag[i]!;
    return max;
  }
}

/** How often a VU records a socketio_generator_lag sample at most. */
export const LAG_SAMPLE_MS = 1_000;

/**
 * The probe's ticks, four a second per VU, reduced to one sample a second: the largest lag of
 * the ticks since the last sample. k6 keeps every Trend sample until the end of the test, and
 * over k6/ws (a VU per socket) a sample per tick was four times an echo a second's acks.
 */
export class LagSampler {
  /** Largest lag since the last sample; -1 when no tick came since. */
  private worst = -1;
  private sampledAt = -Infinity;

  /** One tick's lag at `now`: returns the sample to record now, if one is due. */
  add(lagMs: number, now: number): number | undefined {
    if (lagMs > this.worst) this.worst = lagMs;
    return now - this.sampledAt >= LAG_SAMPLE_MS ? this.take(now) : undefined;
  }

  /** The probe stops: what is left unrecorded, if anything. */
  take(now: number): number | undefined {
    if (this.worst < 0) return undefined;
    const worst = this.worst;
    this.worst = -1;
    this.sampledAt = now;
    return worst;
  }
}

/** True when `lagMs` is large enough, against the server's pingTimeout, to blame the generator. */
export function overloaded(lagMs: number, pingTimeoutMs: number): boolean {
  return lagMs > 0 && lagMs >= OVERLOAD_FRACTION * pingTimeoutMs;
}
