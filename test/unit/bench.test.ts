// The benchmark's pure parts: CPU interpolation over /proc samples, each row's distance to its
// transport's floor, starved rows, the heartbeat cost, split runs, the targets' verdicts and
// gaps, and the runner's refusal of anything but loopback.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { heartbeatRow, starvation, usAboveFloor, usPerItem } from "../../bench/lib/figures.mjs";
import { TreeSamples } from "../../bench/lib/proc-sampler.mjs";
import { workloadTable } from "../../bench/lib/report.mjs";
import { mergeReports, segmentCommand } from "../../bench/lib/run-tool.mjs";
import { evaluateTargets, explainGaps } from "../../bench/lib/targets.mjs";
import { root } from "../../scripts/lib.mjs";

interface Target {
  target: string;
  met: boolean | null;
  observed: string;
  gap: string;
}

test("CPU in a window is interpolated between samples; peak RSS only counts samples inside it", () => {
  const s = new TreeSamples([
    { at: 1000, cpuS: 1, rssKb: 100, processes: 1 },
    { at: 2000, cpuS: 2, rssKb: 300, processes: 1 },
    { at: 3000, cpuS: 4, rssKb: 200, processes: 1 },
  ]);
  assert.equal(s.cpuAt(500), 1);
  assert.equal(s.cpuAt(1500), 1.5);
  assert.equal(s.cpuBetween(1500, 2500), 1.5);
  assert.equal(s.cpuAt(9000), 4);
  assert.equal(s.totalCpuS, 4);
  assert.equal(s.peakRssKb(), 300);
  assert.equal(s.peakRssKb(2500, 3500), 200);
});

const row = (workload: string, tool_id: string, fields: Record<string, unknown>) => ({ workload, tool_id, tool: tool_id, ok: true, errors: [] as string[], cpu_util: 1, load_avg: [1.5, 1, 1], ...fields });

test("a saturated row under 90% of its core is starved: invalid, with its share and the load; an unsaturated one is not", () => {
  assert.match(starvation(row("ack", "artillery", { cpu_util: 0.64, server_cpu_util: 0.97, load_avg: [3.5, 2, 1] }))!, /^starved: invalid \(64% of its core, server 97%, load average 3\.5\)$/);
  assert.equal(starvation(row("ack", "artillery", { cpu_util: 0.93 })), null);
  // Fan-out saturates only a tool that fell behind.
  assert.equal(starvation(row("fanout", "node", { cpu_util: 0.15, delivery: 1 })), null);
  assert.match(starvation(row("fanout", "k6-socketio-websockets", { cpu_util: 0.49, delivery: 0.725 }))!, /49% of its core while 72\.5% delivered/);
  // Holding connections never saturates; a failed row is FAILED, not starved.
  assert.equal(starvation(row("hold", "node", { cpu_util: 0.05 })), null);
  assert.equal(starvation({ ...row("ack", "node", { cpu_util: 0.2 }), ok: false }), null);
  // Two instances: judged by the share of each.
  assert.equal(starvation(row("ack", "x", { cpu_util: 1.9, instances: 2 })), null);
  const table = workloadTable("ack", [row("ack", "artillery", { cpu_util: 0.5, connected: 100, acks_per_cpu_s: 20_000 })]);
  assert.match(table.body[0]!.at(-1)!, /^starved: invalid/);
  assert.equal(table.body[0]![table.header.indexOf("load 1 min")], "1.50");
});

test("each k6-socketio row is measured above its own transport's floor, never against a starved one", () => {
  const results = [
    row("ack", "raw-k6", { acks_per_cpu_s: 40_000 }), // 25 µs
    row("ack", "raw-k6-websockets", { acks_per_cpu_s: 25_000 }), // 40 µs
    row("ack", "k6-socketio-ws", { acks_per_cpu_s: 5_000 }), // 200 µs
    row("ack", "k6-socketio-websockets", { acks_per_cpu_s: 10_000 }), // 100 µs
    row("ack", "k6-socketio-websockets-gogc100", { acks_per_cpu_s: 8_000 }), // 125 µs
  ];
  assert.equal(usPerItem(results[0]), 25);
  assert.equal(usAboveFloor(results[2], results), 175);
  assert.equal(usAboveFloor(results[3], results), 60);
  assert.equal(usAboveFloor(results[4], results), 85);
  assert.equal(usAboveFloor(results[0], results), null, "a floor has no floor");
  const starvedFloor = [{ ...results[1]!, cpu_util: 0.5 }, results[3]!];
  assert.equal(usAboveFloor(results[3], starvedFloor), null);
  assert.equal(usAboveFloor(results[3], starvedFloor, { evenStarved: true }), 60, "tables show it beside the status");
  const pings = [row("heartbeat", "raw-k6-websockets", { us_per_ping: 90 }), row("heartbeat", "k6-socketio-websockets", { us_per_ping: 230 })];
  assert.equal(usAboveFloor(pings[1], pings), 140);
});

