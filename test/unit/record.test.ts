// The recorder's pure parts: a HAR's Engine.IO sessions (WebSocket, polling upgraded, Engine.IO
// v3 framing, binary attachments), what the summary reads as answers and broadcasts, how the
// draft carries values forward and keeps secrets out, and the proxy's redaction.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeSession } from "../../src/record/decode";
import { draftScenario } from "../../src/record/draft-scenario";
import { HarError, readHar } from "../../src/record/har";
import { redactFrame, redactUrl } from "../../src/record/proxy";
import { eventFacts } from "../../src/record/summary";

const T0 = Date.parse("2026-12-06T10:00:00.000Z");
const at = (ms: number): string => new Date(T0 + ms).toISOString();
const ws = (url: string, ms: number, messages: [string, number, string, number?][]) => ({
  startedDateTime: at(ms),
  time: 0,
  request: { method: "GET", url, headers: [] },
  response: { status: 101, headers: [], content: { mimeType: "" } },
  _resourceType: "websocket",
  _webSocketMessages: messages.map(([type, t, data, opcode]) => ({ type, time: (T0 + t) / 1000, opcode: opcode ?? 1, data })),
});
const poll = (method: string, url: string, ms: number, body: string | undefined, sent?: string) => ({
  startedDateTime: at(ms),
  time: 5,
  request: { method, url, headers: [], ...(sent !== undefined ? { postData: { mimeType: "text/plain", text: sent } } : {}) },
  response: { status: 200, headers: [], content: { mimeType: "text/plain", ...(body !== undefined ? { text: body } : {}) } },
});
const har = (...entries: object[]): string => JSON.stringify({ log: { entries } });

/** A queue: join_queue acked with a ticket, match_found answers it, the client sends the room id back; ticks pushed meanwhile. */
const QUEUE = har(
  poll("POST", "http://127.0.0.1:3000/api/login", 0, '{"token":"eyJhbGciOi.secret"}', '{"user":"alice"}'),
  ws("ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket&room=lobby", 10, [
    ["receive", 12, '0{"sid":"S","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'],
    ["send", 13, '40{"token":"eyJhbGciOi.secret","name":"alice"}'],
    ["receive", 15, '40{"sid":"N"}'],
    ["send", 300, '420["join_queue",{"mode":"ranked"}]'],
    ["receive", 304, '430[{"ticket":"T-7781"}]'],
    ["receive", 400, '42["tick",{"n":1}]'],
    ["receive", 900, '42["match_found",{"room":{"id":"room-4242"},"ticket":"T-7781"}]'],
    ["receive", 1400, '42["tick",{"n":2}]'],
    ["send", 1500, '421["ready",{"room_id":"room-4242"}]'],
    ["receive", 1510, '431[{"ok":true}]'],
    ["receive", 2400, '42["tick",{"n":3}]'],
    ["send", 2500, "41"],
  ]),
);

test("a HAR's WebSocket session: its query, its packets both ways, acks paired with their events and latencies", () => {
  const capture = readHar(QUEUE);
  assert.equal(capture.sessions.length, 1);
  assert.deepEqual(capture.sessions[0]!.query, { room: "lobby" });
  assert.equal(capture.http.length, 1);
  const d = decodeSession(capture.sessions[0]!);
  assert.equal(d.handshake?.pingInterval, 25000);
  const acks = d.steps.filter((s) => s.type === "ack");
  assert.deepEqual(acks.map((s) => [s.event, s.latencyMs]), [["join_queue", 4], ["ready", 10]]);
  const facts = eventFacts([d]);
  const byName = Object.fromEntries(facts.map((f) => [`${f.dir} ${f.event}`, f]));
  assert.equal(byName["received match_found"]!.answers, "join_queue");
  assert.equal(byName["received tick"]!.answers, undefined, "ticks come whatever the client does: a broadcast");
  assert.equal(byName["received tick"]!.everyMs, 1000);
});

