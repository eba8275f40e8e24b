// The socket.io-msgpack-parser packet format, for servers created with
// `new Server({ parser: require("socket.io-msgpack-parser") })`. Every packet is one binary
// frame. A separate entry point, so that bundles that do not use it do not carry it:
//   import { msgpackParser } from "k6-socketio/msgpack";
//   connect(url, { parser: msgpackParser }, …)
import { Decoder, Encoder } from "socket.io-msgpack-parser";
import type { Frame, SocketPacket } from "./protocol/codec";
import type { PacketDecoder, PacketParser } from "./protocol/parser";

const encoder = new Encoder();

class MsgpackDecoder implements PacketDecoder {
  private readonly decoder = new Decoder();
  private decoded: SocketPacket | null = null;

  constructor() {
    this.decoder.on("decoded", (packet: SocketPacket) => {
      this.decoded = packet;
    });
    // python-socketio encodes a DISCONNECT as {type: 1, data: nil, nsp: "/"}; the package
    // rejects any data on a DISCONNECT. The meaning is plain: take nil as no data. (Shapes
    // are checked again, for every parser, before a socket sees the packet.)
    const strict = this.decoder as unknown as { checkPacket(decoded: unknown): void };
    const check = strict.checkPacket.bind(strict);
    strict.checkPacket = (decoded) => check(withoutNilData(decoded));
  }

  add(payload: Frame): SocketPacket | null | Error {
    if (typeof payload === "string") return new Error("a text frame where the msgpack parser expects binary (is the server using the msgpack parser?)");
    this.decoded = null;
    try {
      this.decoder.add(payload);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
    return this.decoded;
  }

  takeDropped(): Error | null {
    return null;
  }
}

/** A DISCONNECT or CONNECT whose data is msgpack nil, as one without data. */
function withoutNilData(decoded: unknown): unknown {
  if (typeof decoded !== "object" || decoded === null) return decoded;
  const packet = decoded as { type?: unknown; data?: unknown };
  if (packet.data === null && (packet.type === 0 || packet.type === 1)) delete packet.data;
  return decoded;
}

/**
 * notepack's browser encoder writes an ArrayBuffer as msgpack bin, but a typed array as a map
 * of its indices: replace every view, however deep, by an ArrayBuffer of exactly its bytes.
 */
function viewsToBuffers(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  if (Array.isArray(value)) return value.map(viewsToBuffers);
  if (value !== null && typeof value === "object" && !(value instanceof ArrayBuffer) && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = viewsToBuffers(v);
    return out;
  }
  return value;
}

export const msgpackParser: PacketParser = {
  name: "msgpack",
  text: false,
  encode: (packet) =>
    // The package's types say one ArrayBuffer; its code returns an array of encoded parts.
    (encoder.encode({ ...packet, ...(packet.data !== undefined ? { data: viewsToBuffers(packet.data) } : {}) }) as unknown as (ArrayBuffer | Uint8Array)[]).map((part) =>
      part instanceof ArrayBuffer ? part : (part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength) as ArrayBuffer),
    ),
  decoder: () => new MsgpackDecoder(),
};
