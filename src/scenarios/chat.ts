// Chat room fan-out load test. The flow is what members do; the contract (-e CONTRACT=reference,
// or -e CONTRACT_FILE=my-chat.json) is how the server speaks: join (and its confirmation event),
// send, the broadcast and where its fields are, what a member sends after reconnecting.
// Conversations of ROOM_SIZES members (ROOMS_PER_SIZE of each). Every member joins, waits until
// the join window closes, sends MESSAGES messages on a fixed schedule, and counts the broadcasts
// it receives from the others. Every message carries a marker "[k6 <member>-<seq>@<send ms>]"
// in its text (and its id "<member>-<seq>" where the server echoes one), so a receiver knows whose
// message it is and when it was sent. DROPS members lose their transport mid-run, the library
// reconnects them, they rejoin as the contract says, and what they receive after is judged apart.
import { check } from "k6";
import exec from "k6/execution";
import { Counter, Rate, Trend } from "../kit/metrics";
import presets from "../../thresholds/chat.json";
import { type Broadcast, type ChatClass, type ChatContract, type ChatCtx, chatFromJson, chatPresets } from "../contracts/chat";
import type { Exchange, Player } from "../contracts/contract";
import { readConnectionEnv, withContract } from "../kit/connection-env";
import { selectContract } from "../kit/contract-env";
import { EnvReader } from "../kit/env";
import { ContractMismatches, exchange } from "../kit/exchange";
import { Logins } from "../kit/login";
import { PlayerDirectory } from "../kit/players";
import { runIdFrom } from "../kit/run-id";
import { parseSizes, roomSizes, seatOf } from "../kit/seating";
import { scenarioOptions, prepareRun } from "../kit/scenario-options";
import { makeHandleSummary } from "../kit/summary";
import { declareNotJudged } from "../kit/summary/not-judged";
import { buildThresholds } from "../kit/thresholds";
import { pause, reconnected } from "../kit/flow";
import { boundedJson, io, type Socket } from "../socketio";
import { mainFlow } from "../kit/default-scenario";

const env = new EnvReader(__ENV);
const connection = readConnectionEnv(env);
const contract: ChatContract = withEventOverrides(selectContract(env, "chat", chatPresets, chatFromJson));
const config = {
  sizes: parseSizes("ROOM_SIZES", env.string("ROOM_SIZES", "2,5,10"), 2, 1000),
  roomsPerSize: env.int("ROOMS_PER_SIZE", 2, 1, 10_000),
  messages: env.int("MESSAGES", 20, 1, 1_000_000),
  intervalMs: env.int("MESSAGE_INTERVAL_MS", 200, 1, 600_000),
  joinWindowMs: env.int("JOIN_WINDOW_MS", 2_000, 0, 600_000),
  drainMs: env.int("DRAIN_MS", 2_000, 0, 600_000),
  drops: env.int("DROPS", 0, 0, 100_000),
  reconnectDelayMs: env.int("RECONNECT_DELAY_MS", 200, 1, 60_000),
};
const rooms = roomSizes(config.sizes, config.roomsPerSize);
const members = rooms.reduce((a, b) => a + b, 0);
if (config.drops > members) throw new Error(`-e DROPS=${config.drops}: more than the run's ${members} members`);
// A dropped member's outage and rejoin fit in the session: its reconnect, connect and rejoin.
const outageMs = config.drops > 0 ? config.reconnectDelayMs * 4 + connection.connectTimeoutMs + connection.ackTimeoutMs : 0;
const sessionMs = config.joinWindowMs + config.messages * config.intervalMs + config.drainMs + connection.connectTimeoutMs + 2 * connection.ackTimeoutMs + outageMs;
/** Messages of the others sent within this long after a rejoin are not judged (the rejoin settling). */
const rejoinGraceMs = Math.max(100, config.intervalMs);

/** -e JOIN_EVENT / SEND_EVENT / MESSAGE_EVENT: the contract's event names, overridden. */
function withEventOverrides(c: ChatContract): ChatContract {
  const join = env.optionalString("JOIN_EVENT");
  const send = env.optionalString("SEND_EVENT");
  const message = env.optionalString("MESSAGE_EVENT");
  return {
    ...c,
    ...(join ? { join: { ...c.join, event: join } } : {}),
    ...(send ? { send: { ...c.send, event: send } } : {}),
    ...(message ? { message: { ...c.message, event: message } } : {}),
  };
}

