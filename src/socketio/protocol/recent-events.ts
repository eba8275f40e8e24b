// The names of the last events a socket received, kept in a fixed ring so that a waitFor that
// times out can say what did arrive meanwhile (a mistyped event name shows at once). One slot
// write and a count per event, no clock read: cheap enough for the per-message path.

const SIZE = 32;

export class RecentEvents {
  /** Made at the first event: a held connection that receives none keeps no ring. */
  private names: string[] | undefined;
  private total = 0;

  add(event: string): void {
    (this.names ??= new Array<string>(SIZE))[this.total % SIZE] = event;
    this.total++;
  }

  /** A position to list the events received after (`since`). */
  mark(): number {
    return this.total;
  }

  /** "no event", or the events received since `mark`, by name with counts: `'match_found' ×2, 'tick' ×5`. */
  since(mark: number): string {
    const count = this.total - mark;
    if (count <= 0) return "no event";
    const counts = new Map<string, number>();
    for (let i = Math.max(mark, this.total - SIZE); i < this.total; i++) {
      const name = this.names![i % SIZE]!;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    const list = [...counts].map(([name, n]) => `'${name}' ×${n}`).join(", ");
    // The ring holds the last SIZE events: older ones of the wait are counted, not named.
    return count > SIZE ? `${count} events, the last ${SIZE}: ${list}` : list;
  }
}
