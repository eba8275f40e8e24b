// The names of the last events a socket received, kept in a fixed ring so that a waitFor that
// times out can say what did arrive meanwhile (a mistyped event name shows at once). One slot
// write per event: cheap enough for the per-message path.

const SIZE = 32;

export class RecentEvents {
  private readonly names: string[] = new Array<string>(SIZE);
  private readonly times: number[] = new Array<number>(SIZE).fill(-Infinity);
  private next = 0;
  private total = 0;

  add(event: string, at: number): void {
    this.names[this.next] = event;
    this.times[this.next] = at;
    this.next = (this.next + 1) % SIZE;
    this.total++;
  }

  /** "nothing", or the events received at or after `since`, by name with counts: `match_found ×2, tick ×5`. */
  since(since: number): string {
    const counts = new Map<string, number>();
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      if (this.times[i]! >= since) {
        seen++;
        counts.set(this.names[i]!, (counts.get(this.names[i]!) ?? 0) + 1);
      }
    }
    if (seen === 0) return "no event";
    const list = [...counts].map(([name, n]) => `'${name}' ×${n}`).join(", ");
    // The ring holds the last SIZE events: when all of them are recent, more may have come.
    return seen === SIZE && this.total > SIZE ? `at least: ${list} (the last ${SIZE} events)` : list;
  }
}