const fanoutPreset = presets.chat_fanout_duration;
const thresholdPresets: Record<string, string[]> = {
  ...presets,
  // The fan-out expressions apply to each room size too, so the summary reports every size.
  ...Object.fromEntries([...new Set(config.sizes)].map((s) => [`chat_fanout_duration{room_size:${s}}`, fanoutPreset])),
};
if (config.drops === 0) declareNotJudged(["chat_delivery_after_rejoin"], "-e DROPS=0: no member drops and rejoins");
export const options = scenarioOptions(
  {
    members: { executor: "per-vu-iterations", vus: members, iterations: 1, maxDuration: `${Math.ceil(sessionMs / 1000) + 10}s`, exec: "member" },
  },
  buildThresholds(thresholdPresets, {}, env.json("THRESHOLDS")),
);

const delivery = new Rate("chat_delivery");
const deliveryAfterRejoin = new Rate("chat_delivery_after_rejoin");
const fanout = new Trend("chat_fanout_duration", true);
const joinDuration = new Trend("chat_join_duration", true);
const joinErrors = new Counter("chat_join_errors");
const sendErrors = new Counter("chat_send_errors");
const sendRefused = new Counter("chat_send_refused");
const silentMembers = new Counter("chat_silent_members");
const received = new Counter("chat_messages_received");
const sent = new Counter("chat_messages_sent");
const dropped = new Counter("chat_members_dropped");
const mismatchCount = new Counter("chat_contract_mismatches");
const logins = new Logins("chat", connection.login ?? contract.connection?.login, `contract "${contract.name}"`);
const directory = new PlayerDirectory(contract.connection?.players, env, `contract "${contract.name}"`);
const mismatches = new ContractMismatches("chat", contract.name, mismatchCount, [
  ...(connection.connectOptions.auth ? Object.values(connection.connectOptions.auth).map(String) : []),
  ...directory.secrets,
]);

interface RunData {
  runId: string;
}

export function setup(): RunData {
  prepareRun(joinErrors, sendErrors, sendRefused, silentMembers, received, sent, mismatchCount, logins.counter);
  const short = directory.shortage(members);
  if (short) console.warn(short);
  console.log(`chat: contract "${contract.name}" (${contract.describes}); ${members} members in ${rooms.length} rooms, ${config.drops} dropping mid-run`);
  return { runId: runIdFrom(env) };
}

/** Members that drop: the second seat of one room after another (then the third…), so drops spread over rooms. */
function drops(index: number): boolean {
  if (config.drops === 0) return false;
  const seat = seatOf(index, rooms);
  if (!seat) return false;
  let rank = 0;
  for (let s = 1; s < seat.seat; s++) rank += rooms.filter((size) => size > s).length;
  rank += rooms.slice(0, seat.room).filter((size) => size > seat.seat).length;
  return seat.seat >= 1 && rank < config.drops;
}

const MARKER = /\[k6 (\d+)-(\d+)@(\d+)\]/;

/** Whose message a broadcast is (member index, seq) and when it was sent, by the contract's way of telling. */
function identify(b: Broadcast): { sender: number; seq: number; sentAt: number | undefined } | undefined {
  const marker = b.text === undefined ? null : MARKER.exec(b.text);
  const id = contract.message.identify === "id" ? /^(\d+)-(\d+)$/.exec(b.messageId ?? "") : marker;
  if (!id) return undefined;
  const sentAt = contract.message.latency === "server" ? b.serverTime : (b.sentAt ?? (marker ? Number(marker[3]) : undefined));
  return { sender: Number(id[1]), seq: Number(id[2]), sentAt };
}

type JoinResult = { ok: true } | { ok: false; why: string; mismatch: boolean };

