// What a decoded Socket.IO packet must look like before a socket handles it. socket.io-parser
// lets some malformed text through (`42` decodes to an EVENT with no data), and another parser
// (msgpack, or one a user plugs in) may hand over any shape: the socket only ever sees packets
// that pass here. Lenient where the meaning is plain (a DISCONNECT or a CONNECT with a null
// payload, an ACK without arguments), strict where guessing would hand a listener garbage.
import { PacketType, RESERVED_EVENTS, type SocketPacket } from "./codec";

/** Why `packet` cannot be handled; undefined when it can. Allocates nothing for a good packet. */
export function packetProblem(packet: SocketPacket): string | undefined {
  if (typeof packet !== "object" || packet === null) return `not a packet: ${typeof packet}`;
  const { type, nsp, id, data } = packet as { type: unknown; nsp: unknown; id: unknown; data: unknown };
  if (typeof nsp !== "string") return `namespace is ${nsp === null ? "null" : typeof nsp}, not a string`;
  if (id !== undefined && !(typeof id === "number" && Number.isSafeInteger(id) && id >= 0)) return `ack id ${String(id)} is not a whole number`;
  switch (type) {
    case PacketType.EVENT:
    case PacketType.BINARY_EVENT:
      if (!Array.isArray(data) || data.length === 0) return "EVENT without an event name";
      if (typeof data[0] === "number") return Number.isFinite(data[0]) ? undefined : "EVENT with a non-finite numeric name";
      if (typeof data[0] !== "string") return `EVENT whose name is ${data[0] === null ? "null" : typeof data[0]}`;
      return RESERVED_EVENTS.has(data[0]) ? `EVENT with the reserved name '${data[0]}'` : undefined;
    case PacketType.ACK:
    case PacketType.BINARY_ACK:
      if (id === undefined) return "ACK without an id";
      // No payload is an ack without arguments, as socket.io-client reads it.
      return data === undefined || data === null || Array.isArray(data) ? undefined : `ACK whose arguments are ${typeof data}, not a list`;
    case PacketType.CONNECT:
      return data === undefined || data === null || (typeof data === "object" && !Array.isArray(data)) ? undefined : `CONNECT whose payload is ${Array.isArray(data) ? "a list" : typeof data}`;
    case PacketType.DISCONNECT: // any payload: the meaning is plain (python-socketio's msgpack sends data: nil)
    case PacketType.CONNECT_ERROR: // any payload: refused is refused; the message falls back to "connect_error"
      return undefined;
    default:
      return `unknown packet type ${String(type)}`;
  }
}
