// Small pieces every await-API flow needs on k6's event loop.
import type { Socket } from "../socketio";

/**
 * Resolves after `ms` milliseconds. k6 v2.2's timer queue can run a timer early (a cleared
 * timer's slot fires whichever timer is first); this re-arms for the remainder when woken too soon.
 */
export function pause(ms: number): Promise<void> {
  const due = Date.now() + ms;
  return new Promise((resolve) => {
    const arm = (delay: number): void => {
      setTimeout(() => {
        const left = due - Date.now();
        if (left > 1) arm(left);
        else resolve();
      }, Math.max(1, delay));
    };
    arm(ms);
  });
}

/**
 * Waits for every player of the iteration. A player whose flow throws (a bug in the flow) does
 * not cut the others short: the first error is rethrown once all of them have finished, so k6
 * reports it without interrupting the VU's other sockets.
 */
export async function allPlayers<T>(flows: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(flows);
  const values: T[] = [];
  for (const s of settled) {
    if (s.status === "rejected") throw s.reason;
    values.push(s.value);
  }
  return values;
}

/** Resolves true once the library has reconnected `socket`, false when it gave up or `timeoutMs` passed. */
export function reconnected(socket: Socket, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      socket.off("reconnect", onReconnect).off("reconnect_failed", onFailed);
      if (timer !== undefined) clearTimeout(timer);
      resolve(ok);
    };
    const onReconnect = (): void => settle(true);
    const onFailed = (): void => settle(false);
    socket.on("reconnect", onReconnect).on("reconnect_failed", onFailed);
    // A timer cleared once settled: a pending one would keep the iteration alive until it fires.
    const due = Date.now() + timeoutMs;
    const arm = (ms: number): void => {
      timer = setTimeout(() => (Date.now() >= due - 1 ? settle(false) : arm(due - Date.now())), Math.max(1, ms));
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    arm(timeoutMs);
  });
}
