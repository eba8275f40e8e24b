// When and whether to reconnect after a transport ended: one plan for every transport. The
// transports differ only in how they wait (k6/ws sleeps between sockets, the event loop arms a timer).
import { backoffDelay, type ResolvedReconnect } from "./backoff";
import type { Connection } from "./connection";

export class ReconnectPlan {
  /** Attempts in a row that did not reconnect any socket. */
  private failedAttempts = 0;

  constructor(
    private readonly policy: ResolvedReconnect | null,
    /** No attempt starts past this time (the session's bound); Infinity for none. */
    private readonly deadline: number,
  ) {}

  /**
   * Called when a transport ended. Returns the delay before the next attempt, having announced
   * it to the lost sockets, or null when the session is over (nothing lost, no policy, a handler
   * threw, attempts used up — the sockets are told they gave up — or the deadline is too near).
   */
  next(connection: Connection, reconnectedThisAttempt: boolean, now: number): number | null {
    const lost = connection.lostSockets;
    if (!this.policy || connection.handlerError || lost.length === 0) return null;
    this.failedAttempts = reconnectedThisAttempt ? 0 : this.failedAttempts + 1;
    if (this.failedAttempts >= this.policy.attempts) {
      for (const s of lost) s.giveUp(this.failedAttempts);
      return null;
    }
    const delay = backoffDelay(this.failedAttempts + 1, this.policy);
    if (now + delay >= this.deadline) return null;
    for (const s of lost) s.announceAttempt(this.failedAttempts + 1);
    return delay;
  }
}
