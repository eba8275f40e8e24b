// Chat room fan-out load test. Conversations of ROOM_SIZES members (ROOMS_PER_SIZE of
// each size). Every member joins its conversation (join_conversation, acked), waits until the
// join window closes, sends MESSAGES messages (send_message, acked), and counts the new_message
// events it receives from the others. Delivery = received / expected, where each member expects
// (room size - 1) x MESSAGES distinct messages; fan-out latency = sender's sent_at to receipt,
// tagged by room size.
import { check } from "k6";
import exec from "k6/execution";
import { Counter, Rate, Trend } from "../kit/metrics";
import presets from "../../thresholds/chat.json";
import { readConnectionEnv, withAuth } from "../kit/connection-env";
import { EnvReader } from "../kit/env";
import { runIdFrom } from "../kit/run-id";
import { parseSizes, roomSizes, seatOf } from "../kit/seating";
import { scenarioOptions, prepareRun } from "../kit/scenario-options";
import { makeHandleSummary } from "../kit/summary";
import { buildThresholds } from "../kit/thresholds";
import { pause } from "../kit/flow";
import { io } from "../socketio";
import { mainFlow } from "../kit/default-scenario";

const env = new EnvReader(__ENV);
const connection = readConnectionEnv(env);
const config = {
  sizes: parseSizes("ROOM_SIZES", env.string("ROOM_SIZES", "2,5,10"), 2, 1000),
  roomsPerSize: env.int("ROOMS_PER_SIZE", 2, 1, 10_000),
  messages: env.int("MESSAGES", 20, 1, 1_000_000),
  intervalMs: env.int("MESSAGE_INTERVAL_MS", 200, 1, 600_000),
  joinWindowMs: env.int("JOIN_WINDOW_MS", 2_000, 0, 600_000),
  drainMs: env.int("DRAIN_MS", 2_000, 0, 600_000),
  joinEvent: env.string("JOIN_EVENT", "join_conversation"),
  sendEvent: env.string("SEND_EVENT", "send_message"),
  messageEvent: env.string("MESSAGE_EVENT", "new_message"),
};
const rooms = roomSizes(config.sizes, config.roomsPerSize);
const members = rooms.reduce((a, b) => a + b, 0);
const sessionMs = config.joinWindowMs + config.messages * config.intervalMs + config.drainMs + connection.connectTimeoutMs + connection.ackTimeoutMs;

const fanoutPreset = presets.chat_fanout_duration;
export const options = scenarioOptions(
  {
    members: { executor: "per-vu-iterations", vus: members, iterations: 1, maxDuration: `${Math.ceil(sessionMs / 1000) + 10}s`, exec: "member" },
  },
  buildThresholds(
    // The fan-out expressions apply to each room size too, so the summary reports every size.
    { ...presets, ...Object.fromEntries([...new Set(config.sizes)].map((s) => [`chat_fanout_duration{room_size:${s}}`, fanoutPreset])) },
    {},
    env.json("THRESHOLDS"),
  ),
);

const delivery = new Rate("chat_delivery");
const fanout = new Trend("chat_fanout_duration", true);
const joinDuration = new Trend("chat_join_duration", true);
const joinErrors = new Counter("chat_join_errors");
const sendErrors = new Counter("chat_send_errors");
const received = new Counter("chat_messages_received");
const sent = new Counter("chat_messages_sent");

interface RunData {
  runId: string;
}

export function setup(): RunData {
  prepareRun(joinErrors, sendErrors, received, sent);
  return { runId: runIdFrom(env) };
}

interface Reply {
  ok?: boolean;
  error?: string;
  message?: string;
}

export async function member(data: RunData): Promise<void> {
  const index = exec.scenario.iterationInTest;
  const place = seatOf(index, rooms);
  if (!place) return;
  const conversation = `${data.runId}-c${place.room}`;
  const sizeTag = { room_size: String(place.roomSize) };
  const userId = `${data.runId}-u${index}`;
  const seen = new Set<string>();
  // Everyone starts sending at the same moment: after the join window, counted from the start.
  const sendAt = exec.scenario.startTime + config.joinWindowMs;

  const socket = await io(connection.targetUrl, withAuth(connection.connectOptions, { user_id: userId }));
  if (!check(socket, { "member connected": (s) => s.connected })) return;
  socket.on(config.messageEvent, (m: { conversation_id?: string; message_id?: string; sent_at?: number }) => {
    if (m?.conversation_id !== conversation || typeof m.message_id !== "string" || seen.has(m.message_id)) return;
    seen.add(m.message_id);
    received.add(1, sizeTag);
    if (typeof m.sent_at === "number") fanout.add(Date.now() - m.sent_at, sizeTag);
  });

  const join = await socket.request(config.joinEvent, { conversation_id: conversation });
  const joinReply = join.data as Reply | undefined;
  if (!join.ok || joinReply?.ok === false) {
    const error = join.ok ? String(joinReply?.error) : join.reason;
    joinErrors.add(1, { error });
    console.warn(`chat: ${userId}: ${config.joinEvent} ${conversation} failed: ${error}`);
  } else {
    joinDuration.add(join.elapsedMs);
  }
  // Send even after a failed join: what the server does with it is part of the finding.
  await pause(Math.max(1, sendAt - Date.now()));
  for (let seq = 1; seq <= config.messages && socket.connected; seq++) {
    const message = { conversation_id: conversation, message_id: `${index}-${seq}`, text: `message ${seq} from ${userId}`, sent_at: Date.now() };
    // Not awaited: messages go out at their interval whatever the acks do (a late ack is counted by the library).
    void socket.request(config.sendEvent, message).then((ack) => {
      const reply = ack.data as Reply | undefined;
      if (ack.ok && reply?.ok === false) {
        sendErrors.add(1, { error: String(reply.error) });
        console.warn(`chat: ${userId}: ${config.sendEvent} to ${conversation} refused: ${String(reply.error)} ${reply.message ?? ""}`);
      }
    });
    sent.add(1, sizeTag);
    await pause(config.intervalMs);
  }
  await pause(Math.max(1, config.drainMs));
  socket.disconnect();
  await socket.closed;
  const expected = (place.roomSize - 1) * config.messages;
  for (let i = 0; i < expected; i++) delivery.add(i < seen.size, sizeTag);
}

// `k6 run --vus 34 --duration 30s dist/chat.js`: one member per iteration (docs/k6-versions.md).
export default mainFlow(member, { plays: "members", seats: { count: members, setBy: "-e ROOM_SIZES, -e ROOMS_PER_SIZE" } });

export const handleSummary = makeHandleSummary("chat", __ENV);
