// Packet encoding for both protocol layers. engine.io-parser and socket.io-parser do the
// work; this module only adapts them to a synchronous, never-throwing interface, because a
// throw inside a k6/ws handler would close the socket and abort the session.
import { decodePacket, decodePayload, encodePacket, encodePayload } from "engine.io-parser";
import type { Packet as EnginePacket, PacketType as EnginePacketType } from "engine.io-parser";
import { Decoder, Encoder, PacketType } from "socket.io-parser";
import type { Packet as SocketPacket } from "socket.io-parser";

export { PacketType };
export type { EnginePacket, EnginePacketType, SocketPacket };

/** One frame as it goes on the wire: text, or one binary attachment. */
export type Frame = string | ArrayBuffer;

/** Decodes one Engine.IO text frame; `null` when the frame is not a valid packet. */
export function decodeEngineFrame(frame: string): EnginePacket | null {
  // Text messages ("4…") are nearly all traffic: decoded here as engine.io-parser does, without its generic path.
  if (frame.charCodeAt(0) === 52 && frame.length > 1) return { type: "message", data: frame.slice(1) };
  const packet = decodePacket(frame, "arraybuffer");
  return packet.type === "error" ? null : packet;
}

/** Splits an HTTP long-polling body (packets joined by \x1e); `null` if any packet is invalid. */
export function decodePollingBody(body: string): EnginePacket[] | null {
  const packets = decodePayload(body, "arraybuffer");
  return packets.some((p) => p.type === "error") ? null : packets;
}

/** Encodes a text Engine.IO packet. The text path of engine.io-parser is synchronous. */
export function encodeEngineText(type: EnginePacketType, data = ""): string {
  let out = "";
  encodePacket({ type, data }, true, (encoded) => {
    out = encoded as string;
  });
  return out;
}

/** Joins text packets into one long-polling request body. */
export function encodePollingBody(packets: EnginePacket[]): string {
  let out = "";
  encodePayload(packets, (encoded) => {
    out = encoded;
  });
  return out;
}

const encoder = new Encoder();

/**
 * Encodes a Socket.IO packet into the Engine.IO message payloads that carry it: one string,
 * or for binary packets the header string followed by one ArrayBuffer per attachment.
 */
export function encodeSocketPacket(packet: SocketPacket): Frame[] {
  const text = encodeTextEventOrAck(packet);
  return text === undefined ? encoder.encode(packet).map(toFrame) : [text];
}

// The per-message fast path. k6's JS runtime interprets rather than compiles, and
// socket.io-parser's generic code (a keyed walk of the whole packet for binary, `arguments`,
// per-character Number() tests) costs about 30 µs a packet there: more than the network round
// trip. EVENT and ACK packets without binary, nearly all traffic, are encoded and decoded here
// in socket.io-parser's exact format; everything else still goes through socket.io-parser.
// test/unit/codec-fast-path.test.ts checks both directions against it.

/** An EVENT or ACK packet without binary as its text frame; undefined for any other packet. */
export function encodeTextEventOrAck(packet: SocketPacket): string | undefined {
  if ((packet.type !== PacketType.EVENT && packet.type !== PacketType.ACK) || containsBinary(packet.data, true)) return undefined;
  let out = packet.type === PacketType.EVENT ? "2" : "3";
  if (packet.nsp && packet.nsp !== "/") out += `${packet.nsp},`;
  if (packet.id != null) out += packet.id;
  if (packet.data != null) out += JSON.stringify(packet.data);
  return out;
}

/** socket.io-parser's hasBinary rule (a toJSON result is searched once, without its own toJSON). */
function containsBinary(value: unknown, followToJSON: boolean): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "object" && item !== null && containsBinary(item, true)) return true;
    }
    return false;
  }
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return true;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (followToJSON && typeof toJSON === "function") return containsBinary(toJSON.call(value), false);
  for (const key in value) {
    if (Object.prototype.hasOwnProperty.call(value, key) && containsBinary((value as Record<string, unknown>)[key], true)) return true;
  }
  return false;
}