/** A join (or rejoin): the exchange, then the confirmation event when the contract has one. */
async function joinRoom(socket: Socket, ex: Exchange<ChatCtx, ChatClass>, ctx: ChatCtx, step: string): Promise<JoinResult> {
  const confirm = contract.joinConfirm;
  let unreadable = false;
  const confirmed = confirm
    ? socket.waitFor(confirm.event, {
        timeout: connection.ackTimeoutMs,
        filter: (...args: unknown[]) => {
          const r = confirm.confirms(args, ctx);
          if (r === undefined) {
            unreadable = true;
            mismatches.record(confirm.event, args, confirm.expects);
          }
          return r === true;
        },
      })
    : undefined;
  const r = await exchange(socket, ex, ctx, connection.ackTimeoutMs, mismatches);
  if (r.kind === "mismatch") return { ok: false, why: `its ${ex.event} reply fits no class of the contract`, mismatch: true };
  if (r.kind !== "class") {
    joinErrors.add(1, { error: r.kind, step });
    return { ok: false, why: `${ex.event} got no reply (${r.kind})`, mismatch: false };
  }
  if (r.cls !== "accepted") {
    joinErrors.add(1, { error: r.cls, step });
    return { ok: false, why: `${ex.event} was ${r.cls}: ${boundedJson(r.reply.data, 200)}`, mismatch: false };
  }
  joinDuration.add(r.elapsedMs, { step });
  if (confirmed && confirm) {
    const c = await confirmed;
    if (!c.ok) {
      if (unreadable) return { ok: false, why: `its ${confirm.event} does not fit the contract`, mismatch: true };
      joinErrors.add(1, { error: "unconfirmed", step });
      return { ok: false, why: `${ex.event} was acked but no ${confirm.event} came within ${connection.ackTimeoutMs} ms`, mismatch: false };
    }
  }
  return { ok: true };
}

let refusalLogged = false;

