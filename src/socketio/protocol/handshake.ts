// The Engine.IO open packet: `0{"sid":...,"upgrades":[...],"pingInterval":...,"pingTimeout":...}`.

export interface Handshake {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
  /** Engine.IO v3 (Socket.IO v2) open packets have no maxPayload: the client pings, the server auto-connects "/". */
  eio3: boolean;
}

/** Validates the open packet's JSON; returns a reason string when it is unusable. */
export function parseHandshake(data: unknown): Handshake | string {
  if (typeof data !== "string") return "open packet has no JSON body";
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return `open packet body is not JSON: ${preview(data)}`;
  }
  if (typeof raw !== "object" || raw === null) return `open packet body is not an object: ${preview(data)}`;
  const o = raw as Record<string, unknown>;
  if (typeof o.sid !== "string" || o.sid === "") return "open packet has no sid";
  if (!isPositive(o.pingInterval) || !isPositive(o.pingTimeout)) {
    return `open packet has no valid pingInterval/pingTimeout: ${preview(data)}`;
  }
  return {
    sid: o.sid,
    upgrades: Array.isArray(o.upgrades) ? o.upgrades.filter((u): u is string => typeof u === "string") : [],
    pingInterval: o.pingInterval,
    pingTimeout: o.pingTimeout,
    maxPayload: isPositive(o.maxPayload) ? o.maxPayload : 1_000_000,
    eio3: !("maxPayload" in o),
  };
}

function isPositive(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v > 0;
}

/** A short, printable excerpt of untrusted text for error messages. */
export function preview(text: string, max = 120): string {
  const flat = text.replace(/[\x00-\x1f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return flat.length > max ? `${JSON.stringify(flat.slice(0, max))}…` : JSON.stringify(flat);
}
