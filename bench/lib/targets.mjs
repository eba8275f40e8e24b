// The targets `npm run bench` prints, each met or missed by a stated amount, and the reasons
// from the same run's own figures. A failed or starved row never meets a target: it is "n/a".
import { fmt, GOGC100_TOOL, REFERENCE_TOOL, starvation, usAboveFloor, usPerItem, valid } from "./figures.mjs";

const pct = (x) => `${fmt(x * 100, 0)}%`;

/** Why a row cannot be judged, or null when it can. */
function unusable(row, what) {
  if (!row) return `${what} not run`;
  if (!row.ok) return `${what} failed: ${row.errors.join("; ")}`;
  return starvation(row) ? `${what} ${starvation(row)}` : null;
}

function notMeasured(target, why) {
  return { target, met: null, observed: why, gap: "" };
}

/** A capacity target needs the full profile's size and time; a smaller run is never "met". */
function capacityVerdict(held, n, secs, needN, needSecs) {
  const big = n >= needN && secs >= needSecs;
  return { met: big ? held : held ? null : false, short: big ? "" : `run the full profile (not --quick) to test ${fmt(needN)} × ${needSecs} s` };
}

/** The one-k6 capacity target: N held for the window, no heartbeat lost, under 40% of a core. */
function singleCapacity(results, profile) {
  const cap = results.find((r) => r.workload === "capacity" && r.tool_id === REFERENCE_TOOL);
  const target = "15,000 connections held 60 s, zero heartbeat losses, under 40% of a core (one k6, k6/websockets)";
  const why = unusable(cap, "the capacity row");
  if (why) return [notMeasured(target, why)];
  const n = profile.capacity.connections;
  const secs = profile.capacity.windowMs / 1000;
  const heldAll = cap.connected === n && cap.server_connected_at_end === n && cap.heartbeat_losses === 0 && cap.client_disconnects === 0;
  const lean = cap.cpu_util < 0.4;
  const v = capacityVerdict(heldAll && lean, n, secs, 15_000, 60);
  const gaps = [];
  if (!heldAll) gaps.push(`${fmt(n - (cap.server_connected_at_end ?? 0))} connections short, ${fmt(cap.heartbeat_losses)} heartbeats lost`);
  if (!lean) gaps.push(`${fmt((cap.cpu_util - 0.4) * 100, 1)} points of a core over 40%`);
  if (v.short) gaps.push(v.short);
  const kib = cap.rss_per_connection_kib ?? null;
  return [
    {
      target: target.replace("15,000", fmt(n)).replace("60 s", `${secs} s`),
      met: v.met,
      observed: `${fmt(cap.connected)} connected, ${fmt(cap.server_connected_at_end)} still connected at the end (server's count), ${fmt(cap.heartbeat_losses)} ping timeouts, ${fmt(cap.client_disconnects)} lost, ${fmt(cap.cpu_util * 100, 1)}% of a core`,
      gap: gaps.join("; "),
    },
    {
      target: "under 250 KB of generator memory per connection (k6/websockets)",
      met: kib === null ? null : kib * 1.024 < 250,
      observed: kib === null ? "–" : `${fmt(kib * 1.024, 1)} KB per connection (${fmt(cap.peak_rss_mib, 1)} MiB peak RSS for ${fmt(cap.connected)})`,
      gap: kib !== null && kib * 1.024 >= 250 ? `${fmt(kib * 1.024 - 250, 1)} KB over` : "",
    },
  ];
}

