// The chat flow fitted to a python-socketio chat shaped like seed 002 (test/peers/chat_mimic.py)
// by a contract file alone (test/fixtures/chat-mimic.json): per-player JWTs in the CONNECT auth,
// {success} acks, a joined_conversation confirmation, new_message {id, content, created_at} with no
// client message id (the flow finds its marker in the text). Each seeded fault fails the run with a
// verdict line that names it; a refused send is a refusal; a wrong contract is a mismatch.
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { root } from "../../scripts/lib.mjs";
import { describe, runAgainst } from "../helpers/k6run.ts";
import { pythonPeers } from "../helpers/python-peers.ts";

const CONTRACT = join(root, "test", "fixtures", "chat-mimic.json");
// Two rooms (2 and 3 members), 12 messages each 100 ms apart; DROPS=2 drops one member of each.
const SHORT = {
  CONTRACT_FILE: CONTRACT,
  CHAT_JWT_SECRET: "mimic-secret",
  ROOM_SIZES: "2,3",
  ROOMS_PER_SIZE: "1",
  MESSAGES: "12",
  MESSAGE_INTERVAL_MS: "100",
  JOIN_WINDOW_MS: "800",
  DRAIN_MS: "500",
  CONNECT_TIMEOUT_MS: "3000",
  ACK_TIMEOUT_MS: "1000",
  DROPS: "2",
};
const RATE_LIMIT = 20;

/** One mimic process per fault, started on first use and reused by every case of that fault. */
const mimic = pythonPeers("chat_mimic.py", ["--port", "0", "--rate-limit", String(RATE_LIMIT)]);

async function run(mimicArgs: string[], env: Record<string, string> = {}) {
  const peer = await mimic(...mimicArgs);
  return runAgainst("chat", peer.url, { env: { ...SHORT, ...env }, timeoutMs: 60_000 });
}

const verdict = (r: { stdout: string; stderr: string }) => (r.stdout + r.stderr).replace(/\\"/g, '"');

test("healthy peer, contract file alone (JWT per player, marker in the text): every threshold holds, drops rejoin and keep receiving", async () => {
  const r = await run([]);
  assert.equal(r.code, 0, describe(r));
  assert.deepEqual(r.failed, []);
  // Before the drops every member hears every other; the two dropped members are judged apart.
  assert.ok((r.metric("chat_delivery")?.passes ?? 0) > 40, describe(r));
  assert.ok((r.metric("chat_delivery_after_rejoin")?.passes ?? 0) > 0, describe(r));
  assert.equal(r.metric("chat_delivery_after_rejoin")?.fails, 0);
  assert.equal(r.metric("chat_members_dropped")?.count, 2);
  assert.equal(r.metric("socketio_reconnects")?.count, 2);
  assert.equal(r.metric("chat_contract_mismatches")?.count ?? 0, 0);
  assert.equal(typeof r.metric("chat_fanout_duration")?.["p(95)"], "number");
});

test("the peer checks each player's JWT: a wrong signing secret is refused at CONNECT", async () => {
  const r = await run([], { CHAT_JWT_SECRET: "not-the-secret", DROPS: "0" });
  assert.equal(r.code, 99, describe(r));
  assert.ok(r.failed.includes("socketio_connect_success rate>0.99"), describe(r));
  assert.match(verdict(r), /invalid or missing token/);
});

test("sends over the peer's rate limit are counted as refused, with its reason, never as sent", async () => {
  const r = await run([], { MESSAGES: String(RATE_LIMIT + 3), DROPS: "0", THRESHOLDS: '{"chat_send_refused{reason:rate_limited}":["count==0"]}' });
  assert.equal(r.code, 99, describe(r));
  assert.ok(r.failed.includes("chat_send_refused count==0"), describe(r));
  assert.equal(r.metric("chat_send_refused{reason:rate_limited}")?.count, 5 * 3, "5 members x 3 sends over the limit");
  assert.equal(r.metric("chat_send_errors")?.count ?? 0, 0);
  assert.match(verdict(r), /send_message refused: \{"success":false,"error":"rate_limited"/);
});

test("a wrong contract (the text at a path the broadcast lacks) is a mismatch, not lost delivery", async () => {
  const wrong = JSON.parse(readFileSync(CONTRACT, "utf8"));
  wrong.message.text = "data.text";
  const file = join(mkdtempSync(join(tmpdir(), "chat-contract-")), "wrong.json");
  writeFileSync(file, JSON.stringify(wrong));
  const r = await run([], { CONTRACT_FILE: file, DROPS: "0", MESSAGES: "4" });
  assert.equal(r.code, 99, describe(r));
  assert.ok(r.failed.includes("chat_contract_mismatches count==0"), describe(r));
  assert.ok((r.metric("chat_contract_mismatches")?.count ?? 0) > 0);
  assert.equal(r.metric("chat_delivery")?.fails ?? 0, 0, "nothing counted as lost");
  assert.equal(r.metric("chat_silent_members")?.count ?? 0, 0);
  assert.match(verdict(r), /contract "chat-mimic" does not recognise new_message: .*it expects new_message .* with data\.conversation_id \(a string\), data\.text/);
  assert.match(verdict(r), /missing broadcasts not judged: \d+ new_message events did not fit contract "chat-mimic"/);
});

for (const [fault, why] of [
  ["room-name", "joins acked and confirmed in conversation:<id>, broadcasts to conv_<id>"],
  ["namespace", "broadcasts on namespace /chat"],
] as const) {
  test(`--fault ${fault} (${why}): every member joined but received nothing, said in words`, async () => {
    const r = await run(["--fault", fault], { DROPS: "0" });
    assert.equal(r.code, 99, describe(r));
    for (const t of ["chat_delivery rate>0.999", "chat_silent_members count==0"]) assert.ok(r.failed.includes(t), describe(r));
    assert.equal(r.metric("chat_silent_members")?.count, 5);
    assert.equal(r.metric("chat_join_errors")?.count ?? 0, 0, "the joins were fine");
    assert.match(verdict(r), /chat: room \S+-c1: member \S+ joined \(acked and confirmed\) but received none of the 24 broadcasts of its 2 other members/);
    assert.match(verdict(r), /✗ chat_silent_members count==0 .*\n\s+members joined their conversation but received none of its broadcasts/);
  });
}

test("--fault reconnect-race: a member that reconnects and rejoins is removed by its old socket's cleanup, said in words", async () => {
  // More messages: the rejoined member must have some left to miss however slow its reconnect.
  const r = await run(["--fault", "reconnect-race"], { MESSAGES: "20" });
  assert.equal(r.code, 99, describe(r));
  assert.ok(r.failed.includes("chat_delivery_after_rejoin rate>0.999"), describe(r));
  assert.equal(r.metric("socketio_reconnects")?.count, 2);
  assert.match(verdict(r), /chat: room \S+: member \S+ received \d+ of \d+ after reconnecting \(it dropped its transport, reconnected and rejoined \(acked and confirmed\)\)/);
  assert.equal(r.metric("chat_contract_mismatches")?.count ?? 0, 0);
});
