// The seeded cases of the fuzz server (test/peers/fuzz.ts): for a seed, a transport and a case
// number, the open packet, the frames sent after the namespace CONNECT reply, how the server
// ends, and what the client must make of it: the decode errors each frame is worth (exactly)
// and the session's outcome. Pure and deterministic, so that the test computes the same
// expectations as the server without asking it.
import { seededRandom } from "../../src/target/common.ts";

export const FUZZ_TRANSPORTS = ["ws", "websockets", "polling", "polling-only"] as const;
export type FuzzTransport = (typeof FUZZ_TRANSPORTS)[number];

export type DecodeReason = "engine_frame" | "socket_packet" | "attachments" | "unknown_ack" | "max_payload" | "open_packet";

/** One wire frame: text, or a binary attachment (sent as "b"+base64 over polling). */
export type FuzzFrame = string | { binary: number[] };

/** How the server ends the case, after its frames. */
export type FuzzEnd = "done" | "engine-close" | "ws-close" | "ws-close-1000" | "ws-terminate";

export interface FuzzCase {
  /** The open packet's body: an object, or raw text for a body that is not JSON. */
  open: Record<string, unknown> | string;
  frames: FuzzFrame[];
  end: FuzzEnd;
  /** Decode errors the client must count for this case, by reason. */
  decode: Partial<Record<DecodeReason, number>>;
  /** `survived` (the closing "done" event arrived), `connect_error:<reason>` or `ended:<reason>`. */
  outcome: string;
  /** The mutations, for a failure message. */
  label: string;
}

/** The frames' size bound the open packet announces; only the oversize mutation exceeds it. */
export const MAX_PAYLOAD = 20_000;
export const DONE = '42["done"]';


