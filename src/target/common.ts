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

/**
 * Room broadcasts with the broadcast fault modes applied: `room-namespace` sends into a
 * namespace nobody joined (seed 002's bug: nothing arrives), `drop-broadcast=P` loses each
 * delivery with probability P.
 */
export interface Broadcaster {
  toRoom(room: string, event: string, payload: unknown, except?: string): void;
}

export function broadcaster(
  nsp: import("socket.io").Namespace,
  misrouted: import("socket.io").Namespace | null,
  dropRate: number,
  random: Random,
): Broadcaster {
  return {
    toRoom(room, event, payload, except) {
      if (misrouted) {
        misrouted.to(room).emit(event, payload);
        return;
      }
      if (dropRate <= 0) {
        (except ? nsp.to(room).except(except) : nsp.to(room)).emit(event, payload);
        return;
      }
      for (const sid of nsp.adapter.rooms.get(room) ?? []) {
        if (sid !== except && random() >= dropRate) nsp.to(sid).emit(event, payload);
      }
    },
  };
}
