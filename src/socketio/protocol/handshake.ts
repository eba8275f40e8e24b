// The Engine.IO open packet: `0{"sid":...,"upgrades":[...],"pingInterval":...,"pingTimeout":...}`.

export interface Handshake {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
  /** Engine.IO v3 (Socket.IO v2) open packets have no maxPayload: the client pings, the server auto-connects "/". */
  eio3: boolean;
  /** What was wrong with the open packet and was replaced by a bound or a default (counted as a decode error). */
  adjusted?: string;
  /**
   * Time the client itself held the open connection before using it (the "auto" protocol's wait
   * for evidence of v3): not the server's time, so socketio_connect_duration leaves it out.
   */
  clientHoldMs?: number;
}

/**
 * Bounds on the server's values. A timer longer than 2^31-1 ms overflows in k6 (and in
 * browsers): it fires at once, or k6/ws refuses it. A day per value keeps pingInterval +
 * pingTimeout far below that; a larger value only says "no heartbeat worth watching".
 */
export const HANDSHAKE_BOUNDS = {
  /** 0 is allowed: python-engineio sends it for sub-second intervals, and socket.io-client accepts it. */
  pingInterval: { min: 0, max: 86_400_000 },
  pingTimeout: { min: 0, max: 86_400_000 },
  /** Used only to count oversize frames; a value that is not a positive number gives engine.io's default. */
  maxPayload: { min: 1, default: 1_000_000 },
} as const;

/**
 * Validates the open packet's JSON; returns a reason string when it is unusable. Values we can
 * live with (a huge pingInterval, upgrades that are not a list) are bounded or defaulted, and
 * said in `adjusted`.
 */
export function parseHandshake(data: unknown): Handshake | string {
  if (typeof data !== "string") return "open packet has no JSON body";
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return `open packet body is not JSON: ${preview(data)}`;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return `open packet body is not an object: ${preview(data)}`;
  const o = raw as Record<string, unknown>;
  if (typeof o.sid !== "string" || o.sid === "") return "open packet has no sid";
  if (!isNonNegative(o.pingInterval) || !isNonNegative(o.pingTimeout)) {
    return `open packet has no valid pingInterval/pingTimeout: ${preview(data)}`;
  }
  const adjusted: string[] = [];
  const bounded = (name: "pingInterval" | "pingTimeout", value: number): number => {
    const { max } = HANDSHAKE_BOUNDS[name];
    if (value <= max) return value;
    adjusted.push(`${name} ${value} capped at ${max} ms`);
    return max;
  };
  let upgrades: string[] = [];
  if (Array.isArray(o.upgrades)) {
    upgrades = o.upgrades.filter((u): u is string => typeof u === "string");
    if (upgrades.length !== o.upgrades.length) adjusted.push("upgrades lists non-strings (ignored)");
  } else if (o.upgrades !== undefined) adjusted.push(`upgrades is ${typeof o.upgrades}, not a list (taken as none)`);
  let maxPayload: number = HANDSHAKE_BOUNDS.maxPayload.default;
  if (typeof o.maxPayload === "number" && Number.isFinite(o.maxPayload) && o.maxPayload >= HANDSHAKE_BOUNDS.maxPayload.min) maxPayload = o.maxPayload;
  else if (o.maxPayload !== undefined) adjusted.push(`maxPayload ${preview(JSON.stringify(o.maxPayload) ?? "", 40)} is not a positive number (taken as ${maxPayload})`);
  const handshake: Handshake = {
    sid: o.sid,
    upgrades,
    pingInterval: bounded("pingInterval", o.pingInterval),
    pingTimeout: bounded("pingTimeout", o.pingTimeout),
    maxPayload,
    eio3: !("maxPayload" in o),
  };
  if (adjusted.length > 0) handshake.adjusted = adjusted.join("; ");
  return handshake;
}

function isNonNegative(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0;
}

/** A short, printable excerpt of untrusted text for error messages. */
export function preview(text: string, max = 120): string {
  const flat = text.replace(/[\x00-\x1f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return flat.length > max ? `${JSON.stringify(flat.slice(0, max))}…` : JSON.stringify(flat);
}