/** Memory per held connection with Go's default GC (GOGC=100): the capacity workload's second k6-socketio row. */
function memoryAtGogc100(results, profile) {
  const row = results.find((r) => r.workload === "capacity" && r.tool_id === GOGC100_TOOL);
  const target = "≤ 120 KB of generator memory per held connection at GOGC=100, 15,000 connections (one k6, k6/websockets)";
  const why = unusable(row, "the GOGC=100 capacity row");
  if (why) return notMeasured(target, why);
  const n = profile.capacity.connections;
  const kb = row.rss_per_connection_kib === null ? null : row.rss_per_connection_kib * 1.024;
  if (kb === null) return notMeasured(target, "no connection held");
  // Per-connection memory falls as the fixed part spreads over more connections: a smaller run never meets it.
  const big = n >= 15_000;
  return {
    target: target.replace("15,000", fmt(n)),
    met: kb <= 120 ? (big ? true : null) : false,
    observed: `${fmt(kb, 1)} KB per connection (${fmt(row.peak_rss_mib, 1)} MiB peak RSS for ${fmt(row.connected)} connected)`,
    gap: [kb > 120 ? `${fmt(kb - 120, 1)} KB over` : "", big ? "" : "run the full profile (not --quick) to test 15,000"].filter(Boolean).join("; "),
  };
}

/** Two k6 instances (execution segments) against two servers on two loopback addresses. */
function splitCapacity(results, profile) {
  const row = results.find((r) => r.workload === "capacity-split");
  const target = "30,000 connections held 60 s on this machine, two k6 instances against two servers";
  const why = unusable(row, "the split capacity row");
  if (why) return notMeasured(target, why);
  const n = profile["capacity-split"].connections;
  const secs = profile["capacity-split"].windowMs / 1000;
  const heldAll = row.connected === n && row.server_connected_at_end === n && row.heartbeat_losses === 0 && row.client_disconnects === 0;
  const v = capacityVerdict(heldAll, n, secs, 30_000, 60);
  return {
    target: target.replace("30,000", fmt(n)).replace("60 s", `${secs} s`),
    met: v.met,
    observed: `${fmt(row.connected)} connected by ${row.instances} instances, ${fmt(row.server_connected_at_end)} still connected on ${row.servers} servers at the end, ${fmt(row.heartbeat_losses)} ping timeouts, ${fmt(row.client_disconnects)} lost; ${fmt(row.cpu_util * 100, 0)}% of a core and ${fmt(row.peak_rss_mib, 0)} MiB for both`,
    gap: [heldAll ? "" : `${fmt(n - (row.server_connected_at_end ?? 0))} connections short`, v.short].filter(Boolean).join("; "),
  };
}

/** Ours against another tool's figure, at least `times` as many per CPU-second. */
function perCpuTarget(target, ours, other, times, otherName) {
  const why = unusable(ours, "our row") ?? unusable(other, `${otherName}'s row`);
  if (why) return notMeasured(target, why);
  const key = ours.acks_per_cpu_s !== undefined ? "acks_per_cpu_s" : "messages_per_cpu_s";
  const x = ours[key] / other[key];
  return {
    target,
    met: x >= times,
    observed: `${fmt(ours[key])} vs ${fmt(other[key])} (${x.toFixed(2)}×)`,
    gap: x >= times ? "" : times === 1 ? `${((1 - x) * 100).toFixed(0)}% short` : `${(times - x).toFixed(2)}× short`,
  };
}

