// Engine.IO v4 liveness: the server pings every pingInterval and expects a pong within
// pingTimeout. From the client's side the connection is dead when no ping has arrived
// within pingInterval + pingTimeout of the previous one (or of the open packet).
//
// A ping only records the time it arrived: no timer, no closure. A sweep shared by the
// connections of one scheduler (a whole VU over k6/websockets) looks at each connection when
// its deadline comes, and then only at connections whose deadline has come or is near.
import type { Scheduler } from "./transport";

export class HeartbeatWatchdog {
  private lastSeen: number;

  constructor(
    readonly pingInterval: number,
    readonly pingTimeout: number,
    now: number,
  ) {
    this.lastSeen = now;
  }

  /** How long after a ping the next one may arrive before the connection counts as dead. */
  get allowance(): number {
    return this.pingInterval + this.pingTimeout;
  }

  /** Records life: a ping (v4), or anything received (v3). */
  touch(now: number): void {
    this.lastSeen = now;
  }

  /** The time at which the connection counts as dead unless life is seen before. */
  get deadline(): number {
    return this.lastSeen + this.allowance;
  }
}

/** A connection whose liveness a sweep checks. */
export interface LivenessCheck {
  /**
   * Looks at the connection at `now` (closing it if it is dead). Returns when it next needs a
   * look, or undefined when it needs none any more (closed, dead, or no longer watched).
   */
  checkLiveness(now: number): number | undefined;
}

/** One timer that can be re-armed and cleared: what a sweep needs from its surroundings. */
export interface TimerSlot {
  now(): number;
  /** Arms the slot, replacing whatever it was armed for. */
  set(ms: number, fn: () => void): void;
  clear(): void;
}

/**
 * Sweeps run at most once per this period, or per a quarter of the shortest allowance watched
 * when that is shorter: a VU with thousands of connections, whose deadlines are spread over
 * time, pays for one sweep a second, and a dead connection is noticed at most a second, and at
 * most a quarter of its allowance, after its deadline.
 */
export const SWEEP_PERIOD_MS = 1000;
const SWEEP_SHARE_OF_ALLOWANCE = 4;

/** Checks many connections' heartbeats with one timer. */
export class HeartbeatSweep {
  private readonly watched = new Set<LivenessCheck>();
  /** When the armed sweep runs; undefined when none is armed. */
  private armedFor: number | undefined;
  /** Time between sweeps: SWEEP_PERIOD_MS, or a quarter of the shortest allowance (a test server's tiny pingTimeout). */
  private period = SWEEP_PERIOD_MS;
  private readonly run = (): void => this.sweep();

  constructor(private readonly timer: TimerSlot) {}

  /** Watches `connection`, first looking at it at `due`. */
  watch(connection: LivenessCheck, due: number): void {
    this.watched.add(connection);
    this.period = Math.max(1, Math.min(this.period, Math.ceil((due - this.timer.now()) / SWEEP_SHARE_OF_ALLOWANCE)));
    this.armBy(due);
  }

  /** Stops watching; the timer is cleared once nothing is watched (it must not keep a k6 iteration alive). */
  unwatch(connection: LivenessCheck): void {
    if (!this.watched.delete(connection) || this.watched.size > 0) return;
    this.armedFor = undefined;
    this.timer.clear();
  }

  get size(): number {
    return this.watched.size;
  }

  private armBy(due: number): void {
    if (this.armedFor !== undefined && this.armedFor <= due) return;
    this.armedFor = due;
    this.timer.set(Math.max(0, due - this.timer.now()), this.run);
  }

  private sweep(): void {
    this.armedFor = undefined;
    const now = this.timer.now();
    let next: number | undefined;
    let failure: unknown;
    for (const connection of this.watched) {
      let due: number | undefined;
      try {
        due = connection.checkLiveness(now);
      } catch (err) {
        failure ??= err; // one connection's close that throws must not stop the others' heartbeats
      }
      if (due === undefined) this.watched.delete(connection);
      else if (next === undefined || due < next) next = due;
    }
    // At most one sweep a period: a deadline that falls sooner waits for it (noticed that much later).
    if (next !== undefined) this.armBy(Math.max(next, now + this.period));
    if (failure !== undefined) throw failure;
  }
}

/** A TimerSlot over a Scheduler whose timers cannot be cancelled (k6/ws): a cleared or replaced timer fires and does nothing. */
export function schedulerSlot(scheduler: Scheduler): TimerSlot {
  let generation = 0;
  return {
    now: () => scheduler.now(),
    set(ms, fn) {
      const mine = ++generation;
      scheduler.after(ms, () => {
        if (mine === generation) fn();
      });
    },
    clear() {
      generation++;
    },
  };
}
