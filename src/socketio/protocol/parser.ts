// The Socket.IO packet format is pluggable, as in socket.io (its `parser` option). The default
// is socket.io-parser's text+attachments format; k6-socketio/msgpack provides the
// socket.io-msgpack-parser format. A decoder never throws: bad input comes back as an Error.
import { encodeSocketPacket, type Frame, SocketDecoder, type SocketPacket } from "./codec";

export interface PacketDecoder {
  /** A completed packet, null while more frames are awaited, or why the frame was rejected. */
  add(payload: Frame): SocketPacket | null | Error;
  /** True while a binary packet awaits its attachments (a text frame then goes to add(), not the per-message path). */
  readonly awaitingAttachments?: boolean;
  /** An incomplete packet dropped while decoding the last frame, if any. */
  takeDropped(): Error | null;
}

export interface PacketParser {
  readonly name: string;
  /** Whether packets are text frames (and so can travel in a polling handshake). */
  readonly text: boolean;
  encode(packet: SocketPacket): Frame[];
  decoder(): PacketDecoder;
}

export const defaultParser: PacketParser = {
  name: "socket.io-parser",
  text: true,
  encode: encodeSocketPacket,
  decoder: () => new SocketDecoder(),
};