test("µs per heartbeat: CPU with pings minus the unpinged baseline, over the pings answered", () => {
  const hold = (cpu_window_s: number, phase: string) => ({ ...row("heartbeat", "k6-socketio-websockets", {}), phase, connected: 2000, connections: 2000, window_s: 15, cpu_window_s, cpu_util: cpu_window_s / 15 });
  const hb = heartbeatRow(hold(0.3, "idle"), hold(5.4, "pinged"), 1000);
  assert.equal(hb.pings_per_s, 2000);
  assert.equal(hb.us_per_ping, 170); // (5.4 − 0.3) CPU-s ÷ 30,000 pings
  assert.equal(hb.idle_cpu_util, 0.02);
  assert.equal(hb.ok, true);
  const broken = heartbeatRow({ ...hold(0.3, "idle"), connected: 1500 }, hold(5.4, "pinged"), 1000);
  assert.equal(broken.ok, false);
  assert.equal(broken.us_per_ping, null);
  assert.match(broken.errors.join(), /held 2000 with pings but 1500 without/);
});

test("a run split over k6 instances: execution segments per instance, results merged", () => {
  const cmd = ["/k6", "run", "-q", "script.js"];
  assert.deepEqual(segmentCommand(cmd, 0, 1), cmd);
  assert.deepEqual(segmentCommand(cmd, 0, 2), ["/k6", "run", "--execution-segment", "0:1/2", "--execution-segment-sequence", "0,1/2,1", "-q", "script.js"]);
  assert.deepEqual(segmentCommand(cmd, 1, 2).slice(2, 6), ["--execution-segment", "1/2:1", "--execution-segment-sequence", "0,1/2,1"]);
  const merged = mergeReports([
    { tool: "t", version: "v", connected: 15_000, connect_failures: 0, connect_p95_ms: 90, disconnects: 1, errors: [] },
    { tool: "t", version: "v", connected: 14_990, connect_failures: 10, connect_p95_ms: 120, disconnects: 0, errors: ["boom"] },
  ]);
  assert.equal(merged.connected, 29_990);
  assert.equal(merged.connect_failures, 10);
  assert.equal(merged.connect_p95_ms, 120);
  assert.equal(merged.disconnects, 1);
  assert.deepEqual(merged.errors, ["instance 2: boom"]);
});

const full = { capacity: { connections: 15_000, windowMs: 60_000, serverArgs: ["--ping-interval", "5000"] }, "capacity-split": { connections: 30_000, windowMs: 60_000 } };
const capacityRow = (fields: Record<string, unknown>) => row("capacity", "k6-socketio-websockets", { connections: 15_000, connected: 15_000, server_connected_at_end: 15_000, heartbeat_losses: 0, client_disconnects: 0, rss_per_connection_kib: 120, peak_rss_mib: 1760, cpu_util: 0.3, ...fields });

