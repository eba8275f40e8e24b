// A plain k6 script in TypeScript next to the single-file build: `k6 run my-test.ts`, no build
// step (k6 strips the types itself). k6-socketio.d.ts beside it gives editors and tsc the types.
import { check } from "k6";
import { io, type Socket } from "./k6-socketio.js";

const url = __ENV.TARGET_URL ?? "http://127.0.0.1:3000";

export const options = {
  vus: 1,
  iterations: 3,
  thresholds: { checks: ["rate==1"], socketio_connect_success: ["rate==1"], socketio_ack_timeouts: ["count==0"] },
};

export default async function (): Promise<void> {
  const socket: Socket = await io(url, { transport: "websocket" });
  check(socket, { connected: (s) => s.connected });
  // As with socket.io-client: resolves the ack's first argument, rejects on timeout.
  const reply: unknown = await socket.timeout(5000).emitWithAck("echo", "from my-test.ts", 42);
  check(reply, { "echo acked with what was sent": (r) => r === "from my-test.ts" });
  socket.disconnect();
}
