// A plain k6 script in JavaScript next to the single-file build (and the kit, which imports
// ./k6-socketio.js beside it): `k6 run my-test.js`. connect() runs over k6/ws and blocks the VU
// until the session ends.
import { check } from "k6";
import { connect } from "./k6-socketio.js";
import { buildThresholds, EnvReader } from "./k6-socketio-kit.js";

const env = new EnvReader(__ENV);
const url = env.string("TARGET_URL", "http://127.0.0.1:3000");

export const options = {
  vus: 1,
  iterations: 3,
  thresholds: buildThresholds({ checks: ["rate==1"], socketio_connect_success: ["rate==1"], "socketio_ack_duration{event:echo}": ["p(95)<${ms}"] }, { ms: 1000 }, env.json("THRESHOLDS")),
};

export default function () {
  const result = connect(url, (socket) => {
    socket.on("connect", () => {
      socket.request("echo", [{ from: "my-test.js" }], (ack) => {
        check(ack, { "echo acked with what was sent": (a) => a.ok && a.data.from === "my-test.js" });
        socket.disconnect();
      }, { timeout: 5000 });
    });
  });
  check(result, { connected: (r) => r.connected });
}
