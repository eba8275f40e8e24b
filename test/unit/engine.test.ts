import assert from "node:assert/strict";
import { test } from "node:test";
import { EngineConnection, type EngineListener, V3_EVIDENCE_MS } from "../../src/socketio/protocol/engine";
import type { Handshake } from "../../src/socketio/protocol/handshake";
import { ManualScheduler, OPEN, protocolRig, RecordingSink } from "../helpers/fakes";

class Events implements EngineListener {
  log: string[] = [];
  onOpen(h: Handshake): void {
    this.log.push(`open:${h.sid}`);
  }
  onMessage(p: string | ArrayBuffer): void {
    this.log.push(typeof p === "string" ? `msg:${p}` : `bin:${p.byteLength}`);
  }
  onTextMessage(frame: string): void {
    this.log.push(`msg:${frame.slice(1)}`);
  }
  onDecodeError(reason: string, detail: string): void {
    this.log.push(`decodeError:${reason}:${detail}`);
  }
  onClose(reason: string, _detail: string, wasOpen: boolean): void {
    this.log.push(`close:${reason}:${wasOpen}`);
  }
}

function setup(upgradeFrom?: Handshake, protocol: 3 | 4 | "auto" = "auto") {
  const sink = new RecordingSink();
  const clock = new ManualScheduler();
  const events = new Events();
  const engine = new EngineConnection(sink, clock, events, { openTimeout: 3000, protocol, ...(upgradeFrom ? { upgradeFrom } : {}) });
  return { sink, clock, events, engine };
}

test("websocket-only: the open packet opens; pings get pongs; messages pass through", () => {
  const { sink, events, engine } = setup();
  engine.start();
  engine.receiveText(OPEN);
  engine.receiveText("2");
  engine.receiveText('42["ev"]');
  engine.receiveBinary(new ArrayBuffer(3));
  engine.send('2["up"]');
  assert.deepEqual(events.log, ["open:S1", 'msg:2["ev"]', "bin:3"]);
  assert.deepEqual(sink.text, ["3", '42["up"]']);
  assert.equal(engine.sid, "S1");
});

test("heartbeat: the connection dies when no ping comes within pingInterval + pingTimeout", () => {
  const { sink, clock, events, engine } = setup();
  engine.start();
  engine.receiveText(OPEN); // pingInterval 1000 + pingTimeout 500
  clock.advance(1000);
  engine.receiveText("2");
  clock.advance(1499);
  assert.deepEqual(events.log, ["open:S1"], "still alive 1499 ms after the last ping");
  clock.advance(1);
  assert.deepEqual(events.log, ["open:S1", "close:ping timeout:true"]);
  assert.ok(sink.closed);
});

test("no open packet within the bound: open_timeout, before anything is open", () => {
  const { clock, events, engine } = setup();
  engine.start();
  clock.advance(2999);
  assert.deepEqual(events.log, []);
  clock.advance(1);
  assert.deepEqual(events.log, ["close:open_timeout:false"]);
});

test("garbage instead of the open packet: handshake_invalid", () => {
  for (const frame of ["hello", '0{"sid":', "0{}", '0{"sid":"x","pingInterval":"25000","pingTimeout":1}', '40{"sid":"x"}']) {
    const { events, engine } = setup();
    engine.start();
    engine.receiveText(frame);
    assert.deepEqual(events.log, ["close:handshake_invalid:false"], frame);
  }
});

test("garbage on an open connection is reported and the connection stays up", () => {
  const { events, engine } = setup();
  engine.start();
  engine.receiveText(OPEN);
  engine.receiveText("~~~");
  engine.receiveText('42["still fine"]');
  assert.equal(events.log.length, 3);
  assert.match(events.log[1]!, /^decodeError:/);
  assert.equal(events.log[2], 'msg:2["still fine"]');
});

test("server close packet and transport close end the connection once", () => {
  const { events, engine } = setup();
  engine.start();
  engine.receiveText(OPEN);
  engine.receiveText("1");
  engine.transportClosed(1000);
  assert.deepEqual(events.log, ["open:S1", "close:transport close:true"]);

  const other = setup();
  other.engine.start();
  other.engine.transportClosed(1000);
  assert.deepEqual(other.events.log, ["close:closed_during_handshake:false"]);
  // k6 runs the close handler inside its own shutdown: closing the socket again would deadlock.
  assert.equal(other.sink.closed, false, "a transport that closed by itself is not closed again");

  const failing = setup();
  failing.engine.start();
  failing.engine.receiveText(OPEN);
  failing.engine.transportError("broken pipe");
  assert.deepEqual(failing.events.log, ["open:S1", "close:transport error:true"]);
  assert.equal(failing.sink.closed, false, "an erroring transport is closed by the binding, from the event loop");
});

