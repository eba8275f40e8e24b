// A deliberately starved generator for test/integration/stalls.test.ts: one VU opens sockets
// against a reference server with short heartbeats, asks for acks, then busy-loops its own
// JavaScript thread for BUSY_MS, longer than the server's pingInterval + pingTimeout. Every
// socket is lost meanwhile; the library must blame the generator ("generator overloaded"),
// not the server. -e CLIENT=websockets (io(), k6/websockets) or ws (connect(), k6/ws).
import { check } from "k6";
import { connect, io } from "k6-socketio";
import { pause } from "../../src/kit/flow";

const url = __ENV.TARGET_URL!;
const BUSY_MS = Number(__ENV.BUSY_MS ?? "3000");
const SOCKETS = 3;

export const options = {
  vus: 1,
  iterations: 1,
  // Listed so that the summary export carries these submetrics; they cannot fail.
  thresholds: {
    "socketio_disconnects{reason:generator overloaded}": ["count>=0"],
    "socketio_ack_timeouts{reason:generator overloaded}": ["count>=0"],
    socketio_ack_timeouts: ["count>=0"],
    socketio_generator_lag: ["max>=0"],
  },
};

/** Starves the VU: nothing else of it runs meanwhile, not even its timers. */
function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spin
  }
}

export default async function (): Promise<void> {
  if (__ENV.CLIENT === "ws") return wsClient();
  const sockets = await Promise.all(Array.from({ length: SOCKETS }, () => io(url, { ackTimeout: 1_000 })));
  check(sockets, { "every socket connected": (s) => s.every((x) => x.connected) });
  await pause(600); // a probe tick or two before the starvation
  for (const s of sockets) void s.request("echo", "during the starvation");
  busy(BUSY_MS);
  const results = await Promise.all(sockets.map((s) => s.closed));
  const reasons = results.map((r) => r.disconnectReason);
  console.log(`starved: disconnect reasons ${JSON.stringify(reasons)}`);
  check(reasons, { "every socket lost to the generator's overload": (r) => r.every((x) => x === "generator overloaded") });
}

function wsClient(): void {
  const result = connect(url, { ackTimeout: 1_000 }, (socket) => {
    socket.on("connect", () => {
      socket.setTimeout(() => {
        socket.request("echo", ["during the starvation"], () => undefined);
        busy(BUSY_MS);
      }, 600);
    });
  });
  console.log(`starved: disconnect reasons ${JSON.stringify([result.disconnectReason])}`);
  check(result, { "the socket was lost to the generator's overload": (r) => r.disconnectReason === "generator overloaded" });
}
