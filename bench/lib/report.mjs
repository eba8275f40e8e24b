// Turns benchmark rows into tables (console and Markdown), one per workload: each row with its
// CPU per item, its distance to its own transport's floor, its GC settings, the machine's load
// average, and a status that says when the row is invalid (failed, or starved of CPU).
import { floorOf, floorRatio, fmt, gcCell, REFERENCE_TOOL, starvation, usAboveFloor, usPerItem, valid } from "./figures.mjs";

export { REFERENCE_TOOL } from "./figures.mjs";

const ratio = (x, ref) => (x && ref ? `${(x / ref).toFixed(2)}×` : "–");
const held = (r) => `${fmt(r.connected)}/${fmt(r.connections)}`;
const cpu = ["CPU % of a core", (r) => fmt(r.cpu_util * 100, 1)];
const rss = ["peak RSS MiB", (r) => fmt(r.peak_rss_mib, 1)];
/** A k6-socketio row's figure over its transport's raw floor in the same run ("–" for the others, or when either row is invalid). */
const timesFloor = (key) => ["× floor", (r, rows) => (floorOf(r, rows) ? ratio(floorRatio(r, rows, key), 1) : "–")];

/** Columns per workload: [header, value(row, rows), the figure ratios are taken of]. */
const COLUMNS = {
  hold: [
    ["held", held],
    ["connect p95 ms", (r) => fmt(r.connect_p95_ms, 1)],
    ["heartbeat losses", (r) => fmt(r.heartbeat_losses)],
    ["lost (client)", (r) => fmt(r.client_disconnects)],
    cpu,
    rss,
    ["KiB per conn.", (r) => fmt(r.rss_per_connection_kib, 1), "rss_per_connection_kib"],
  ],
  heartbeat: [
    ["held", held],
    ["pings/s", (r) => fmt(r.pings_per_s)],
    ["CPU % with pings", (r) => fmt(r.cpu_util * 100, 1)],
    ["CPU % without", (r) => fmt(r.idle_cpu_util * 100, 1)],
    ["µs per ping", (r) => fmt(r.us_per_ping), "us_per_ping"],
    ["µs above floor", (r, rows) => fmt(usAboveFloor(r, rows))],
    ["heartbeat losses", (r) => fmt(r.heartbeat_losses)],
  ],
  ack: [
    ["conns", (r) => fmt(r.connected)],
    ["acks/s", (r) => fmt(r.acks_per_s)],
    ["acks per CPU-s", (r) => fmt(r.acks_per_cpu_s), "acks_per_cpu_s"],
    ["µs per ack", (r) => fmt(usPerItem(r))],
    ["µs above floor", (r, rows) => fmt(usAboveFloor(r, rows, { evenStarved: true }))],
    timesFloor("acks_per_cpu_s"),
    ["mean ms", (r) => fmt(r.ack_avg_ms, 2)],
    ["p50 ms", (r) => fmt(r.ack_p50_ms, 1)],
    ["p95 ms", (r) => fmt(r.ack_p95_ms, 1)],
    ["p99 ms", (r) => fmt(r.ack_p99_ms, 1)],
    cpu,
    ["server CPU %", (r) => fmt(r.server_cpu_util * 100, 0)],
    rss,
  ],
  fanout: [
    ["conns", (r) => fmt(r.connected)],
    ["msgs/s", (r) => fmt(r.messages_per_s)],
    ["delivered", (r) => (r.delivery === null ? "–" : `${fmt(r.delivery * 100, 1)}%`)],
    ["msgs per CPU-s", (r) => fmt(r.messages_per_cpu_s), "messages_per_cpu_s"],
    ["µs per msg", (r) => fmt(usPerItem(r))],
    ["µs above floor", (r, rows) => fmt(usAboveFloor(r, rows, { evenStarved: true }))],
    timesFloor("messages_per_cpu_s"),
    ["latency p50 ms", (r) => fmt(r.fanout_p50_ms, 1)],
    ["p95 ms", (r) => fmt(r.fanout_p95_ms, 1)],
    cpu,
    rss,
  ],
};
COLUMNS.capacity = COLUMNS.hold;
COLUMNS["capacity-split"] = [["k6 × servers", (r) => `${r.instances} × ${r.servers}`], ...COLUMNS.hold];
COLUMNS.latency = COLUMNS.ack;

/** ok, "starved: invalid (…)" or "FAILED: …". */
export function status(r) {
  if (!r.ok) return `FAILED: ${r.errors.join("; ") || "no connections"}`;
  return starvation(r) ?? "ok";
}

const loadCell = (r) => (r.load_avg ? fmt(r.load_avg[0], 2) : "–");

/** Table rows (arrays of cells) for one workload, with the ratio, GC, load and status columns. */
export function workloadTable(workload, rows) {
  const columns = COLUMNS[workload];
  const key = columns.find((c) => c[2])?.[2];
  const ref = rows.find((r) => r.tool_id === REFERENCE_TOOL && valid(r))?.[key];
  const header = ["tool", ...columns.map((c) => c[0]), ...(key ? ["× k6-socketio"] : []), "GC", "load 1 min", "status"];
  const body = rows.map((r) => [
    `${r.tool}${r.version ? ` ${r.version}` : ""}`,
    ...columns.map((c) => (r.connected || r.ok ? c[1](r, rows) : "–")),
    ...(key ? [valid(r) ? ratio(r[key], ref) : "–"] : []),
    gcCell(r),
    loadCell(r),
    status(r),
  ]);
  return { header, body };
}

export function consoleTable({ header, body }) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

export function markdownTable({ header, body }) {
  const esc = (c) => String(c).replace(/\|/g, "\\|");
  return [`| ${header.map(esc).join(" | ")} |`, `|${header.map((_, i) => (i === 0 || i === header.length - 1 ? "---" : "---:")).join("|")}|`, ...body.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}

/** One line per tool across workloads: the summary at the top of docs/benchmarks.md's report. */
export function summaryTable(results) {
  const tools = [...new Map(results.map((r) => [r.tool_id, r.tool])).entries()];
  const capacity = results.find((r) => r.workload === "capacity");
  const cell = (workload, id, pick) => {
    const r = results.find((x) => x.workload === workload && x.tool_id === id);
    if (!r) return "–";
    if (!r.ok) return "failed";
    return starvation(r) ? `${pick(r)} (starved: invalid)` : pick(r);
  };
  const header = [
    "tool",
    "memory per connection (hold)",
    "acked emits per CPU-second",
    "broadcasts received per CPU-second",
    "µs of CPU per heartbeat",
    `${capacity ? fmt(capacity.connections) : "–"} held for ${capacity ? fmt(capacity.window_s) : "–"} s (one k6, k6/websockets)`,
  ];
  const body = tools.map(([id, name]) => [
    name,
    cell("hold", id, (r) => `${fmt(r.rss_per_connection_kib)} KiB`),
    cell("ack", id, (r) => fmt(r.acks_per_cpu_s)),
    cell("fanout", id, (r) => `${fmt(r.messages_per_cpu_s)}${r.delivery !== null && r.delivery < 0.99 ? ` (${fmt(r.delivery * 100, 0)}% delivered)` : ""}`),
    cell("heartbeat", id, (r) => fmt(r.us_per_ping)),
    cell("capacity", id, (r) => (r.heartbeat_losses === 0 && r.server_connected_at_end === r.connections ? `yes: ${fmt(r.rss_per_connection_kib)} KiB each, ${fmt(r.cpu_util * 100, 0)}% of a core` : `no: ${fmt(r.server_connected_at_end)} held`)),
  ]);
  return markdownTable({ header, body });
}
