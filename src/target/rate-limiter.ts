// Sliding-window rate limit: at most `limit` accepted actions per key within `windowMs`.
// Rejected attempts are not recorded, so a client that keeps retrying is not locked out forever.

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export class SlidingWindowLimiter {
  private readonly history = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  attempt(key: string, now: number): RateDecision {
    const recent = (this.history.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.limit) {
      this.history.set(key, recent);
      return { allowed: false, retryAfterMs: recent[0]! + this.windowMs - now };
    }
    recent.push(now);
    this.history.set(key, recent);
    return { allowed: true };
  }
}
