// How a chat server speaks: the join (and the event that confirms it), the send, the broadcast
// and how to read the fields the flow needs from it, the leave, and what a member sends after
// reconnecting. The flow (src/scenarios/chat.ts) never reads a payload field itself.
import { readPath } from "./path";
import type { ContractConnection, Exchange, Player, Reply } from "./contract";
import { ContractError } from "./contract";
import { connectionFromJson } from "./connection-json";
import { exchangeFromJson, leaveFromJson, flatten, obj, replyView, str } from "./json";
import { checkPattern, fill, matches, type Pattern } from "./pattern";

export const CHAT_CLASSES = ["accepted", "refused", "error"] as const;
/** accepted: done; refused: the server said no (rate limit, not a member…); error: it says it failed. */
export type ChatClass = (typeof CHAT_CLASSES)[number];

/** What a template may name: ${player.id}, ${conversation.id}, ${message.text|id|sentAt}. */
export interface ChatCtx {
  player: Player;
  conversation: { id: string };
  message?: { id: string; text: string; sentAt: number };
}

/** What the flow reads from one broadcast (the fields the contract can read). */
export interface Broadcast {
  conversationId: string;
  /** The flow's message id, echoed by the server, when the contract reads one. */
  messageId?: string;
  /** The message text, when the contract reads it (the flow finds its marker in it). */
  text?: string;
  senderId?: string;
  /** The client's send time echoed by the server (epoch ms). */
  sentAt?: number;
  /** The server's own timestamp (epoch ms, parsed from ISO or epoch s/ms). */
  serverTime?: number;
}

export interface ChatContract {
  name: string;
  describes: string;
  join: Exchange<ChatCtx, ChatClass>;
  /** An event that must also arrive for a join to count (e.g. joined_conversation). */
  joinConfirm?: { event: string; confirms(args: unknown[], ctx: ChatCtx): boolean | undefined; expects: string };
  send: Exchange<ChatCtx, ChatClass>;
  /** Why a send was refused or failed, for the reason tag (low cardinality: a code, not a sentence). */
  reason(reply: Reply): string;
  message: {
    event: string;
    /** undefined: not readable (a mismatch). */
    read(args: unknown[]): Broadcast | undefined;
    /** How the flow knows its own messages: the echoed id, or its marker in the text. */
    identify: "id" | "marker";
    /** client: the echoed sentAt, else the marker's send time; server: the server's timestamp. */
    latency: "client" | "server";
    expects: string;
  };
  leave?: { event: string; args(ctx: ChatCtx): unknown[]; reply: "ack" | "none" };
  /** What a member sends after reconnecting; default: the join again. */
  rejoin?: Exchange<ChatCtx, ChatClass>;
  connection?: ContractConnection;
}

const record = (v: unknown): Record<string, unknown> | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** Epoch ms from a number (seconds or ms) or an ISO string; undefined when neither. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v < 1e11 ? v * 1000 : v;
  if (typeof v === "string" && v !== "") {
    const n = Number(v);
    if (Number.isFinite(n)) return parseTime(n);
    // A naive ISO time (no zone) is UTC, as Python's datetime.utcnow().isoformat() means it.
    const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}

/** The value at a dotted path ("data.message.created_at", "args.1.id") of a view. */
export { readPath };

/** Our reference server (src/target/chat.ts): acks {ok}, the flow's message_id and sent_at echoed. */
export const referenceChat: ChatContract = {
  name: "reference",
  describes: "the k6-socketio reference server",
  join: {
    event: "join_conversation",
    args: ({ conversation }) => [{ conversation_id: conversation.id }],
    classify: (r) => {
      const d = record(r.data);
      if (d?.ok === true) return "accepted";
      if (d?.ok === false) return d.error === "VALIDATION_ERROR" ? "error" : "refused";
      return undefined;
    },
    expects: "{ok:true, conversation_id, members} | {ok:false, error, message}",
  },
  send: {
    event: "send_message",
    args: ({ conversation, message }) => [{ conversation_id: conversation.id, message_id: message?.id, text: message?.text, sent_at: message?.sentAt }],
    classify: (r) => {
      const d = record(r.data);
      if (d?.ok === true) return "accepted";
      if (d?.ok === false) return d.error === "VALIDATION_ERROR" ? "error" : "refused";
      return undefined;
    },
    expects: '{ok:true, message_id, recipients} | {ok:false, error:"ROOM_NOT_FOUND"|"NOT_IN_CONVERSATION"|…, message}',
  },
  reason: (r) => String(record(r.data)?.error ?? "unknown"),
  message: {
    event: "new_message",
    read: (args) => {
      const m = record(args[0]);
      if (typeof m?.conversation_id !== "string" || typeof m.message_id !== "string") return undefined;
      return {
        conversationId: m.conversation_id,
        messageId: m.message_id,
        ...(typeof m.sender_id === "string" ? { senderId: m.sender_id } : {}),
        ...(typeof m.sent_at === "number" ? { sentAt: m.sent_at } : {}),
      };
    },
    identify: "id",
    latency: "client",
    expects: "new_message {conversation_id, message_id, sender_id, text, sent_at}",
  },
  // The reference server identifies a member by the CONNECT auth's user_id.
  connection: { auth: (player) => ({ user_id: player.id }) },
};

const FIELDS = ["name", "describes", "connection", "join", "send", "message", "leave", "rejoin"];
const MESSAGE_FIELDS = ["event", "shape", "conversation", "id", "text", "sender", "sentAt", "serverTime", "latency"];

