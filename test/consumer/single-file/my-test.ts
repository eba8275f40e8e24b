// A plain k6 script in TypeScript next to the single-file build: `k6 run my-test.ts`, no build
// step (k6 strips the types itself). k6-socketio.d.ts beside it gives editors and tsc the types.
import { check } from "k6";
import { connectAsync, type Outcome, type SessionResult } from "./k6-socketio.js";

const url = __ENV.TARGET_URL ?? "http://127.0.0.1:3000";

export const options = {
  vus: 1,
  iterations: 3,
  thresholds: { checks: ["rate==1"], socketio_connect_success: ["rate==1"], socketio_ack_timeouts: ["count==0"] },
};

export default async function (): Promise<void> {
  const result: SessionResult = await connectAsync(url, { transport: "websocket" }, (socket) => {
    socket.on("connect", () => {
      socket.emitWithAck("echo", ["from my-test.ts", 42], (ack: Outcome) => {
        check(ack, { "echo acked with what was sent": (a) => a.ok && a.args[0] === "from my-test.ts" && a.args[1] === 42 });
        socket.disconnect();
      }, { timeout: 5000 });
    });
  });
  check(result, { connected: (r) => r.connected });
}