/** The issue's targets, evaluated on this run: {target, met (true/false/null), observed, gap}. */
export function evaluateTargets(results, profile) {
  const find = (workload, id) => results.find((r) => r.workload === workload && r.tool_id === id);
  const targets = [];
  if (profile.capacity) targets.push(...singleCapacity(results, profile), memoryAtGogc100(results, profile));
  if (profile["capacity-split"]) targets.push(splitCapacity(results, profile));

  const art = find("ack", "artillery");
  const loc = find("ack", "locust");
  for (const id of [REFERENCE_TOOL, "k6-socketio-ws"]) {
    const ours = find("ack", id);
    const name = ours?.tool ?? id;
    targets.push(perCpuTarget(`acks per CPU-second ≥ Artillery's in the same run (${name})`, ours, art, 1, "Artillery"));
    targets.push(perCpuTarget(`acks per CPU-second ≥ 3× Locust's (${name})`, ours, loc, 3, "Locust"));
  }
  targets.push(perCpuTarget("acks per CPU-second ≥ 0.7× the raw k6/websockets floor (k6-socketio over k6/websockets)", find("ack", REFERENCE_TOOL), find("ack", "raw-k6-websockets"), 0.7, "the raw k6/websockets"));
  targets.push(perCpuTarget("fan-out messages per CPU-second ≥ 0.85× the raw k6/websockets floor (k6-socketio over k6/websockets)", find("fanout", REFERENCE_TOOL), find("fanout", "raw-k6-websockets"), 0.85, "the raw k6/websockets"));

  const hb = find("heartbeat", REFERENCE_TOOL);
  const hbTarget = "≤ 60 µs of generator CPU per heartbeat (k6-socketio over k6/websockets)";
  const hbWhy = unusable(hb, "the heartbeat row");
  if (hbWhy || hb.us_per_ping === null) targets.push(notMeasured(hbTarget, hbWhy ?? "no figure"));
  else targets.push({ target: hbTarget, met: hb.us_per_ping <= 60, observed: `${fmt(hb.us_per_ping)} µs per ping at ${fmt(hb.pings_per_s)} pings/s`, gap: hb.us_per_ping > 60 ? `${fmt(hb.us_per_ping - 60)} µs over` : "" });

  // Latency is compared where neither generator is saturated (the paced latency workload):
  // in a closed loop, latency is just connections ÷ throughput.
  const ws = find("latency", "k6-socketio-ws");
  const raw = find("latency", "raw-k6");
  const latTarget = "ack latency p50 within 10% of the raw k6 echo (latency workload, both over k6/ws; k6's clock has 1 ms resolution)";
  const latWhy = unusable(ws, "our latency row") ?? unusable(raw, "the raw latency row");
  if (latWhy || raw.ack_p50_ms === null || ws.ack_p50_ms === null) targets.push(notMeasured(latTarget, latWhy ?? "no p50"));
  else {
    const over = ws.ack_p50_ms - raw.ack_p50_ms;
    // k6 has no sub-millisecond clock: both p50s are medians of whole milliseconds.
    const within = over <= Math.max(0.1 * raw.ack_p50_ms, 1);
    const mean = ws.ack_avg_ms !== null && raw.ack_avg_ms !== null ? `; mean ${fmt(ws.ack_avg_ms, 2)} vs ${fmt(raw.ack_avg_ms, 2)} ms, p95 ${fmt(ws.ack_p95_ms, 1)} vs ${fmt(raw.ack_p95_ms, 1)} ms` : "";
    targets.push({
      target: latTarget,
      met: within,
      observed: `p50 ${fmt(ws.ack_p50_ms, 1)} ms vs ${fmt(raw.ack_p50_ms, 1)} ms at ${fmt(ws.acks_per_s)} vs ${fmt(raw.acks_per_s)} acks/s${mean}`,
      gap: within ? "" : `${fmt(over, 1)} ms (${raw.ack_p50_ms ? ((over / raw.ack_p50_ms) * 100).toFixed(0) : "∞"}%) slower`,
    });
  }
  return targets;
}

export function targetLines(targets) {
  return targets.map((t) => `${t.met === true ? "MET   " : t.met === false ? "MISSED" : "n/a   "} ${t.target}: ${t.observed}${t.gap ? ` — ${t.gap}` : ""}`);
}

/** The server's disconnect reasons for a hold row that lost connections, or "". */
function lostOnes(row) {
  const reasons = Object.entries(row.server_disconnects ?? {});
  return reasons.length ? `; the server saw ${reasons.map(([why, n]) => `${fmt(n)} × ${why}`).join(", ")}` : "";
}

