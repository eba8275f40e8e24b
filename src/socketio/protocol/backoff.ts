// Reconnection delays: exponential from `delayMs`, capped at `maxDelayMs`, with +-`jitter`
// randomisation so that many VUs that lost their connection together do not return together.
import { GENERATOR_OVERLOADED } from "./generator-lag";

export interface ReconnectOptions {
  /** Attempts after a lost connection before giving up. Default 5. */
  attempts?: number;
  /** First delay. Default 500 ms. */
  delayMs?: number;
  /** Largest delay. Default 5000 ms. */
  maxDelayMs?: number;
  /** 0..1: the delay varies by up to this fraction either way. Default 0.5. */
  jitter?: number;
}

export interface ResolvedReconnect {
  attempts: number;
  delayMs: number;
  maxDelayMs: number;
  jitter: number;
}

export function resolveReconnect(o: ReconnectOptions | boolean | undefined): ResolvedReconnect | null {
  if (!o) return null;
  const r = o === true ? {} : o;
  const out = { attempts: r.attempts ?? 5, delayMs: r.delayMs ?? 500, maxDelayMs: r.maxDelayMs ?? 5_000, jitter: r.jitter ?? 0.5 };
  if (!Number.isInteger(out.attempts) || out.attempts < 1) throw new TypeError(`reconnect.attempts must be a whole number >= 1, got ${out.attempts}`);
  if (!(out.delayMs > 0) || !(out.maxDelayMs >= out.delayMs)) throw new TypeError("reconnect.delayMs must be > 0 and <= maxDelayMs");
  if (!(out.jitter >= 0 && out.jitter <= 1)) throw new TypeError("reconnect.jitter must be between 0 and 1");
  return out;
}

/** Delay before attempt `n` (1-based). */
export function backoffDelay(n: number, r: ResolvedReconnect, random: () => number = Math.random): number {
  const base = Math.min(r.maxDelayMs, r.delayMs * 2 ** (n - 1));
  const spread = base * r.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

/** The disconnect reasons after which socket.io-client reconnects. */
export function isReconnectable(reason: string | undefined): boolean {
  return reason === "transport close" || reason === "transport error" || reason === "ping timeout" || reason === GENERATOR_OVERLOADED;
}
