// What scenarios drafted from a recording (`npm run record`) use: values carried forward from
// earlier answers, reply shapes, recorded think times scaled by -e THINK_SCALE, and a count of
// the broadcasts each event name brought.
import { pause } from "./flow";

/** The value at `path` (array indexes and object keys) inside `root`; undefined when any step is missing. */
export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let at: unknown = root;
  for (const key of path) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string | number, unknown>)[key];
  }
  return at;
}

/** True when `value` is an object that has every key (the recorded reply's top-level keys). */
export function hasKeys(value: unknown, keys: readonly string[]): boolean {
  return value !== null && typeof value === "object" && keys.every((k) => k in (value as object));
}

/** A recorded pause, times `scale` (-e THINK_SCALE: 0 replays as fast as the server answers). */
export function think(recordedMs: number, scale: number): Promise<void> {
  const ms = Math.round(recordedMs * scale);
  return ms > 0 ? pause(ms) : Promise.resolve();
}

/** Counts every event of the given names a socket receives from now on. */
export function countEvents(socket: { on(event: string, listener: (...args: unknown[]) => void): unknown }, events: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) {
    counts[e] = 0;
    socket.on(e, () => void counts[e]!++);
  }
  return counts;
}
