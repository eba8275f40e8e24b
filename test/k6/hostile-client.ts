// k6 fixture for the hostile-server test (bundled by the test, not shipped in dist/): one
// session per mode, each bounded; the outcome of each is a check and a tagged counter.
import { check } from "k6";
import { Counter } from "k6/metrics";
import { connect } from "k6-socketio";
import { prepareRun } from "../../src/kit/scenario-options";

const modes = (__ENV.MODES ?? "ok").split(",");
const reasons = ["engine_frame", "socket_packet", "attachments", "unknown_ack", "max_payload", "frame_too_large"];
export const options = {
  scenarios: { hostile: { executor: "shared-iterations", vus: 1, iterations: 1, maxDuration: "60s" } },
  // Thresholds that always hold: they make k6 report each counter per tag in the summary.
  thresholds: {
    ...Object.fromEntries(reasons.map((r) => [`socketio_decode_errors{reason:${r}}`, ["count>=0"]])),
    ...Object.fromEntries(modes.map((m) => [`hostile_outcome{mode:${m}}`, ["count>=0"]])),
    "socketio_connect_errors{reason:transport close}": ["count>=0"],
    "socketio_disconnects{reason:ping timeout}": ["count>=0"],
  },
};

const outcome = new Counter("hostile_outcome");

export function setup(): void {
  prepareRun();
}

export default function (): void {
  for (const mode of modes) {
    let survived = false;
    const started = Date.now();
    const result = connect(__ENV.TARGET_URL!, { query: { mode }, connectTimeout: 3_000, sessionTimeout: 5_000 }, (socket) => {
      socket.on("ok", () => {
        survived = true;
        socket.disconnect();
      });
    });
    const kind = survived ? "survived" : result.connectError ? `connect_error:${result.connectError.reason}` : `ended:${result.disconnectReason}`;
    outcome.add(1, { mode, kind });
    check(result, { [`${mode}: the session ended by itself within its bounds`]: () => Date.now() - started < 6_000 });
    console.log(`hostile ${mode}: ${kind} in ${Date.now() - started} ms`);
  }
}
