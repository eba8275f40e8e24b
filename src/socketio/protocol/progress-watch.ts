// A VU-wide "no progress" watch: a stall is `stallAfter` ms from a request (a connect attempt,
// an emit with an ack) with nothing back at all since (no connect, no ack, no event, on any
// connection of the VU), as seen by the next check (the VU's probe tick, or its next session).
// A frozen server shows as exactly that, whatever the transport does meanwhile; a VU that asks
// for nothing (think time, an idle listener) never stalls.
//
// Cheap on the per-message path: progress is a counter bump; the clock is read when a request
// opens a window (the first one after something came back), and on the probe's ticks. A window
// remembers the progress count it opened at, so checks far apart (a VU blocked in a k6/ws dial)
// still tell progress before the request from progress after it.

export interface Stall {
  /** How long the VU had been waiting with nothing back when the stall was noticed. */
  waitedMs: number;
}

export class ProgressWatch {
  private progress = 0;
  /** When the window's first request was made; undefined when no window is open. */
  private waitingSince: number | undefined;
  /** The progress count when the window opened: any change since closes it. */
  private progressAtStart = 0;
  /** The current window was already reported: one stall per window. */
  private reported = false;

  constructor(public stallAfterMs: number) {}

  /** Something came back: a namespace connected, an ack or an event arrived. */
  progressed(): void {
    this.progress++;
  }

  /** An answer is now awaited (a connect attempt, an emit with an ack): opens a window unless one is open and unanswered. */
  expecting(now: () => number): void {
    if (this.waitingSince !== undefined && this.progress === this.progressAtStart) return;
    this.waitingSince = now();
    this.progressAtStart = this.progress;
    this.reported = false;
  }

  /**
   * Called on the probe's ticks (and after anything that blocked the VU): closes the window when
   * something came back since it opened, and returns a stall the first time an unanswered
   * window reaches stallAfterMs.
   */
  check(now: number): Stall | undefined {
    if (this.waitingSince === undefined) return undefined;
    if (this.progress !== this.progressAtStart) {
      this.waitingSince = undefined;
      return undefined;
    }
    if (this.reported) return undefined;
    const waitedMs = now - this.waitingSince;
    if (waitedMs < this.stallAfterMs) return undefined;
    this.reported = true;
    return { waitedMs };
  }
}
