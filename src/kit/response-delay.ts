// Seed 004's response-time patterns for a simulated player, in milliseconds:
//   random      uniform(0.5 s, 3 s)
//   burst       one of 0.2, 0.3, 0.4, 2, 3 s ("quick bursts then pauses")
//   steady      normal(1.5 s, 0.2 s)
//   human_like  log-normal with mu 0.5, sigma 0.3 (median e^0.5 = 1.65 s)
// `scale` shrinks or stretches every delay (tests run the same shapes 20x faster).

export const RESPONSE_PATTERNS = ["random", "burst", "steady", "human_like"] as const;
export type ResponsePattern = (typeof RESPONSE_PATTERNS)[number];

const BURST_CHOICES_S = [0.2, 0.3, 0.4, 2, 3];
const MIN_DELAY_MS = 1;

export function responseDelayMs(pattern: ResponsePattern, scale = 1, random: () => number = Math.random): number {
  let seconds: number;
  switch (pattern) {
    case "random":
      seconds = 0.5 + random() * 2.5;
      break;
    case "burst":
      seconds = BURST_CHOICES_S[Math.min(BURST_CHOICES_S.length - 1, Math.floor(random() * BURST_CHOICES_S.length))]!;
      break;
    case "steady":
      seconds = 1.5 + 0.2 * standardNormal(random);
      break;
    case "human_like":
      seconds = Math.exp(0.5 + 0.3 * standardNormal(random));
      break;
  }
  return Math.max(MIN_DELAY_MS, Math.round(seconds * 1000 * scale));
}

/** Box-Muller. */
function standardNormal(random: () => number): number {
  const u = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
