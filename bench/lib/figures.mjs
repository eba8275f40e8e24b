// The figures derived from benchmark rows, shared by the tables and the targets: CPU per item,
// each k6-socketio row's distance to its own transport's floor, whether a row was starved of
// CPU (and so is invalid), and the heartbeat cost from a run with pings and one without.

/** The row ratios and summaries are taken against: the transport used at scale. */
export const REFERENCE_TOOL = "k6-socketio-websockets";

/** Each k6-socketio row's floor: the raw echo with hand-written frames over the same k6 module. */
/** The k6-socketio k6/websockets row with Go's default GC beside the project's GOGC=400. */
export const GOGC100_TOOL = "k6-socketio-websockets-gogc100";

export const FLOORS = {
  "k6-socketio-ws": "raw-k6",
  "k6-socketio-websockets": "raw-k6-websockets",
  "k6-socketio-websockets-gogc100": "raw-k6-websockets",
};

/** A tool with less of its core than this in a saturated workload was starved by something else. */
export const STARVED_BELOW = 0.9;
/**
 * Fan-out saturates a tool only when it fell behind: it then delivered less than this. Not 100%:
 * messages in flight at the window's two edges move a tool that kept up by a percent or two.
 */
const KEPT_UP = 0.95;

export const fmt = (x, digits = 0) => (x === null || x === undefined || Number.isNaN(x) ? "–" : Number(x).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** Items per CPU-second of a row: acked emits (ack, latency) or received broadcasts (fanout). */
export function perCpuS(row) {
  return row.acks_per_cpu_s ?? row.messages_per_cpu_s ?? null;
}

/** µs of generator CPU per item (acked emit, received broadcast, or answered ping). */
export function usPerItem(row) {
  if (row.us_per_ping !== undefined) return row.us_per_ping;
  const n = perCpuS(row);
  return n ? 1e6 / n : null;
}

/**
 * Why a row's figure is invalid because the tool did not get its core, or null. In a closed-loop
 * ack run a tool should use all of its core; in fan-out only a tool that fell behind should. A
 * run split over instances is judged by the mean share per instance.
 */
export function starvation(row) {
  if (!row.ok || row.cpu_util === null || row.cpu_util === undefined) return null;
  const saturated = row.workload === "ack" || (row.workload === "fanout" && row.delivery !== null && row.delivery < KEPT_UP);
  const share = row.cpu_util / (row.instances ?? 1);
  if (!saturated || share >= STARVED_BELOW) return null;
  const load = row.load_avg ? `, load average ${row.load_avg[0]}` : "";
  const server = row.server_cpu_util !== null && row.server_cpu_util !== undefined ? `, server ${fmt(row.server_cpu_util * 100, 0)}%` : "";
  return `starved: invalid (${fmt(share * 100, 0)}% of its core${row.workload === "fanout" ? ` while ${fmt(row.delivery * 100, 1)}% delivered` : ""}${server}${load})`;
}

/** A row whose figures can be compared: it ran to the end and was not starved. */
export const valid = (row) => Boolean(row?.ok) && starvation(row) === null;

/** The floor row for a k6-socketio row in the same workload, if any. */
export function floorOf(row, results) {
  const id = FLOORS[row.tool_id];
  return id ? results.find((r) => r.workload === row.workload && r.tool_id === id) : undefined;
}

/**
 * A k6-socketio row's items per CPU-second as a multiple of its own transport's raw floor in the
 * same run (`key`: acks_per_cpu_s or messages_per_cpu_s); null unless both rows are valid.
 */
export function floorRatio(row, results, key) {
  const floor = floorOf(row, results);
  if (!floor || !valid(row) || !valid(floor) || !row[key] || !floor[key]) return null;
  return row[key] / floor[key];
}

/**
 * µs per item above the row's own transport's floor, or null when either is not valid (with
 * `evenStarved`, when either failed: the tables show the figure beside the row's status).
 */
export function usAboveFloor(row, results, { evenStarved = false } = {}) {
  const floor = floorOf(row, results);
  const usable = evenStarved ? (r) => Boolean(r?.ok) : valid;
  if (!floor || !usable(row) || !usable(floor)) return null;
  const ours = usPerItem(row);
  const base = usPerItem(floor);
  return ours !== null && base !== null ? ours - base : null;
}

/**
 * The cost of a heartbeat: the same connections held twice, with the server pinging every
 * `intervalMs` and with pings too rare to happen in the window (the idle baseline). The CPU
 * difference over the window, divided by the pings answered in it (every connection once per
 * interval), is the generator's CPU per ping: receiving "2", answering "3", re-arming the
 * liveness deadline, and whatever garbage that leaves.
 */
export function heartbeatRow(idle, pinged, intervalMs) {
  const errors = [...idle.errors.map((e) => `baseline: ${e}`), ...pinged.errors.map((e) => `with pings: ${e}`)];
  const pings = (pinged.connected * pinged.window_s * 1000) / intervalMs;
  const idleCpuS = idle.window_s ? (idle.cpu_window_s * pinged.window_s) / idle.window_s : null;
  const ok = idle.ok && pinged.ok && idle.connected === pinged.connected;
  if (idle.ok && pinged.ok && idle.connected !== pinged.connected) errors.push(`held ${pinged.connected} with pings but ${idle.connected} without`);
  return {
    ...pinged,
    phase: undefined,
    ok,
    errors,
    ping_interval_ms: intervalMs,
    pings_per_s: Math.round(pings / pinged.window_s),
    idle_cpu_util: idle.cpu_util,
    idle_load_avg: idle.load_avg,
    us_per_ping: ok && pings > 0 && idleCpuS !== null ? Math.round(((pinged.cpu_window_s - idleCpuS) * 1e6) / pings) : null,
    phases: { idle, pinged },
  };
}

/** The GC settings of a k6 row, for a table cell. */
export function gcCell(row) {
  return row.gc ? `GOGC=${row.gc.GOGC}${row.gc.GOMEMLIMIT !== "off" ? `, ${row.gc.GOMEMLIMIT}` : ""}` : "–";
}