test("the draft carries values forward from earlier answers and never writes a recorded secret", () => {
  const capture = readHar(QUEUE);
  const draft = draftScenario("queue", capture, capture.sessions.map(decodeSession));
  assert.equal(draft.correlated, 1);
  assert.match(draft.source, /socket\.request\("ready", \{ "room_id": valueAt\(w\d+\.args, \[0,"room","id"\]\) \}\)/);
  assert.match(draft.source, /socket\.waitFor\("match_found"/);
  assert.match(draft.source, /countEvents\(socket, \["tick"\]\)/);
  assert.match(draft.source, /"token": __ENV\.AUTH_TOKEN \?\? ""/);
  assert.doesNotMatch(draft.source, /eyJhbGciOi/);
  assert.match(draft.source, /await think\(285, thinkScale\)/, "the pause before join_queue, from the CONNECT reply");
  assert.ok(draft.undecided.some((u) => /auth\.token was a secret/.test(u)));
});

test("polling upgraded to a WebSocket is one session; Engine.IO v3 framing and binary attachments decode", () => {
  const v4 = readHar(
    har(
      poll("GET", "http://h:1/socket.io/?EIO=4&transport=polling&t=a", 0, '0{"sid":"P1","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'),
      poll("POST", "http://h:1/socket.io/?EIO=4&transport=polling&sid=P1", 5, "ok", "40"),
      poll("GET", "http://h:1/socket.io/?EIO=4&transport=polling&sid=P1", 6, '40{"sid":"N"}\x1e42["hello",1]'),
      ws("ws://h:1/socket.io/?EIO=4&transport=websocket&sid=P1", 20, [
        ["send", 21, "2probe"],
        ["receive", 22, "3probe"],
        ["send", 23, "5"],
        ["send", 30, '451-["file",{"_placeholder":true,"num":0}]'],
        ["send", 31, Buffer.from([1, 2, 3]).toString("base64"), 2],
      ]),
    ),
  );
  assert.equal(v4.sessions.length, 1);
  assert.ok(v4.sessions[0]!.upgraded);
  const steps = decodeSession(v4.sessions[0]!).steps;
  assert.deepEqual(steps.map((s) => `${s.dir} ${s.type} ${s.event ?? ""}`.trim()), ["sent connect", "received connect", "received event hello", "sent event file"]);
  assert.deepEqual([...new Uint8Array(steps[3]!.args[0] as ArrayBuffer)], [1, 2, 3]);

  const v3body = ['0{"sid":"Q","upgrades":[],"pingInterval":25000,"pingTimeout":5000}', "40", '42["news",{"a":1}]'].map((p) => `${p.length}:${p}`).join("");
  const v3 = readHar(har(poll("GET", "http://h:1/socket.io/?EIO=3&transport=polling&t=b", 0, v3body)));
  const d3 = decodeSession(v3.sessions[0]!);
  assert.deepEqual(d3.steps.map((s) => `${s.type} ${s.event ?? ""}`.trim()), ["connect", "event news"]);
});

test("a file that is not a HAR, or holds no requests, is refused with what to do", () => {
  assert.throws(() => readHar("not json"), (e: Error) => e instanceof HarError && /Save all as HAR/.test(e.message));
  assert.throws(() => readHar('{"log":{}}'), /not a HAR file/);
});

test("the proxy's redaction: secret-looking JSON fields in frames and query parameters", () => {
  assert.equal(redactFrame('40{"token":"abc","name":"n"}'), '40{"token":"[redacted]","name":"n"}');
  assert.equal(redactFrame('42["login",{"password":"p\\"w","user":"u"}]'), '42["login",{"password":"[redacted]","user":"u"}]');
  assert.equal(redactUrl("http://h/socket.io/?EIO=4&transport=polling&access_token=xyz&room=1"), "http://h/socket.io/?EIO=4&transport=polling&access_token=%5Bredacted%5D&room=1");
});
