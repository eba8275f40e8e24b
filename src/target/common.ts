// Small pieces the contracts share.
import type { Socket } from "socket.io";

/** The seeds' error event: `error` {code, message} to the sender. */
export function emitError(socket: Socket, code: string, message: string): void {
  socket.emit("error", { code, message });
}

export type Random = () => number;

/** A seeded PRNG (mulberry32), so that fault modes like drop-broadcast are reproducible. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