/**
 * Why the targets come out as they do, from this run's own figures: each transport's floor, what
 * k6-socketio adds per item above it, what GOGC=400 buys, what heartbeats cost at capacity, and
 * which rows are invalid because their tool was starved of CPU.
 */
export function explainGaps(results, extras, profile = {}) {
  const find = (workload, id) => results.find((r) => r.workload === workload && r.tool_id === id && valid(r));
  const lines = [];
  for (const r of results) {
    const s = starvation(r);
    if (s) lines.push(`${r.workload} × ${r.tool}: ${s}. Its figure is not comparable: other processes took its core or the server's, so it waited (load average at the window's end ${r.load_avg?.join(" / ") ?? "unknown"}); re-run on a quiet machine.`);
  }
  const hot = extras?.hot_path?.ok ? extras.hot_path.rows.find((r) => r.metrics === "k6 metrics") : null;
  const art = find("ack", "artillery");
  for (const id of [REFERENCE_TOOL, "k6-socketio-ws"]) {
    const ours = find("ack", id);
    const floorId = id === REFERENCE_TOOL ? "raw-k6-websockets" : "raw-k6";
    const floor = find("ack", floorId);
    if (!ours || !floor) continue;
    const above = usAboveFloor(ours, results);
    lines.push(
      `${floor.tool}: ${fmt(floor.acks_per_cpu_s)} acks per CPU-second, ${fmt(usPerItem(floor))} µs per acked emit before any Socket.IO code runs (k6's own cost: a Go read pump, a JavaScript callback and built-in metric samples per frame). ` +
        `${ours.tool}: ${fmt(usPerItem(ours))} µs, ${fmt(above)} µs above that floor` +
        (hot && id === REFERENCE_TOOL ? `, of which the hot-path microbenchmark (the library's Connection and Engine in k6's interpreter, no network) accounts for ${hot.ack_round_trip_us} µs; the rest is garbage collection of per-message objects, k6 ingesting the library's metric samples and the scheduling of many sockets` : "") +
        ".",
    );
    if (art) {
      const need = usPerItem(art);
      lines.push(
        `Artillery's figure means ${fmt(need)} µs per acked emit for the whole round trip: ${need < usPerItem(floor) ? `below the ${floor.tool}'s own ${fmt(usPerItem(floor))} µs, so no script over that k6 module can reach it on this machine` : `${fmt(usPerItem(ours) - need)} µs less than ${ours.tool} used (the floor leaves ${fmt(need - usPerItem(floor))} µs for the library)`}.`,
      );
    }
  }
  const gc400 = find("ack", REFERENCE_TOOL);
  const gc100 = find("ack", "k6-socketio-websockets-gogc100");
  if (gc400 && gc100) {
    lines.push(
      `GOGC: the same k6/websockets ack run did ${fmt(gc400.acks_per_cpu_s)} acks per CPU-second with GOGC=${gc400.gc?.GOGC} and ${fmt(gc100.acks_per_cpu_s)} with GOGC=${gc100.gc?.GOGC} (${fmt(usPerItem(gc100) - usPerItem(gc400))} µs per ack of garbage collection saved, ${((gc400.acks_per_cpu_s / gc100.acks_per_cpu_s - 1) * 100).toFixed(0)}% more per CPU-second), at a peak RSS of ${fmt(gc400.peak_rss_mib)} vs ${fmt(gc100.peak_rss_mib)} MiB.`,
    );
  }
  const fan = find("fanout", REFERENCE_TOOL);
  const fanFloor = find("fanout", "raw-k6-websockets");
  if (fan && fanFloor) {
    const budget = usPerItem(fanFloor) / 0.85;
    lines.push(
      `Fan-out: the raw k6/websockets floor received ${fmt(fanFloor.messages_per_cpu_s)} messages per CPU-second (${fmt(usPerItem(fanFloor))} µs each); 0.85× of it leaves ${fmt(budget)} µs per message, ${fmt(budget - usPerItem(fanFloor))} µs for the library. ${fan.tool} used ${fmt(usPerItem(fan))} µs, ${fmt(usAboveFloor(fan, results))} µs above the floor${usPerItem(fan) > budget ? `: ${fmt(usPerItem(fan) - budget)} µs over the budget` : ""}.`,
    );
  }
  const hb = find("heartbeat", REFERENCE_TOOL);
  const hbFloor = find("heartbeat", "raw-k6-websockets");
  if (hb?.us_per_ping !== null && hb?.us_per_ping !== undefined) {
    lines.push(
      `Heartbeats: ${fmt(hb.us_per_ping)} µs of CPU per ping answered by ${hb.tool}` +
        (hbFloor?.us_per_ping != null ? ` against ${fmt(hbFloor.us_per_ping)} µs for the raw k6/websockets echo (receive "2", send "3"): ${fmt(hb.us_per_ping - hbFloor.us_per_ping)} µs are the library's (re-arming the liveness deadline, the packet's path through the engine)` : "") +
        ` — measured as the CPU of ${fmt(hb.connected)} connections pinged every ${fmt(hb.ping_interval_ms / 1000)} s minus the same connections unpinged, over the pings answered.`,
    );
  }
  const cap = find("capacity", REFERENCE_TOOL);
  if (cap && profile.capacity) {
    const args = profile.capacity.serverArgs ?? [];
    const at = args.indexOf("--ping-interval");
    const intervalS = at >= 0 ? Number(args[at + 1]) / 1000 : 25; // socket.io's default otherwise
    const pingsPerS = cap.connected / intervalS;
    const byPings = hb?.us_per_ping != null ? (pingsPerS * hb.us_per_ping) / 1e6 : null;
    lines.push(
      `Capacity: ${fmt(cap.connected)} connections pinged every ${intervalS} s are ${fmt(pingsPerS)} pings/s; k6 used ${fmt(cap.cpu_util * 100, 1)}% of a core, ${fmt((cap.cpu_util * 1e6) / pingsPerS)} µs per ping including everything else` +
        (byPings !== null ? `; at the heartbeat row's ${fmt(hb.us_per_ping)} µs the pings alone account for ${fmt(byPings * 100, 1)}% (40% of a core leaves ${fmt((0.4 * 1e6) / pingsPerS)} µs per ping for everything)` : "") +
        `${lostOnes(cap)}.`,
    );
  }
  const cap100 = find("capacity", GOGC100_TOOL);
  const holdFloor = find("hold", "raw-k6-websockets");
  if (cap100) {
    lines.push(
      `Memory: ${fmt(cap100.connected)} held connections took ${fmt(cap100.rss_per_connection_kib * 1.024, 1)} KB each with GOGC=100` +
        (cap ? ` and ${fmt(cap.rss_per_connection_kib * 1.024, 1)} KB with GOGC=${cap.gc?.GOGC}` : "") +
        (holdFloor ? `; the raw k6/websockets echo held its ${fmt(holdFloor.connected)} at ${fmt(holdFloor.rss_per_connection_kib * 1.024, 1)} KB each (GOGC=${holdFloor.gc?.GOGC}): k6's own WebSocket, its buffers and goroutines, before any Socket.IO object` : "") +
        ".",
    );
  }
  const split = results.find((r) => r.workload === "capacity-split");
  if (split && (!split.ok || split.server_connected_at_end !== split.connections || split.heartbeat_losses)) {
    lines.push(`Split capacity: ${split.errors.length ? `${split.errors.join("; ")}; ` : ""}${fmt(split.connected)} of ${fmt(split.connections)} connected, ${fmt(split.server_connected_at_end)} on the servers at the end${lostOnes(split)}; both k6 used ${fmt(split.cpu_util * 100, 0)}% of a core at load average ${split.load_avg?.join(" / ") ?? "unknown"}.`);
  }
  return lines;
}