export async function member(data: RunData): Promise<void> {
  const index = exec.scenario.iterationInTest;
  const place = seatOf(index, rooms);
  if (!place) return;
  const conversation = { id: `${data.runId}-c${place.room}` };
  const sizeTag = { room_size: String(place.roomSize) };
  const player: Player = directory.player(index, `${data.runId}-u${index}`);
  const ctx: ChatCtx = { player, conversation };
  const others = place.roomSize - 1;
  const dropper = drops(index);
  /** Others' messages received: key "<member>-<seq>" -> its seq. */
  const seen = new Map<string, number>();
  let unreadable = 0;
  // Everyone sends on one schedule: message k at sendAt + (k - 1) x interval.
  const sendAt = exec.scenario.startTime + config.joinWindowMs;
  const scheduled = (seq: number) => sendAt + (seq - 1) * config.intervalMs;

  const base = withContract(connection.connectOptions, contract.connection, player);
  const opts = await logins.optionsFor(dropper ? { ...base, reconnect: { attempts: 5, delayMs: config.reconnectDelayMs, maxDelayMs: config.reconnectDelayMs * 4, jitter: 0.2 } } : base, connection.origin, player, connection.connectTimeoutMs);
  if (!opts) return; // the login failed: counted in chat_login_failures
  const socket = await io(connection.targetUrl, opts);
  if (!check(socket, { "member connected": (s) => s.connected })) return;

  socket.on(contract.message.event, (...args: unknown[]) => {
    const b = contract.message.read(args);
    if (!b) {
      unreadable++;
      return mismatches.record(contract.message.event, args, contract.message.expects);
    }
    if (b.conversationId !== conversation.id) return; // another conversation's
    const who = identify(b);
    if (!who) {
      unreadable++;
      const how = contract.message.identify === "id" ? "its message id as the flow sent it (<member>-<seq>)" : 'the flow\'s marker "[k6 <member>-<seq>@<ms>]" in its text';
      return mismatches.record(contract.message.event, args, `${contract.message.expects}, with ${how}`);
    }
    const key = `${who.sender}-${who.seq}`;
    // Our own (a server that broadcasts to the sender too), or a duplicate.
    if (who.sender === index || (b.senderId !== undefined && b.senderId === player.id) || seen.has(key)) return;
    seen.set(key, who.seq);
    received.add(1, sizeTag);
    if (who.sentAt !== undefined) fanout.add(Math.max(0, Date.now() - who.sentAt), sizeTag);
  });

  const joined = await joinRoom(socket, contract.join, ctx, "join");
  if (!joined.ok && !joined.mismatch) console.warn(`chat: room ${conversation.id}: member ${player.id} could not join: ${joined.why}`);

  let droppedAt: number | undefined;
  let rejoinedAt: number | undefined;
  let rejoin: JoinResult | undefined;
  const dropSeq = Math.max(1, Math.ceil(config.messages / 3));
  let accepted = 0;
  let refused = 0;
  // Send even after a failed join: what the server does with it is part of the finding.
  for (let seq = 1; seq <= config.messages; seq++) {
    if (dropper && seq === dropSeq && socket.connected && droppedAt === undefined) {
      // Midway between two sends: what was sent before has had half an interval to arrive.
      await pause(Math.max(1, scheduled(seq) - config.intervalMs / 2 - Date.now()));
      const back = reconnected(socket, outageMs);
      droppedAt = Date.now();
      dropped.add(1);
      socket.drop();
      if (await back) {
        rejoin = await joinRoom(socket, contract.rejoin ?? contract.join, ctx, "rejoin");
        rejoinedAt = Date.now();
        if (!rejoin.ok && !rejoin.mismatch) console.warn(`chat: room ${conversation.id}: member ${player.id} reconnected but could not rejoin: ${rejoin.why}`);
      } else {
        console.warn(`chat: room ${conversation.id}: member ${player.id} dropped its transport and did not reconnect within ${outageMs} ms`);
      }
    }
    await pause(Math.max(1, scheduled(seq) - Date.now()));
    if (!socket.connected) break;
    const message = { id: `${index}-${seq}`, sentAt: Date.now(), text: "" };
    message.text = `message ${seq} from ${player.id} [k6 ${message.id}@${message.sentAt}]`;
    // Not awaited: messages go out on schedule whatever the acks do (a late ack is counted by the library).
    void exchange(socket, contract.send, { ...ctx, message }, connection.ackTimeoutMs, mismatches).then((r) => {
      if (r.kind !== "class") return; // a timeout is counted by the library, a mismatch by the kit
      if (r.cls === "accepted") return void accepted++;
      const reason = contract.reason(r.reply);
      if (r.cls === "refused") {
        refused++;
        sendRefused.add(1, { reason });
      } else sendErrors.add(1, { error: reason });
      if (!refusalLogged) console.warn(`chat: room ${conversation.id}: member ${player.id}: ${contract.send.event} ${r.cls === "refused" ? "refused" : "failed"}: ${boundedJson(r.reply.data, 200)} (more in chat_send_${r.cls === "refused" ? "refused" : "errors"}; logged once per VU)`);
      refusalLogged = true;
    });
    sent.add(1, sizeTag);
  }
  await pause(Math.max(1, config.drainMs));
  if (contract.leave && socket.connected) {
    const args = contract.leave.args(ctx);
    if (contract.leave.reply === "ack") await socket.request(contract.leave.event, ...args);
    else socket.emit(contract.leave.event, ...args);
  }
  socket.disconnect();
  await socket.closed;
  judge({ conversation: conversation.id, player: player.id, others, sizeTag, seen, unreadable, joined, droppedAt, rejoinedAt, rejoin, scheduled, accepted, refused });
}

interface Tally {
  conversation: string;
  player: string;
  others: number;
  sizeTag: Record<string, string>;
  seen: Map<string, number>;
  unreadable: number;
  joined: JoinResult;
  droppedAt: number | undefined;
  rejoinedAt: number | undefined;
  rejoin: JoinResult | undefined;
  scheduled: (seq: number) => number;
  accepted: number;
  refused: number;
}

/**
 * Delivery as far as the contract can judge it: each other member's MESSAGES, less the ones a
 * broadcast the contract could not read may have been. A member that dropped is judged on what
 * was sent before its drop (chat_delivery) and after its rejoin (chat_delivery_after_rejoin);
 * what was sent while it was away is not judged. Says in words what was lost.
 */
