// The library's per-message path inside k6's JS runtime, with no network: an emit with an ack
// and its reply, and a received broadcast, each N times through the real Connection and
// EngineConnection. Prints operations per second with the library's k6 metrics on and off, so
// a change to the hot path is measured where it runs (sobek interprets; Node's JIT hides costs).
//   run by `npm run bench` (bench/lib/k6-tools.mjs), or bundle it and `k6 run` it yourself
import { k6Metrics } from "../../src/socketio/k6/k6-metrics";
import type { SocketMetrics } from "../../src/socketio/protocol/metrics";
import { rig, silentMetrics } from "./rig";

export const options = { vus: 1, iterations: 1, summaryTrendStats: ["count"] };
const N = Number(__ENV.HOT_PATH_N ?? "20000");

function ackLoop(metrics: SocketMetrics): number {
  const { socket, engine, sent } = rig(metrics);
  let acked = 0;
  const t0 = Date.now();
  for (let i = 0; i < N; i++) {
    socket.request("echo", [i], (o) => {
      if (o.ok) acked++;
    });
    const id = sent.last.slice(2, sent.last.indexOf("[")); // 42<id>["echo",i]
    engine.receiveText(`43${id}[${i}]`);
  }
  if (acked !== N) throw new Error(`hot path: ${acked} of ${N} acks settled`);
  return Date.now() - t0;
}

function fanoutLoop(metrics: SocketMetrics): number {
  const { socket, engine } = rig(metrics);
  let received = 0;
  socket.on("broadcast", () => received++);
  const frame = '42["broadcast",{"n":1,"sent_at":1700000000000}]';
  const t0 = Date.now();
  for (let i = 0; i < N; i++) engine.receiveText(frame);
  if (received !== N) throw new Error(`hot path: ${received} of ${N} broadcasts delivered`);
  return Date.now() - t0;
}

export default function (): void {
  const rows: string[] = [];
  for (const [name, metrics] of [["no metrics", silentMetrics], ["k6 metrics", k6Metrics]] as const) {
    const ack = ackLoop(metrics);
    const fan = fanoutLoop(metrics);
    rows.push(`${name.padEnd(11)} ack round trip ${((N / ack) * 1000).toFixed(0).padStart(7)}/s (${((ack * 1000) / N).toFixed(1)} µs)   broadcast ${((N / fan) * 1000).toFixed(0).padStart(7)}/s (${((fan * 1000) / N).toFixed(1)} µs)`);
  }
  console.log(`hot path, ${N} operations each, one VU:\n${rows.join("\n")}`);
}