test("a clean close from the server is a 'transport close', an abrupt one a 'transport error', as k6 reports them", () => {
  const cases: [string, (e: EngineConnection) => void, string][] = [
    ["close frame 1000", (e) => e.transportClosed(1000), "transport close"],
    ["close frame 1001", (e) => e.transportClosed(1001), "transport close"],
    // k6 reports a close frame without a status as an error first, then the close (1005)
    ["close frame without status", (e) => e.transportError("websocket: close 1005 (no status)"), "transport close"],
    ["no close frame (crash, reset)", (e) => e.transportClosed(1006), "transport error"],
    ["k6's error for a broken connection", (e) => e.transportError("websocket: close 1006 (abnormal closure): unexpected EOF"), "transport error"],
    ["a read error", (e) => e.transportError("read tcp 127.0.0.1:1->127.0.0.1:2: connection reset by peer"), "transport error"],
  ];
  for (const [what, end, reason] of cases) {
    const { events, engine } = setup();
    engine.start();
    engine.receiveText(OPEN);
    end(engine);
    engine.transportClosed(1005); // the close event that follows k6's error changes nothing
    assert.deepEqual(events.log, ["open:S1", `close:${reason}:true`], what);
  }
  const handshake = setup();
  handshake.engine.start();
  handshake.engine.transportClosed(1006);
  assert.deepEqual(handshake.events.log, ["close:transport_error:false"], "a broken connection during the handshake");
});

test("upgrade: 2probe, then 5 after 3probe; writes are held until the probe succeeds", () => {
  const handshake: Handshake = { sid: "P1", upgrades: ["websocket"], pingInterval: 1000, pingTimeout: 500, maxPayload: 1e6, eio3: false };
  const { sink, events, engine } = setup(handshake);
  engine.send('2["early"]');
  engine.start();
  assert.deepEqual(sink.text, ["2probe"]);
  engine.receiveText("6"); // noise on the probe is ignored
  engine.receiveText("3probe");
  assert.deepEqual(sink.text, ["2probe", "5", '42["early"]']);
  assert.deepEqual(events.log, ["open:P1"]);
});

test("upgrade: no 3probe within the bound is upgrade_timeout", () => {
  const handshake: Handshake = { sid: "P1", upgrades: ["websocket"], pingInterval: 1000, pingTimeout: 500, maxPayload: 1e6, eio3: false };
  const { clock, events, engine } = setup(handshake);
  engine.start();
  clock.advance(3000);
  assert.deepEqual(events.log, ["close:upgrade_timeout:false"]);
});

test("vanish: nothing more is sent or handled, no client-side ping timeout, the bound closes it", () => {
  const { sink, clock, events, engine } = setup();
  engine.start();
  engine.receiveText(OPEN);
  engine.vanish(10_000);
  engine.receiveText("2");
  engine.receiveText('42["ignored"]');
  engine.send('2["not sent"]');
  assert.deepEqual(sink.text, [], "no pong, no message");
  clock.advance(9_999);
  assert.deepEqual(events.log, ["open:S1"], "the client does not give up by itself: the server has to notice");
  clock.advance(1);
  assert.deepEqual(events.log, ["open:S1", "close:vanish timeout:true"]);
});

