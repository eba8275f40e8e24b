// The reference matchmaking queue: players wait with an elo; as soon as `tableSize` players
// whose elo lies within `eloWindow` of each other are waiting, they are seated together.
// FIFO and deterministic: the earliest compatible waiters are seated first.

export interface Waiting {
  playerId: string;
  elo: number;
  socketId: string;
}

export type JoinResult = { position: number; seated: Waiting[] | null };

export class MatchmakingQueue {
  private waiting: Waiting[] = [];

  constructor(
    readonly tableSize: number,
    readonly eloWindow: number,
  ) {}

  get size(): number {
    return this.waiting.length;
  }

  /** Adds (or keeps) the player in the queue; returns their 1-based position and any table formed. */
  join(player: Waiting): JoinResult {
    let index = this.waiting.findIndex((w) => w.playerId === player.playerId);
    if (index < 0) {
      this.waiting.push(player);
      index = this.waiting.length - 1;
    }
    const position = index + 1;
    const seated = this.formTable(this.waiting[index]!);
    return { position, seated };
  }

  leave(playerId: string): boolean {
    const before = this.waiting.length;
    this.waiting = this.waiting.filter((w) => w.playerId !== playerId);
    return this.waiting.length < before;
  }

  removeSocket(socketId: string): void {
    this.waiting = this.waiting.filter((w) => w.socketId !== socketId);
  }

  private formTable(anchor: Waiting): Waiting[] | null {
    const table = [anchor];
    for (const w of this.waiting) {
      if (table.length === this.tableSize) break;
      if (w !== anchor && table.every((t) => Math.abs(t.elo - w.elo) <= this.eloWindow)) table.push(w);
    }
    if (table.length < this.tableSize) return null;
    const seatedIds = new Set(table.map((t) => t.playerId));
    this.waiting = this.waiting.filter((w) => !seatedIds.has(w.playerId));
    return table;
  }
}
