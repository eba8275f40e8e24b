// Where an ack round trip's time goes, one part at a time, inside k6's interpreter with no
// network (bench/breakdown.mjs runs each part in a process of its own, several times, and prints
// medians). PART names what the loop does per operation:
//   floor          what a raw k6 script does per ack: build the emit string, JSON.parse the reply
//   encode         the library's emit string (encodeTextEvent)
//   decode         the library's ack reader (TextEventReader.read)
//   registry       an ack id registered and settled (AckRegistry)
//   sample         one k6 Trend sample with a reused tag object (the ack's latency)
//   clock          one Date.now()
//   send-silent    socket.request() alone, down to the frame handed to the sink, metrics off
//   reply-silent   the ack frames alone, from Engine.receiveText() to the callback, metrics off
//   path-silent    the whole ack round trip through Connection and Engine, metrics off
//   path-k6        the same with the library's k6 metrics
//   fanout-silent  a broadcast received and dispatched to a listener, metrics off
//   fanout-k6      the same with the library's k6 metrics
import { Trend } from "k6/metrics";
import { AckRegistry } from "../../src/socketio/protocol/ack-registry";
import { encodeTextEvent, TextEventReader } from "../../src/socketio/protocol/codec";
import { k6Metrics } from "../../src/socketio/k6/k6-metrics";
import type { SocketMetrics } from "../../src/socketio/protocol/metrics";
import { rig, silentMetrics } from "./rig";

export const options = { vus: 1, iterations: 1, summaryTrendStats: ["count"] };
const N = Number(__ENV.N ?? "20000");
const PART = __ENV.PART ?? "path-k6";
const noop = (): void => undefined;
const silent = silentMetrics;
const trend = new Trend("breakdown_sample", true);

const parts: Record<string, () => void> = {
  floor: () => {
    let n = 0;
    for (let i = 0; i < N; i++) {
      const frame = `42${i}["echo",${i}]`;
      const reply = JSON.parse(`[${i}]`) as number[];
      n += frame.length + reply.length;
    }
    if (n < 0) throw new Error("unreachable");
  },
  encode: () => {
    for (let i = 0; i < N; i++) encodeTextEvent("4", "/", "echo", [i], i);
  },
  decode: () => {
    const reader = new TextEventReader();
    for (let i = 0; i < N; i++) reader.read(`43${i}[${i}]`, 1);
  },
  registry: () => {
    const registry = new AckRegistry<() => void>(() => undefined);
    for (let i = 0; i < N; i++) registry.settle(registry.register("echo", 0, 5000, noop), [i], 1);
  },
  sample: () => {
    const tags = { type: "ack", event: "echo" };
    for (let i = 0; i < N; i++) trend.add(i, tags);
  },
  clock: () => {
    let t = 0;
    for (let i = 0; i < N; i++) t += Date.now();
    if (t < 0) throw new Error("unreachable");
  },
  "send-silent": () => {
    const { socket } = rig(silent);
    for (let i = 0; i < N; i++) socket.request("echo", [i], noop);
  },
  "reply-silent": () => {
    const { socket, engine, sent } = rig(silent);
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      socket.request("echo", [i], noop);
      ids.push(sent.last.slice(2, sent.last.indexOf("[")));
    }
    const frames = ids.map((id, i) => `43${id}[${i}]`);
    const t0 = Date.now();
    for (let i = 0; i < N; i++) engine.receiveText(frames[i]!);
    replyMs = Date.now() - t0;
  },
  "path-silent": () => ackPath(silent),
  "path-k6": () => ackPath(k6Metrics),
  "fanout-silent": () => fanout(silent),
  "fanout-k6": () => fanout(k6Metrics),
};

function ackPath(metrics: SocketMetrics): void {
  const { socket, engine, sent } = rig(metrics);
  let acked = 0;
  for (let i = 0; i < N; i++) {
    socket.request("echo", [i], () => void acked++);
    engine.receiveText(`43${sent.last.slice(2, sent.last.indexOf("["))}[${i}]`);
  }
  if (acked !== N) throw new Error(`${acked} of ${N} acks settled`);
}

function fanout(metrics: SocketMetrics): void {
  const { socket, engine } = rig(metrics);
  let received = 0;
  socket.on("broadcast", () => void received++);
  const frame = '42["broadcast",{"n":1,"sent_at":1700000000000}]';
  for (let i = 0; i < N; i++) engine.receiveText(frame);
  if (received !== N) throw new Error(`${received} of ${N} delivered`);
}

/** reply-silent times only its receiving half (the requests that make the ids are set up untimed). */
let replyMs: number | undefined;

export default function (): void {
  const run = parts[PART];
  if (!run) throw new Error(`PART=${PART}: one of ${Object.keys(parts).join(", ")}`);
  run(); // warm-up: the interpreter's caches, the first series
  const t0 = Date.now();
  run();
  const ms = replyMs ?? Date.now() - t0;
  console.log(`BREAKDOWN ${PART} ${((ms * 1000) / N).toFixed(2)}`);
}