test("a frame over the server's maxPayload is counted and still handled", () => {
  const { events, engine } = setup();
  engine.start();
  engine.receiveText('0{"sid":"S1","upgrades":[],"pingInterval":1000,"pingTimeout":500,"maxPayload":20}');
  engine.receiveText(`42["big","${"x".repeat(30)}"]`);
  assert.match(events.log[1]!, /^decodeError:max_payload:a 42-byte frame exceeds the server's maxPayload of 20/);
  assert.match(events.log[2]!, /^msg:2\["big"/);
});

test("Engine.IO v3 (protocol 3): the client pings, anything received proves life", () => {
  const { sink, clock, events, engine } = setup(undefined, 3);
  engine.start();
  engine.receiveText('0{"sid":"V3","upgrades":[],"pingInterval":1000,"pingTimeout":500}');
  assert.deepEqual(events.log, ["open:V3"]);
  clock.advance(1000);
  assert.deepEqual(sink.text, ["2"], "the client sends the ping");
  engine.receiveText("3"); // t=1000: the pong; life until t=2500 unless something else arrives
  clock.advance(1000);
  assert.deepEqual(sink.text, ["2", "2"], "t=2000: the next ping, which the server leaves unanswered");
  clock.advance(499);
  assert.equal(events.log.length, 1, "t=2499: still alive");
  clock.advance(1);
  assert.match(events.log[1]!, /^close:ping timeout:true$/);
});

test("Engine.IO v3 binary frames carry their packet type byte", () => {
  const { sink, events, engine } = setup(undefined, 3);
  engine.start();
  engine.receiveText('0{"sid":"V3","upgrades":[],"pingInterval":1000,"pingTimeout":500}');
  engine.send(new Uint8Array([7, 8]).buffer);
  assert.deepEqual([...new Uint8Array(sink.binary[0]!)], [4, 7, 8]);
  engine.receiveBinary(new Uint8Array([4, 9]).buffer);
  assert.equal(events.log.at(-1), "bin:1");
});

const NO_MAX_PAYLOAD = '0{"sid":"A","upgrades":[],"pingInterval":1000,"pingTimeout":500}';

test('protocol "auto", no maxPayload, the server connects "/" unasked at once: Engine.IO v3 (socket.io 2.x)', () => {
  const { sink, clock, events, engine } = setup();
  engine.start();
  engine.receiveText(NO_MAX_PAYLOAD);
  assert.deepEqual(events.log, [], "nothing is open (nor sent) before the server shows its version");
  engine.receiveText("40");
  assert.deepEqual(events.log, ["open:A", "msg:0"]);
  assert.equal(engine.openHandshake?.eio3, true);
  clock.advance(1000);
  assert.deepEqual(sink.text, ["2"], "v3: the client pings");
});

test('protocol "auto", no maxPayload, a silent server: Engine.IO v4 after V3_EVIDENCE_MS (socket.io 3.x)', () => {
  const { sink, clock, events, engine } = setup();
  engine.start();
  engine.receiveText(NO_MAX_PAYLOAD);
  clock.advance(V3_EVIDENCE_MS - 1);
  assert.deepEqual(events.log, []);
  clock.advance(1);
  assert.deepEqual(events.log, ["open:A"]);
  assert.equal(engine.openHandshake?.eio3, false);
  assert.equal(engine.protocolAssumed, true);
  engine.settleProtocol(true); // 40{"sid":…}: a Socket.IO 3+ server
  assert.equal(engine.protocolAssumed, false);
  clock.advance(1000);
  assert.deepEqual(sink.text, [], "v4: the server pings, the client never does");
  engine.receiveText("2");
  assert.deepEqual(sink.text, ["3"]);
});

test('protocol "auto", no maxPayload, a server that pings first: Engine.IO v4 at once', () => {
  const { sink, events, engine } = setup();
  engine.start();
  engine.receiveText(NO_MAX_PAYLOAD);
  engine.receiveText("2");
  assert.deepEqual(events.log, ["open:A"]);
  assert.deepEqual(sink.text, ["3"]);
  assert.equal(engine.openHandshake?.eio3, false);
});

test('protocol "auto": a v2 server slower than V3_EVIDENCE_MS is caught by its CONNECT reply without sid, and the client pings from then on', () => {
  const { sink, clock, events, engine } = setup();
  engine.start();
  engine.receiveText(NO_MAX_PAYLOAD);
  clock.advance(V3_EVIDENCE_MS);
  engine.settleProtocol(false); // 40 without a sid
  assert.equal(engine.openHandshake?.eio3, true);
  clock.advance(1000);
  assert.deepEqual(sink.text, ["2"]);
  engine.receiveText("3");
  clock.advance(1499);
  assert.deepEqual(events.log, ["open:A"], "v3 liveness: the pong keeps it alive");
});

test("protocol 4 never waits, even without maxPayload", () => {
  const { events, engine } = setup(undefined, 4);
  engine.start();
  engine.receiveText(NO_MAX_PAYLOAD);
  assert.deepEqual(events.log, ["open:A"]);
  assert.equal(engine.protocolAssumed, false);
});

test("a transport message that is neither text nor an ArrayBuffer is counted as an engine_frame decode error, never dropped in silence", () => {
  const { engine, metrics } = protocolRig();
  engine.start();
  engine.receiveText(OPEN);
  engine.receiveUnknown("undefined");
  assert.ok(metrics.events.includes("decodeError:engine_frame"), metrics.events.join(", "));
});