test("targets: met and missed, each missed one with its gap", () => {
  const results = [
    capacityRow({ cpu_util: 0.51 }),
    row("capacity-split", "k6-socketio-websockets", { connections: 30_000, connected: 30_000, server_connected_at_end: 30_000, heartbeat_losses: 0, client_disconnects: 0, instances: 2, servers: 2, cpu_util: 0.8, peak_rss_mib: 5000 }),
    row("ack", "k6-socketio-ws", { acks_per_cpu_s: 9000 }),
    row("ack", "k6-socketio-websockets", { acks_per_cpu_s: 13_000 }),
    row("ack", "artillery", { acks_per_cpu_s: 12_000 }),
    row("ack", "locust", { acks_per_cpu_s: 4000 }),
    row("fanout", "k6-socketio-websockets", { messages_per_cpu_s: 12_500, delivery: 1 }),
    row("fanout", "raw-k6-websockets", { messages_per_cpu_s: 19_300, delivery: 1 }),
    row("heartbeat", "k6-socketio-websockets", { us_per_ping: 170, pings_per_s: 2000, connected: 2000, ping_interval_ms: 1000 }),
    row("latency", "k6-socketio-ws", { ack_p50_ms: 1, acks_per_s: 2500 }),
    row("latency", "raw-k6", { ack_p50_ms: 1, acks_per_s: 2500 }),
  ];
  const t: Target[] = evaluateTargets(results, full);
  const get = (re: RegExp): Target[] => t.filter((x) => re.test(x.target));
  const cap = get(/15,000 connections held 60 s/)[0]!;
  assert.equal(cap.met, false);
  assert.match(cap.gap, /11\.0 points of a core over 40%/);
  assert.equal(get(/30,000 connections held 60 s/)[0]!.met, true);
  assert.equal(get(/250 KB/)[0]!.met, true);
  assert.deepEqual(get(/Artillery/).map((x) => x.met), [true, false]);
  assert.match(get(/Artillery/)[1]!.gap, /25% short/);
  assert.deepEqual(get(/Locust/).map((x) => x.met), [true, false]);
  assert.match(get(/Locust/)[1]!.gap, /0\.75× short/);
  const fan = get(/0\.85× the raw k6\/websockets floor/)[0]!;
  assert.equal(fan.met, false);
  assert.match(fan.observed, /0\.65×/);
  assert.match(fan.gap, /0\.20× short/);
  const hb = get(/per heartbeat/)[0]!;
  assert.equal(hb.met, false);
  assert.match(hb.gap, /110 µs over/);
  assert.equal(get(/p50 within 10%/)[0]!.met, true);
  const why = explainGaps(results, {}, full).join("\n");
  assert.match(why, /0\.85× of it leaves 61 µs per message/);
  assert.match(why, /3,000 pings\/s; k6 used 51\.0% of a core, 170 µs per ping/);
});

test("targets: a failed, starved or too-small row is 'not measured', never met", () => {
  const results = [
    row("ack", "k6-socketio-websockets", { acks_per_cpu_s: 30_000, cpu_util: 0.6 }),
    { ...row("ack", "artillery", {}), ok: false, errors: ["exited with 1"] },
    capacityRow({ connections: 2000, connected: 2000, server_connected_at_end: 2000 }),
  ];
  const t: Target[] = evaluateTargets(results, { capacity: { connections: 2000, windowMs: 10_000 }, "capacity-split": { connections: 4000, windowMs: 10_000 } });
  // Memory per connection is judged at any size; every other target needs valid, full-size rows.
  for (const x of t) if (!/250 KB/.test(x.target)) assert.notEqual(x.met, true, x.target);
  assert.ok(t.some((x) => x.met === null && /our row starved: invalid \(60% of its core/.test(x.observed)));
  assert.ok(t.some((x) => x.met === null && /2,000 connections held 10 s/.test(x.target) && /run the full profile/.test(x.gap)));
  assert.ok(t.some((x) => x.met === null && /split capacity row not run/.test(x.observed)));
  const split = row("capacity-split", "k6-socketio-websockets", { connections: 30_000, connected: 30_000, server_connected_at_end: 29_000, heartbeat_losses: 1000, server_disconnects: { "ping timeout": 1000 }, cpu_util: 1.2, instances: 2, servers: 2 });
  assert.match(explainGaps([split], {}, {}).join("\n"), /Split capacity: 30,000 of 30,000 connected, 29,000 on the servers at the end; the server saw 1,000 × ping timeout; both k6 used 120% of a core/);
  assert.match(explainGaps(results, {}, {}).join("\n"), /ack × k6-socketio-websockets: starved: invalid/);
});

test("npm run bench refuses a target that is not loopback, before installing or starting anything", () => {
  const r = spawnSync(process.execPath, [join(root, "bench", "run.mjs"), "--host", "10.0.0.7"], { encoding: "utf8", timeout: 10_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /refusing --host 10\.0\.0\.7: the benchmark only targets loopback/);
  const bad = spawnSync(process.execPath, [join(root, "bench", "run.mjs"), "--workloads", "soak"], { encoding: "utf8", timeout: 10_000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown workload soak/);
});