/** Event names a server may not send: they would pose as the socket's own events. */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set(["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]);
const ZERO = 48;
const NINE = 57;

/** Longest ack id read inline: 15 digits always make a safe integer (socket.io-parser's ids are counters). */
const MAX_ID_DIGITS = 15;

/**
 * Reads text EVENT and ACK packets in place: one JSON.parse, the ack id read as digits, no
 * packet object. One reader per connection, its fields overwritten by each read. A frame it
 * refuses (anything else, or malformed) is left to socket.io-parser and the shape check, which
 * count and explain it. The rules are packet-shape.ts's: an EVENT names itself with a string
 * that is not reserved (or a finite number), an ACK has an id.
 */
export class TextEventReader {
  type: PacketType.EVENT | PacketType.ACK = PacketType.EVENT;
  nsp = "/";
  /** The ack id, or -1 when the packet has none. */
  id = -1;
  data: unknown[] = [];

  /** Reads the Socket.IO packet that starts at `start` of `frame` (1 behind an Engine.IO "4"). */
  read(frame: string, start: number): boolean {
    const type = frame.charCodeAt(start) - ZERO;
    if (type !== PacketType.EVENT && type !== PacketType.ACK) return false;
    let at = start + 1;
    let nsp = "/";
    if (frame.charCodeAt(at) === 47 /* "/" */) {
      const comma = frame.indexOf(",", at);
      if (comma < 0) return false;
      nsp = frame.slice(at, comma);
      at = comma + 1;
    }
    let id = -1;
    let c = frame.charCodeAt(at);
    const digitsFrom = at;
    while (c >= ZERO && c <= NINE) {
      id = (id < 0 ? 0 : id * 10) + (c - ZERO);
      c = frame.charCodeAt(++at);
    }
    if (c !== 91 /* "[" */ || at - digitsFrom > MAX_ID_DIGITS) return false;
    let data: unknown;
    try {
      data = JSON.parse(frame.slice(at));
    } catch {
      return false;
    }
    if (!Array.isArray(data)) return false;
    if (type === PacketType.ACK) {
      if (id < 0) return false;
    } else {
      const name: unknown = data[0];
      if (typeof name === "string" ? RESERVED_EVENTS.has(name) : !(typeof name === "number" && Number.isFinite(name))) return false;
    }
    this.type = type;
    this.nsp = nsp;
    this.id = id;
    this.data = data;
    return true;
  }
}

const reader = new TextEventReader();

/**
 * A text EVENT or ACK frame decoded as socket.io-parser would; undefined when the frame is
 * anything else or is not valid, so that socket.io-parser decodes it or explains the error.
 */
export function decodeTextEventOrAck(frame: string): SocketPacket | undefined {
  if (!reader.read(frame, 0)) return undefined;
  const { type, nsp, data, id } = reader;
  return id < 0 ? { type, nsp, data } : { type, nsp, data, id };
}

/**
 * `prefix` followed by an EVENT packet as socket.io-parser encodes it, built as one string with
 * one JSON.stringify (a native call costs more than the array it is given); undefined when an
 * argument holds binary. `id` -1: no ack asked for.
 */
export function encodeTextEvent(prefix: string, nsp: string, event: string, args: unknown[], id: number): string | undefined {
  if (typeof event !== "string" || containsBinary(args, false)) return undefined;
  const head = nsp === "/" ? `${prefix}2` : `${prefix}2${nsp},`;
  return (id >= 0 ? head + id : head) + JSON.stringify(eventWithArgs(event, args));
}

/** [event, ...args], built without spread or concat (both slow in k6's interpreter) for the usual few arguments. */
export function eventWithArgs(event: string, args: unknown[]): unknown[] {
  switch (args.length) {
    case 0:
      return [event];
    case 1:
      return [event, args[0]];
    case 2:
      return [event, args[0], args[1]];
    default:
      return [event as unknown].concat(args);
  }
}

function toFrame(part: unknown): Frame {
  if (typeof part === "string" || part instanceof ArrayBuffer) return part;
  if (ArrayBuffer.isView(part)) {
    // k6's sendBinary takes an ArrayBuffer only: copy exactly the viewed bytes.
    return part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength) as ArrayBuffer;
  }
  throw new TypeError(`socket.io-parser produced an unexpected frame part: ${typeof part}`);
}

/**
 * Reassembles Socket.IO packets from Engine.IO message payloads. socket.io-parser's decoder
 * throws on bad input and can be left mid-way through a binary packet; on any error the
 * decoder is replaced so that one bad frame does not poison the ones after it.
 */
export class SocketDecoder {
  private decoder!: Decoder;
  private decoded: SocketPacket | null = null;

  constructor() {
    this.reset();
  }

  /**
   * Feeds one payload. Returns the completed packet, `null` when more attachments are
   * awaited, or an Error describing why the payload was rejected.
   */
  add(payload: Frame): SocketPacket | null | Error {
    if (typeof payload === "string" && !this.awaitingAttachments) {
      const fast = decodeTextEventOrAck(payload);
      if (fast) return fast;
    }
    const packet = this.addToParser(payload);
    this.awaitingAttachments = packet === null;
    return packet;
  }

  /** True after a binary packet's header, until its last attachment (or an error). */
  awaitingAttachments = false;

  private addToParser(payload: Frame): SocketPacket | null | Error {
    this.decoded = null;
    try {
      this.decoder.add(payload);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.reset();
      // Text while attachments were awaited: the broken packet is the earlier binary one, and
      // this text is a new packet. Drop the former, keep the latter (reported via `dropped`).
      if (typeof payload === "string" && /plaintext data when reconstructing/i.test(error.message)) {
        this.dropped = error;
        return this.addToParser(payload);
      }
      return error;
    }
    const packet = this.decoded;
    this.decoded = null;
    return packet;
  }

  /** Set when add() had to drop an incomplete binary packet before decoding the current one. */
  dropped: Error | null = null;

  /** Returns and clears the last dropped-packet error. */
  takeDropped(): Error | null {
    const d = this.dropped;
    this.dropped = null;
    return d;
  }

  private reset(): void {
    this.decoder = new Decoder();
    this.decoder.on("decoded", (packet: SocketPacket) => {
      this.decoded = packet;
    });
  }
}

/**
 * Engine.IO v3 polling payloads (Socket.IO v2 servers, with b64=1): `<length>:<packet>` records,
 * binary as `b<type><base64>`. Converted to and from the v4 frames the engine handles (binary
 * as `b<base64>`), so only the framing differs. `null` when the body is not v3 framing.
 */
export function decodePollingBodyV3(body: string): string[] | null {
  const frames: string[] = [];
  let at = 0;
  while (at < body.length) {
    const colon = body.indexOf(":", at);
    const length = colon < 0 ? NaN : Number(body.slice(at, colon));
    if (!Number.isInteger(length) || length < 0 || colon + 1 + length > body.length) return null;
    const packet = body.slice(colon + 1, colon + 1 + length);
    frames.push(packet.startsWith("b4") ? `b${packet.slice(2)}` : packet);
    at = colon + 1 + length;
  }
  return frames;
}

export function encodePollingBodyV3(frames: string[]): string {
  return frames.map((f) => (f.startsWith("b") ? `b4${f.slice(1)}` : f)).map((f) => `${f.length}:${f}`).join("");
}

/** True for a polling body in Engine.IO v3 framing (an open packet behind a length). */
export function isPollingBodyV3(body: string): boolean {
  return /^\d+:0\{/.test(body);
}
