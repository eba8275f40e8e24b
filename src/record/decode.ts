// A recorded Engine.IO session decoded into its Socket.IO packets, both ways, in order: what
// the client and the server said to each other, with the Engine.IO framing (polling payloads,
// pings, the upgrade probe) taken off and binary attachments put back into their packets.
import { decodeEngineFrame, decodePollingBodyV3, type Frame, PacketType, SocketDecoder, type SocketPacket } from "../socketio/protocol/codec";
import type { EngineSession, WireFrame } from "./capture";

export type StepType = "connect" | "connect_error" | "event" | "ack" | "disconnect";

export interface Step {
  t: number;
  dir: "sent" | "received";
  nsp: string;
  type: StepType;
  /** The event's name (events), or the name of the event an ack answers (acks, when known). */
  event?: string;
  /** An event's arguments, an ack's arguments, a CONNECT's auth or reply, a CONNECT_ERROR's data. */
  args: unknown[];
  /** The ack id an event asks for, or the id an ack answers. */
  id?: number;
  /** For an ack: ms since the event it answers. */
  latencyMs?: number;
}

export interface DecodedSession {
  session: EngineSession;
  steps: Step[];
  /** The open packet's values. */
  handshake: { sid?: string; pingInterval?: number; pingTimeout?: number; maxPayload?: number } | undefined;
  pings: number;
  problems: string[];
}

export function decodeSession(session: EngineSession): DecodedSession {
  const out: DecodedSession = { session, steps: [], handshake: undefined, pings: 0, problems: [] };
  const decoders = { sent: new SocketDecoder(), received: new SocketDecoder() };
  const asked = new Map<string, { event: string; t: number }>();
  const deliver = (frame: WireFrame, payload: Frame): void => {
    const result = decoders[frame.dir].add(payload);
    if (result === null) return;
    if (result instanceof Error) return void out.problems.push(`${frame.dir} at ${Math.round(frame.t)} ms: ${result.message}`);
    out.steps.push(step(result, frame, asked));
  };
  for (const frame of session.frames) {
    if (frame.base64 !== undefined) {
      const bytes = Buffer.from(frame.base64, "base64");
      // Engine.IO v3 binary frames lead with their packet type (4, message).
      const body = session.eio === 3 ? bytes.subarray(1) : bytes;
      deliver(frame, body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
      continue;
    }
    for (const text of engineTexts(frame.text ?? "", session, frame)) {
      const packet = decodeEngineFrame(text);
      if (!packet) {
        out.problems.push(`${frame.dir} at ${Math.round(frame.t)} ms: not an Engine.IO packet: ${text.slice(0, 80)}`);
        continue;
      }
      if (packet.type === "open") out.handshake = parseOpen(packet.data);
      else if (packet.type === "ping" && packet.data !== "probe") out.pings++;
      else if (packet.type === "message") {
        const data = packet.data as Frame;
        // Polling carries binary as "b" + base64 (engine.io-parser hands it over as a buffer).
        deliver(frame, typeof data === "string" ? data : (data as ArrayBuffer));
      }
    }
  }
  return out;
}

/** The Engine.IO packets in one recorded frame: one per WebSocket frame, several per polling body. */
function engineTexts(text: string, session: EngineSession, frame: WireFrame): string[] {
  if (frame.via === "websocket") return [text];
  if (session.eio === 3 || /^\d+:/.test(text)) return decodePollingBodyV3(text) ?? [text];
  // Engine.IO v4 separates a body's packets with \x1e (a record separator no packet contains).
  return text.split("\x1e");
}

function step(packet: SocketPacket, frame: WireFrame, asked: Map<string, { event: string; t: number }>): Step {
  const nsp = packet.nsp || "/";
  const base = { t: frame.t, dir: frame.dir, nsp };
  switch (packet.type) {
    case PacketType.CONNECT:
      return { ...base, type: "connect", args: packet.data === undefined ? [] : [packet.data] };
    case PacketType.CONNECT_ERROR:
      return { ...base, type: "connect_error", args: [packet.data] };
    case PacketType.DISCONNECT:
      return { ...base, type: "disconnect", args: [] };
    case PacketType.EVENT:
    case PacketType.BINARY_EVENT: {
      const [name, ...args] = packet.data as unknown[];
      const event = String(name);
      if (packet.id !== undefined) asked.set(`${frame.dir}:${nsp}:${packet.id}`, { event, t: frame.t });
      return { ...base, type: "event", event, args, ...(packet.id !== undefined ? { id: packet.id } : {}) };
    }
    default: {
      // An ack answers the other side's event with the same id.
      const other = frame.dir === "sent" ? "received" : "sent";
      const question = packet.id === undefined ? undefined : asked.get(`${other}:${nsp}:${packet.id}`);
      const args = Array.isArray(packet.data) ? (packet.data as unknown[]) : [];
      return { ...base, type: "ack", args, ...(packet.id !== undefined ? { id: packet.id } : {}), ...(question ? { event: question.event, latencyMs: frame.t - question.t } : {}) };
    }
  }
}

function parseOpen(data: unknown): DecodedSession["handshake"] {
  try {
    const o = (typeof data === "string" ? JSON.parse(data) : data) as Record<string, unknown>;
    const num = (k: string): number | undefined => (typeof o[k] === "number" ? (o[k] as number) : undefined);
    return { ...(typeof o.sid === "string" ? { sid: o.sid } : {}), pingInterval: num("pingInterval"), pingTimeout: num("pingTimeout"), maxPayload: num("maxPayload") };
  } catch {
    return undefined;
  }
}