type Rand = () => number;
const pick = <T>(rand: Rand, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
const between = (rand: Rand, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

interface Mutation {
  label: string;
  frames: FuzzFrame[];
  decode: Partial<Record<DecodeReason, number>>;
}

const one = (reason: DecodeReason, label: string, ...frames: FuzzFrame[]): Mutation => ({ label, frames, decode: { [reason]: 1 } });
const benign = (label: string, ...frames: FuzzFrame[]): Mutation => ({ label, frames, decode: {} });
const FILLER = '42["filler"]';
const bytes = (rand: Rand): { binary: number[] } => ({ binary: Array.from({ length: between(rand, 1, 8) }, () => between(rand, 0, 255)) });

/** Valid frames whose every strict prefix (of at least one character) is one malformed packet. */
const TRUNCATABLE = ['42["ev",{"a":1,"b":[true,null,"x"]}]', '4217["ask",{"q":"why"}]', '43["late"]', '42["ev",-1.5e3,"\\u00e9"]'];

const MUTATIONS: ((rand: Rand) => Mutation)[] = [
  (rand) => {
    const base = pick(rand, TRUNCATABLE);
    return one("socket_packet", "truncated", base.slice(0, between(rand, 1, base.length - 1)));
  },
  (rand) => one("engine_frame", "engine type", pick(rand, ["8", "9x", "x", "7", "5", "{}", "a1"])),
  (rand) => one("socket_packet", "socket type", pick(rand, ["49x", "4/", "48", "4x", "47[1]"])),
  (rand) =>
    one("socket_packet", "shape", pick(rand, ["42", "421", "42/", "42/chat", "42[]", "42{}", "42[null]", "42[{}]", "42[1.5e999]", '42["connect"]', '42["disconnect",1]', "43", '43["no id"]', '4212345678901234567890["ev"]', '40[1]'])),
  (rand) => one("socket_packet", "bad json", pick(rand, ["42[not json]", '42["ev",]', '42["ev" "x"]', '42["ev",{"a":1,}]', '42["ev",00]', '42["ev",0x10]', '42["ev",NaN]', "42['ev']"])),
  (rand) => benign("odd but valid", pick(rand, ['42["ev",-0]', '42/chat,["not joined"]', "6", '42[7,"numeric name"]', '42["ev",{"_placeholder":true,"num":0}]'])),
  (rand) => one("unknown_ack", "unknown ack", pick(rand, ['43999999["x"]', "4312", '4377[{"a":[]}]'])),
  (rand) => one("attachments", "missing attachment", '451-["bin",{"_placeholder":true,"num":0}]', FILLER),
  (rand) => one("attachments", "attachment count", '452-["bin",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', bytes(rand), FILLER),
  (rand) => one("attachments", "orphan attachment", bytes(rand)),
  (rand) => one("attachments", "placeholder out of range", '451-["bin",{"_placeholder":true,"num":5}]', bytes(rand)),
  () => one("attachments", "too many attachments", '4520-["bin"]'),
  (rand) => one("socket_packet", "binary event without data", "451-", bytes(rand)),
  (rand) => one("socket_packet", "binary ack without id", '461-[{"_placeholder":true,"num":0}]', bytes(rand)),
  (rand) => one("unknown_ack", "binary ack unknown id", '461-19[{"_placeholder":true,"num":0}]', bytes(rand)),
  (rand) => benign("valid binary", '451-["bin",{"_placeholder":true,"num":0}]', bytes(rand)),
  (rand) => {
    const n = between(rand, 20, 150);
    return { label: `flood of ${n} bad`, frames: Array.from({ length: n }, () => "49"), decode: { socket_packet: n } };
  },
  (rand) => {
    const n = between(rand, 20, 150);
    return benign(`flood of ${n} good`, ...Array.from({ length: n }, (_, i) => `42["flood",${i}]`));
  },
  () => one("max_payload", "oversize", `42["big","${"x".repeat(MAX_PAYLOAD)}"]`),
];

/** An open packet mutation: the field changed, and what the client must make of it. */
interface OpenMutation {
  label: string;
  set: Record<string, unknown> | string;
  /** Counted once as open_packet, the session goes on. */
  adjusted?: boolean;
  /** The handshake fails with this connect error. */
  fails?: string;
  /** maxPayload is no longer MAX_PAYLOAD (the oversize frame then fits). */
  maxPayloadChanged?: boolean;
}

function openMutations(transport: FuzzTransport): OpenMutation[] {
  const list: OpenMutation[] = [
    { label: "pingInterval 9e15", set: { pingInterval: 9e15 }, adjusted: true },
    { label: "pingInterval 1e308", set: { pingInterval: 1e308 }, adjusted: true },
    { label: "pingTimeout 9e15", set: { pingTimeout: 9e15 }, adjusted: true },
    { label: "pingInterval 0", set: { pingInterval: 0 } },
    { label: "maxPayload string", set: { maxPayload: "big" }, adjusted: true, maxPayloadChanged: true },
    { label: "maxPayload negative", set: { maxPayload: -1 }, adjusted: true, maxPayloadChanged: true },
    { label: "sid number", set: { sid: 42 }, fails: "handshake_invalid" },
    { label: "sid empty", set: { sid: "" }, fails: "handshake_invalid" },
    { label: "pingInterval string", set: { pingInterval: "25000" }, fails: "handshake_invalid" },
    { label: "pingTimeout negative", set: { pingTimeout: -5 }, fails: "handshake_invalid" },
    { label: "open body not JSON", set: '{"sid":"S",', fails: "handshake_invalid" },
    { label: "open body a list", set: "[1,2]", fails: "handshake_invalid" },
  ];
  // The polling handshake needs the websocket upgrade on offer; the others ignore upgrades.
  if (transport !== "polling") {
    list.push({ label: "upgrades string", set: { upgrades: "websocket" }, adjusted: true });
    list.push({ label: "upgrades non-strings", set: { upgrades: [1, null] }, adjusted: true });
  }
  return list;
}

export function baseOpen(transport: FuzzTransport, sid: string): Record<string, unknown> {
  return { sid, upgrades: transport === "polling" ? ["websocket"] : [], pingInterval: 25_000, pingTimeout: 20_000, maxPayload: MAX_PAYLOAD };
}

function add(into: Partial<Record<DecodeReason, number>>, from: Partial<Record<DecodeReason, number>>): void {
  for (const [k, v] of Object.entries(from) as [DecodeReason, number][]) into[k] = (into[k] ?? 0) + v;
}

/** Case `index` of `seed` on `transport`. */
export function fuzzCase(seed: number, transport: FuzzTransport, index: number): FuzzCase {
  const rand = seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(FUZZ_TRANSPORTS.indexOf(transport) + 1, 0x85ebca6b)) >>> 0);
  const sid = `F${index}`;
  const labels: string[] = [];
  const decode: Partial<Record<DecodeReason, number>> = {};
  let open: Record<string, unknown> | string = baseOpen(transport, sid);
  let maxPayloadChanged = false;
  if (rand() < 0.25) {
    const m = pick(rand, openMutations(transport));
    labels.push(`open: ${m.label}`);
    if (m.fails) return { open: typeof m.set === "string" ? m.set : { ...open, ...m.set }, frames: [], end: "done", decode: {}, outcome: `connect_error:${m.fails}`, label: labels.join(", ") };
    open = { ...open, ...(m.set as Record<string, unknown>) };
    if (m.adjusted) add(decode, { open_packet: 1 });
    maxPayloadChanged = m.maxPayloadChanged === true;
  }
  const frames: FuzzFrame[] = [];
  const count = between(rand, 1, 4);
  for (let i = 0; i < count; i++) {
    const m = pick(rand, MUTATIONS)(rand);
    labels.push(m.label);
    frames.push(...m.frames);
    // Past the announced maxPayload only when it still is MAX_PAYLOAD.
    add(decode, maxPayloadChanged && m.decode.max_payload ? {} : m.decode);
  }
  const ws = transport !== "polling-only";
  const roll = rand();
  const end: FuzzEnd = roll < 0.7 ? "done" : roll < 0.8 || !ws ? "engine-close" : pick(rand, ["ws-close", "ws-close-1000", "ws-terminate"] as const);
  labels.push(`end: ${end}`);
  const outcome = end === "done" ? "survived" : end === "ws-terminate" ? "ended:transport error" : "ended:transport close";
  return { open, frames, end, decode, outcome, label: labels.join(", ") };
}
