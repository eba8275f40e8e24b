// Seed 002's chat service. Users join conversations (room `conversation:<id>`); a message is
// broadcast as new_message to every other member, through the Broadcaster, whose fault modes
// reproduce the seed's bug (room-namespace: nothing arrives) and losses (drop-broadcast=P).
//   join_conversation {conversation_id}          ack {ok:true, conversation_id, members}
//   send_message {conversation_id, message_id, text, sent_at}
//                                                ack {ok:true, message_id, recipients}
//                                                | {ok:false, error:"ROOM_NOT_FOUND"|"NOT_IN_CONVERSATION", message}
//   new_message {conversation_id, message_id, sender_id, text, sent_at}  to the room but the sender
import type { Namespace, Socket } from "socket.io";
import type { Broadcaster } from "./common.ts";

type Ack = ((response: unknown) => void) | undefined;

export function serveChat(nsp: Namespace, broadcast: Broadcaster): void {
  const room = (id: string) => `conversation:${id}`;
  const reply = (ack: Ack, body: unknown) => {
    if (typeof ack === "function") ack(body);
  };

  nsp.on("connection", (socket: Socket) => {
    socket.on("join_conversation", (payload: unknown, ack: Ack) => {
      const id = conversationId(payload);
      if (!id) return reply(ack, { ok: false, error: "VALIDATION_ERROR", message: "join_conversation needs {conversation_id}" });
      void socket.join(room(id));
      reply(ack, { ok: true, conversation_id: id, members: nsp.adapter.rooms.get(room(id))?.size ?? 0 });
    });

    socket.on("send_message", (payload: unknown, ack: Ack) => {
      const id = conversationId(payload);
      if (!id) return reply(ack, { ok: false, error: "VALIDATION_ERROR", message: "send_message needs {conversation_id}" });
      const members = nsp.adapter.rooms.get(room(id));
      if (!members) return reply(ack, { ok: false, error: "ROOM_NOT_FOUND", message: `room ${room(id)} does not exist` });
      if (!members.has(socket.id)) return reply(ack, { ok: false, error: "NOT_IN_CONVERSATION", message: `not a member of ${room(id)}` });
      const p = payload as { message_id?: unknown; text?: unknown; sent_at?: unknown };
      const message = { conversation_id: id, message_id: p.message_id ?? null, sender_id: socket.id, text: p.text ?? "", sent_at: p.sent_at ?? null };
      const recipients = [...members].filter((sid) => sid !== socket.id);
      broadcast.toRoom(room(id), "new_message", message, socket.id);
      reply(ack, { ok: true, message_id: message.message_id, recipients: recipients.length });
    });
  });
}

function conversationId(payload: unknown): string | null {
  const id = (payload as { conversation_id?: unknown } | null)?.conversation_id;
  return typeof id === "string" && id.length > 0 && id.length <= 128 ? id : null;
}
