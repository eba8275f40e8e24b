// Timers for sessions on k6's event loop (k6/websockets, polling-only), tracked so that a
// finished session leaves nothing behind that would keep the iteration alive.
//
// k6 v2.2's timer queue can run a timer early: a task queued for a timer that is cleared before
// it runs pops whichever timer is first in the queue then, due or not (seen: a 5000 ms connect
// deadline firing after 0 ms, right after the previous session cleared its timers). So each
// callback checks its own due time and re-arms for the remainder when woken too soon.
import { HeartbeatSweep, type TimerSlot } from "../protocol/heartbeat";
import type { Scheduler } from "../protocol/transport";
import { generatorLag } from "./vu-probe";

/**
 * One session's timers: a class, so that a held connection carries one object rather than a
 * closure per method (k6 keeps tens of thousands of sessions alive at once).
 */
class SessionTimers implements Scheduler {
  private readonly pending = new Set<number>();
  readonly lag = generatorLag;

  now(): number {
    return Date.now();
  }

  after(ms: number, fn: () => void): void {
    this.arm(ms, Date.now() + ms, fn);
  }

  private arm(delay: number, due: number, fn: () => void): void {
    const id = setTimeout(() => {
      this.pending.delete(id);
      const left = due - Date.now();
      if (left > 1) this.arm(left, due, fn);
      else fn();
    }, Math.max(1, delay));
    this.pending.add(id);
  }

  clearAll(): void {
    for (const id of this.pending) clearTimeout(id);
    this.pending.clear();
  }
}

/** A session's timers: its scheduler, and clearAll() to cancel every pending one when it ends. */
export function sessionTimers(): Scheduler & { clearAll(): void } {
  return new SessionTimers();
}

/**
 * The heartbeats of every k6/websockets connection of this VU, checked by one timer: a ping
 * costs a clock read, not a timer and a closure. The timer is cleared when the VU's last
 * connection closes, so it never keeps an iteration alive. Waking early (see above) is
 * harmless: a sweep only closes connections whose deadline has passed.
 */
export const vuHeartbeats = new HeartbeatSweep(globalTimerSlot());

function globalTimerSlot(): TimerSlot {
  let id: number | undefined;
  return {
    now: () => Date.now(),
    set(ms, fn) {
      if (id !== undefined) clearTimeout(id);
      id = setTimeout(() => {
        id = undefined;
        fn();
      }, Math.max(1, ms));
    },
    clear() {
      if (id !== undefined) clearTimeout(id);
      id = undefined;
    },
  };
}
