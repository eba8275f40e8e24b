// The stall watch (no progress while an answer is awaited) and the generator-lag judgment that
// turns a ping, close or ack timeout into "generator overloaded".
import assert from "node:assert/strict";
import { test } from "node:test";
import { LagSampler, LagWindow, overloaded } from "../../src/socketio/protocol/generator-lag";
import { ProgressWatch } from "../../src/socketio/protocol/progress-watch";
import { OPEN, protocolRig } from "../helpers/fakes";

test("ProgressWatch: a request unanswered for stallAfter ms is one stall, reported once; progress closes the window", () => {
  const w = new ProgressWatch(5_000);
  assert.equal(w.check(0), undefined, "nothing awaited: no stall");
  w.expecting(() => 1_000);
  w.expecting(() => 2_000); // a second request does not move the window's start
  assert.equal(w.check(5_999), undefined);
  assert.deepEqual(w.check(6_000), { waitedMs: 5_000 });
  assert.equal(w.check(20_000), undefined, "one stall per window");
  w.progressed();
  assert.equal(w.check(20_001), undefined);
  w.expecting(() => 21_000);
  assert.deepEqual(w.check(40_000), { waitedMs: 19_000 }, "a new window after progress");
});

test("ProgressWatch: checks far apart (a VU blocked in a dial) still tell progress before the request from progress after it", () => {
  const w = new ProgressWatch(5_000);
  w.expecting(() => 0);
  w.progressed(); // the previous session's answers, never checked by a tick
  w.expecting(() => 1_000); // the next connect attempt, then the dial blocks
  assert.deepEqual(w.check(13_000), { waitedMs: 12_000 });
  const answered = new ProgressWatch(5_000);
  answered.expecting(() => 0);
  answered.progressed();
  assert.equal(answered.check(13_000), undefined, "answered after the request: no stall");
});

test("ProgressWatch: an idle VU (nothing asked) never stalls; an answered request closes its window", () => {
  const w = new ProgressWatch(1_000);
  assert.equal(w.check(1_000_000), undefined);
  w.expecting(() => 0);
  w.progressed();
  assert.equal(w.check(10_000), undefined);
  assert.equal(w.check(20_000), undefined);
});

test("LagWindow: the lag is how late a timer fired, the recent maximum or the pending timer's overdue time", () => {
  const lags = new LagWindow();
  assert.equal(lags.record(1_000, 1_004), 4);
  assert.equal(lags.record(2_000, 1_990), 0, "an early timer is no lag");
  assert.equal(lags.record(3_000, 6_000), 3_000);
  assert.equal(lags.recentMax(6_100), 3_000);
  assert.equal(lags.recentMax(6_100, 4_500), 4_500, "a probe overdue now counts");
  assert.equal(lags.recentMax(60_000), 0, "old measurements age out");
  assert.equal(overloaded(250, 500), true);
  assert.equal(overloaded(249, 500), false);
  assert.equal(overloaded(0, 0), false);
});

function connected() {
  const rig = protocolRig();
  const socket = rig.connection.socket("/");
  rig.engine.start();
  rig.engine.receiveText(OPEN); // pingInterval 1000, pingTimeout 500
  rig.engine.receiveText('40{"sid":"N1"}');
  return { ...rig, socket };
}

test("ping timeout with a healthy generator: the server is blamed", () => {
  const { clock, socket, metrics, logs } = connected();
  clock.lagMs = 10;
  clock.advance(1_500);
  assert.equal(socket.disconnectReason, "ping timeout");
  assert.equal(metrics.count("disconnected:ping timeout"), 1);
  assert.ok(!logs.some((l) => l.includes("generator overloaded")));
});

test("ping timeout while the generator lags past half the pingTimeout: recorded as generator overloaded, warned once with the figure and the advice", () => {
  const { clock, socket, metrics, logs } = connected();
  clock.lagMs = 400;
  clock.advance(1_500);
  assert.equal(socket.disconnectReason, "generator overloaded");
  assert.equal(metrics.count("disconnected:generator overloaded"), 1);
  const warned = logs.filter((l) => l.startsWith("once:generator overloaded:"));
  assert.equal(warned.length, 1);
  assert.match(warned[0]!, /ran 400 ms late around this ping timeout, at least 50% of the server's pingTimeout \(500 ms\)/);
  assert.match(warned[0]!, /fewer sockets \(SOCKETS_PER_VU\) or spread the VUs over more k6 instances/);
});

test("the server closes a lagging generator (its pongs came late): generator overloaded, reconnectable like a close", () => {
  const { clock, socket, engine } = connected();
  clock.lagMs = 2_000;
  engine.transportClosed(1006);
  assert.equal(socket.disconnectReason, "generator overloaded");
  assert.equal(socket.reconnectable, true);
});

test("an ack timeout while the generator lags is counted as the generator's, not the server's", () => {
  const { clock, socket, metrics, logs } = connected();
  const outcomes: string[] = [];
  socket.request("slow", [], (o) => outcomes.push(o.ok ? "ok" : o.reason));
  clock.lagMs = 300;
  clock.advance(1_001);
  assert.deepEqual(outcomes, ["timeout"], "the outcome keeps its meaning: no answer in time");
  assert.equal(metrics.count("ackTimeout:slow:generator overloaded"), 1);
  assert.ok(!logs.some((l) => l.includes("no ack for 'slow'")), "the server's missing handler is not suggested");
  assert.equal(metrics.expected, 2, "the connect attempt and the ack were awaited");
});

test("LagSampler: four ticks a second become one sample, the worst of them; a lag of a second or more is recorded at once; stopping records the rest", () => {
  const sampler = new LagSampler();
  const recorded: number[] = [];
  const tick = (lag: number, now: number): void => {
    const s = sampler.add(lag, now);
    if (s !== undefined) recorded.push(s);
  };
  tick(3, 0); // the first tick is a sample: a short run has one
  for (let t = 250; t < 10_000; t += 250) tick(t === 5_500 ? 40 : 2, t);
  assert.equal(recorded.length, 10, recorded.join(","));
  assert.equal(recorded[0], 3);
  assert.ok(recorded.includes(40), "the spike is the sample of its second");
  assert.equal(Math.max(...recorded.filter((x) => x !== 40 && x !== 3)), 2);
  tick(1_500, 11_500); // a starved tick comes late: more than a second since the last sample
  assert.equal(recorded.at(-1), 1_500);
  tick(7, 11_600);
  assert.equal(sampler.take(11_700), 7);
  assert.equal(sampler.take(11_800), undefined, "nothing left after a flush");
});

test("a server pingTimeout no client can meet (1 ms): its timeouts are the server's setting, never 'generator overloaded'", () => {
  const rig = protocolRig();
  const socket = rig.connection.socket("/");
  rig.engine.start();
  rig.engine.receiveText('0{"sid":"S1","upgrades":[],"pingInterval":1,"pingTimeout":1,"maxPayload":1000000}');
  rig.engine.receiveText('40{"sid":"N1"}');
  rig.clock.lagMs = 5;
  rig.clock.advance(10);
  assert.equal(socket.disconnectReason, "ping timeout");
  assert.equal(rig.metrics.count("disconnected:generator overloaded"), 0);
  assert.ok(rig.logs.some((l) => /once:unmeetable timers:the server's pingTimeout is 1 ms \(pingInterval 1 ms\): no client can answer within that/.test(l)), rig.logs.join("\n"));
});
