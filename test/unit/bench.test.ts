// The benchmark's pure parts: CPU interpolation over /proc samples, the targets' verdicts and
// gaps, and the runner's refusal of anything but loopback.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { TreeSamples } from "../../bench/lib/proc-sampler.mjs";
import { evaluateTargets } from "../../bench/lib/report.mjs";
import { root } from "../../scripts/lib.mjs";

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

const row = (workload: string, tool_id: string, fields: Record<string, unknown>) => ({ workload, tool_id, tool: tool_id, ok: true, errors: [], ...fields });
const profile = { capacity: { connections: 10_000, windowMs: 60_000 } };

test("targets: met and missed, each missed one with its gap", () => {
  const results = [
    row("capacity", "k6-socketio-websockets", { connected: 10_000, server_connected_at_end: 10_000, heartbeat_losses: 0, client_disconnects: 0, rss_per_connection_kib: 120, peak_rss_mib: 1170 }),
    row("ack", "k6-socketio-ws", { acks_per_cpu_s: 9000 }),
    row("ack", "k6-socketio-websockets", { acks_per_cpu_s: 13_000 }),
    row("ack", "artillery", { acks_per_cpu_s: 12_000 }),
    row("ack", "locust", { acks_per_cpu_s: 4000 }),
    row("latency", "k6-socketio-ws", { ack_p50_ms: 1, acks_per_s: 2500 }),
    row("latency", "raw-k6", { ack_p50_ms: 1, acks_per_s: 2500 }),
  ];
  const t = evaluateTargets(results, profile);
  const get = (re: RegExp) => t.filter((x) => re.test(x.target));
  assert.equal(get(/10,000 connections held 60 s/)[0]!.met, true);
  assert.equal(get(/250 KB/)[0]!.met, true);
  const artillery = get(/Artillery/);
  assert.deepEqual(artillery.map((x) => x.met), [false, true]);
  assert.match(artillery[0]!.gap, /25% short/);
  const locust = get(/Locust/);
  assert.deepEqual(locust.map((x) => x.met), [false, true]);
  assert.match(locust[0]!.gap, /0\.75× short/);
  assert.equal(get(/p50 within 10%/)[0]!.met, true);
});

test("targets: a failed or missing row is 'not measured', never met", () => {
  const t = evaluateTargets([row("ack", "k6-socketio-ws", { acks_per_cpu_s: 9000 }), { ...row("ack", "artillery", {}), ok: false }], profile);
  for (const x of t) assert.notEqual(x.met, true, x.target);
  assert.ok(t.some((x) => x.met === null && /Artillery's row failed/.test(x.observed)));
});

test("npm run bench refuses a target that is not loopback, before installing or starting anything", () => {
  const r = spawnSync(process.execPath, [join(root, "bench", "run.mjs"), "--host", "10.0.0.7"], { encoding: "utf8", timeout: 10_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /refusing --host 10\.0\.0\.7: the benchmark only targets loopback/);
  const bad = spawnSync(process.execPath, [join(root, "bench", "run.mjs"), "--workloads", "soak"], { encoding: "utf8", timeout: 10_000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown workload soak/);
});
