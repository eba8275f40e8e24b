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

export interface EventLoopTimers {
  scheduler: Scheduler;
  /** Cancels every pending timer of this session. */
  clearAll(): void;
}

export function eventLoopTimers(): EventLoopTimers {
  const pending = new Set<number>();
  const arm = (delay: number, due: number, fn: () => void): void => {
    const id = setTimeout(() => {
      pending.delete(id);
      const left = due - Date.now();
      if (left > 1) arm(left, due, fn);
      else fn();
    }, Math.max(1, delay));
    pending.add(id);
  };
  return {
    scheduler: {
      now: () => Date.now(),
      after: (ms, fn) => arm(ms, Date.now() + ms, fn),
      lag: generatorLag,
    },
    clearAll: () => {
      for (const id of pending) clearTimeout(id);
      pending.clear();
    },
  };
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
