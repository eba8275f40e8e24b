// A VU-wide "no progress" watch: a stall is `stallAfter` ms from a request (a connect attempt,
// an emit with an ack) with nothing back at all since (no connect, no ack, no event, on any
// connection of the VU), as seen by the next check (the VU's probe tick, or its next session).
// A frozen server shows as exactly that, whatever the transport does meanwhile; a VU that asks
// for nothing (think time, an idle listener) never stalls.
//
// Cheap on the per-message path: progress is a counter bump; the clock is read only when the
// first unanswered request of a window is made, and on the probe's ticks.

export interface Stall {
  /** How long the VU had been waiting with nothing back when the stall was noticed. */
  waitedMs: number;
}

export class ProgressWatch {
  private progress = 0;
  private seenProgress = 0;
  /** When the first request still unanswered by any progress was made; undefined when none is. */
  private waitingSince: number | undefined;
  /** The current window was already reported: one stall per window. */
  private reported = false;

  constructor(public stallAfterMs: number) {}

  /** Something came back: a namespace connected, an ack or an event arrived. */
  progressed(): void {
    this.progress++;
  }

  /** An answer is now awaited (a connect attempt, an emit with an ack). */
  expecting(now: () => number): void {
    if (this.waitingSince === undefined) this.waitingSince = now();
  }

  /**
   * Called on the probe's ticks (and after anything that blocked the VU): closes the window when
   * progress was made since the last check, and returns a stall the first time a window reaches
   * stallAfterMs.
   */
  check(now: number): Stall | undefined {
    if (this.progress !== this.seenProgress) {
      this.seenProgress = this.progress;
      this.waitingSince = undefined;
      this.reported = false;
      return undefined;
    }
    if (this.waitingSince === undefined || this.reported) return undefined;
    const waitedMs = now - this.waitingSince;
    if (waitedMs < this.stallAfterMs) return undefined;
    this.reported = true;
    return { waitedMs };
  }
}