function judge(t: Tally): void {
  const before = (seq: number) => t.droppedAt === undefined || t.scheduled(seq) < t.droppedAt;
  const after = (seq: number) => t.droppedAt !== undefined && t.scheduled(seq) >= (t.rejoinedAt ?? t.droppedAt) + rejoinGraceMs;
  let expected = 0;
  let expectedAfter = 0;
  for (let seq = 1; seq <= config.messages; seq++) {
    if (before(seq)) expected += t.others;
    else if (after(seq)) expectedAfter += t.others;
  }
  let got = 0;
  let gotAfter = 0;
  for (const seq of t.seen.values()) {
    if (before(seq)) got++;
    else if (after(seq)) gotAfter++;
  }
  // Broadcasts the contract could not read may be the missing ones: not judged as lost.
  let excuse = t.unreadable;
  const judged = (exp: number, g: number, rate: Rate): number => {
    const missing = Math.max(0, exp - g);
    const excused = Math.min(missing, excuse);
    excuse -= excused;
    for (let i = 0; i < Math.min(g, exp); i++) rate.add(true, t.sizeTag);
    for (let i = 0; i < missing - excused; i++) rate.add(false, t.sizeTag);
    return excused;
  };
  const excused = judged(expected, got, delivery) + (t.droppedAt !== undefined ? judged(expectedAfter, gotAfter, deliveryAfterRejoin) : 0);
  const joinWords = contract.joinConfirm ? "joined (acked and confirmed)" : "joined (acked)";
  const whose = `broadcasts of its ${t.others} other member${t.others === 1 ? "" : "s"}`;
  if (excused > 0) {
    console.warn(`chat: room ${t.conversation}: member ${t.player}: ${excused} missing broadcasts not judged: ${t.unreadable} ${contract.message.event} events did not fit contract "${contract.name}" (chat_contract_mismatches)`);
    return;
  }
  if (!t.joined.ok) return; // said when the join failed
  if (expected > 0 && got === 0) {
    silentMembers.add(1, t.sizeTag);
    console.warn(`chat: room ${t.conversation}: member ${t.player} ${joinWords} but received none of the ${expected} ${whose}`);
  } else if (got < expected) {
    console.warn(`chat: room ${t.conversation}: member ${t.player} received ${got} of ${expected} ${whose}`);
  }
  if (t.droppedAt !== undefined && gotAfter < expectedAfter) {
    const rejoined = t.rejoin?.ok ? `re${joinWords}` : t.rejoinedAt === undefined ? "never reconnected" : `could not rejoin (${t.rejoin && !t.rejoin.ok ? t.rejoin.why : "?"})`;
    console.warn(`chat: room ${t.conversation}: member ${t.player} received ${gotAfter} of ${expectedAfter} after reconnecting (it dropped its transport, reconnected and ${rejoined})`);
  }
}

// `k6 run --vus 34 --duration 30s dist/chat.js`: one member per iteration (docs/k6-versions.md).
export default mainFlow(member, { plays: "members", seats: { count: members, setBy: "-e ROOM_SIZES, -e ROOMS_PER_SIZE" }, graceMs: sessionMs });

export const handleSummary = makeHandleSummary("chat", __ENV, {
  chat_delivery: "members did not receive every broadcast of their conversation (the lines \"chat: room …\" above name who received how many)",
  chat_delivery_after_rejoin: "members that dropped their transport, reconnected and rejoined did not receive the conversation's later broadcasts (\"… after reconnecting\" lines above)",
  chat_silent_members: "members joined their conversation but received none of its broadcasts: the server broadcasts somewhere they are not (another room name or namespace)",
  chat_send_refused: "the server refused sends (tag reason: the server's words, e.g. a rate limit); refused sends are not delivered and not counted as sent successfully",
  chat_send_errors: "the server answered sends with an error",
  chat_join_errors: "joins were refused, failed, got no reply, or were acked without their confirmation event (tag error, step join|rejoin)",
  chat_contract_mismatches: `the server's replies or broadcasts do not fit contract "${contract.name}" (${contract.describes}): a mismatch, not a server fault; see the logged payload, and fix the contract (-e CONTRACT / CONTRACT_FILE)`,
}, { contractSteps: true });