/** A chat contract from JSON (format: docs/scenarios/chat.md, "Contract"). */
export function chatFromJson(raw: unknown, source: string): ChatContract {
  const o = obj(raw, source);
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) throw new ContractError(`${source}: ${k}: unknown field (known: ${FIELDS.join(", ")})`);
  const name = str(o.name, `${source}: name`);
  const joinRaw = obj(o.join, `${source}: join`);
  const { confirm, ...joinEx } = joinRaw;
  const join = exchangeFromJson<ChatCtx & Record<string, unknown>, ChatClass>(joinEx, `${source}: join`, CHAT_CLASSES);
  const send = exchangeFromJson<ChatCtx & Record<string, unknown>, ChatClass>(o.send, `${source}: send`, CHAT_CLASSES);
  const sendRaw = obj(o.send, `${source}: send`);
  const reasonPath = sendRaw.reason === undefined ? "data.error" : str(sendRaw.reason, `${source}: send.reason`);
  const out: ChatContract = {
    name,
    describes: typeof o.describes === "string" ? o.describes : `the contract in ${source}`,
    join: join as Exchange<ChatCtx, ChatClass>,
    send: send as Exchange<ChatCtx, ChatClass>,
    reason: (r) => {
      const v = readPath(replyView(r), reasonPath);
      return typeof v === "string" || typeof v === "number" ? String(v).slice(0, 40) : "unknown";
    },
    message: messageFromJson(o.message, `${source}: message`),
  };
  if (confirm !== undefined) out.joinConfirm = confirmFromJson(confirm, `${source}: join.confirm`);
  if (o.leave !== undefined) out.leave = leaveFromJson(o.leave, `${source}: leave`, "none");
  if (o.rejoin !== undefined && o.rejoin !== "join") out.rejoin = exchangeFromJson<ChatCtx & Record<string, unknown>, ChatClass>(o.rejoin, `${source}: rejoin`, CHAT_CLASSES) as Exchange<ChatCtx, ChatClass>;
  const connection = connectionFromJson(o.connection, `${source}: connection`);
  if (connection) out.connection = connection;
  return out;
}

function confirmFromJson(raw: unknown, where: string): NonNullable<ChatContract["joinConfirm"]> {
  const c = obj(raw, where);
  const event = str(c.event, `${where}.event`);
  const shape = c.shape ?? null;
  checkPattern(shape, `${where}.shape`);
  return {
    event,
    confirms: (args, ctx) => {
      const view = replyView({ event, args, data: args[0] });
      return shape === null || matches(view, fill(shape, flatten(ctx as unknown as Record<string, unknown>)) as Pattern) ? true : undefined;
    },
    expects: `${event}${shape === null ? "" : ` shaped ${JSON.stringify(shape)}`}`,
  };
}

function messageFromJson(raw: unknown, where: string): ChatContract["message"] {
  const m = obj(raw, where);
  for (const k of Object.keys(m)) if (!MESSAGE_FIELDS.includes(k)) throw new ContractError(`${where}.${k}: unknown field (known: ${MESSAGE_FIELDS.join(", ")})`);
  const event = str(m.event, `${where}.event`);
  const shape = (m.shape ?? null) as Pattern | null;
  checkPattern(shape, `${where}.shape`);
  const path = (k: string): string | undefined => (m[k] === undefined ? undefined : str(m[k], `${where}.${k}`));
  const conversation = path("conversation");
  if (!conversation) throw new ContractError(`${where}.conversation must say where the broadcast names its conversation, e.g. "data.conversation_id"`);
  const id = path("id");
  const text = path("text");
  const sender = path("sender");
  const sentAt = path("sentAt");
  const serverTime = path("serverTime");
  if (!id && !text) throw new ContractError(`${where}: give "id" (the path of the flow's message id, echoed by the server) or "text" (the path of the text, where the flow finds its marker)`);
  const latency = m.latency ?? (serverTime && !sentAt ? "server" : "client");
  if (latency !== "client" && latency !== "server") throw new ContractError(`${where}.latency must be "client" or "server"`);
  if (latency === "server" && !serverTime) throw new ContractError(`${where}.latency "server" needs "serverTime" (the path of the server's timestamp, e.g. "data.created_at")`);
  if (latency === "client" && !sentAt && !text) throw new ContractError(`${where}.latency "client" needs "sentAt" (the echoed send time) or "text" (the marker carries the send time)`);
  const wanted = [`${conversation} (a string)`, id ? `${id} (a string)` : `${text} (a string holding the flow's marker)`];
  return {
    event,
    identify: id ? "id" : "marker",
    latency,
    expects: `${event}${shape ? ` shaped ${JSON.stringify(shape)}` : ""} with ${wanted.join(", ")}`,
    read: (args) => {
      const view = replyView({ event, args, data: args[0] });
      if (shape !== null && !matches(view, shape)) return undefined;
      const conv = readPath(view, conversation);
      if (typeof conv !== "string" && typeof conv !== "number") return undefined;
      const b: Broadcast = { conversationId: String(conv) };
      if (id) {
        const v = readPath(view, id);
        if (typeof v !== "string" && typeof v !== "number") return undefined;
        b.messageId = String(v);
      }
      if (text) {
        const v = readPath(view, text);
        if (typeof v !== "string") return undefined;
        b.text = v;
      }
      const s = sender ? readPath(view, sender) : undefined;
      if (typeof s === "string" || typeof s === "number") b.senderId = String(s);
      const at = sentAt ? parseTime(readPath(view, sentAt)) : undefined;
      if (at !== undefined) b.sentAt = at;
      const st = serverTime ? parseTime(readPath(view, serverTime)) : undefined;
      if (st !== undefined) b.serverTime = st;
      return b;
    },
  };
}

export const chatPresets: Record<string, ChatContract> = { reference: referenceChat };
