// Engine.IO v4 liveness: the server pings every pingInterval and expects a pong within
// pingTimeout. From the client's side the connection is dead when no ping has arrived
// within pingInterval + pingTimeout of the previous one (or of the open packet).

export type HeartbeatCheck = { state: "superseded" } | { state: "dead" } | { state: "pending"; remainingMs: number };

export class HeartbeatWatchdog {
  private generation = 0;
  private lastSeen = 0;

  constructor(
    readonly pingInterval: number,
    readonly pingTimeout: number,
  ) {}

  /** How long after a ping the next one may arrive before the connection counts as dead. */
  get allowance(): number {
    return this.pingInterval + this.pingTimeout;
  }

  /** Records a ping (or the open packet). Returns a token for the check scheduled after it. */
  arm(now: number): number {
    this.lastSeen = now;
    return ++this.generation;
  }

  /**
   * Records life without a new check (Engine.IO v3: any frame proves the server alive). The
   * check already scheduled finds the connection pending and waits out the rest.
   */
  touch(now: number): void {
    this.lastSeen = now;
  }

  /**
   * Evaluates the check scheduled for `token`. A newer ping supersedes it; a timer that fires
   * early (timers have millisecond granularity) reports how long is left rather than passing.
   */
  check(token: number, now: number): HeartbeatCheck {
    if (token !== this.generation) return { state: "superseded" };
    const elapsed = now - this.lastSeen;
    return elapsed >= this.allowance ? { state: "dead" } : { state: "pending", remainingMs: this.allowance - elapsed };
  }
}
