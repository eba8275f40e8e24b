// Maps a global player number onto rooms of several sizes: for sizes [2, 5] and 2 rooms per
// size the rooms are 2, 2, 5, 5 and players 0-1 sit in room 0, 2-3 in room 1, 4-8 in room 2…
// Pure arithmetic on exec.scenario.iterationInTest, so it holds across k6 instances.

export interface Seat {
  room: number;
  roomSize: number;
  seat: number;
}

export function roomSizes(sizes: number[], roomsPerSize: number): number[] {
  return sizes.flatMap((size) => Array.from({ length: roomsPerSize }, () => size));
}

export function seatOf(index: number, rooms: number[]): Seat | null {
  let first = 0;
  for (let room = 0; room < rooms.length; room++) {
    const size = rooms[room]!;
    if (index < first + size) return { room, roomSize: size, seat: index - first };
    first += size;
  }
  return null;
}

/** "2,5,10" -> [2, 5, 10]; throws with the variable's name on anything else. */
export function parseSizes(name: string, text: string, min: number, max: number): number[] {
  const sizes = text.split(",").map((t) => Number(t.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < min || n > max)) {
    throw new Error(`-e ${name}=${text}: expected a comma-separated list of whole numbers from ${min} to ${max}`);
  }
  return sizes;
}
