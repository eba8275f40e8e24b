import { sleep } from "k6";
import { k6Metrics } from "../../../src/socketio/k6/k6-metrics";
import { rig } from "../rig";
import { Connection } from "../../../src/socketio/protocol/connection";
import { EngineConnection } from "../../../src/socketio/protocol/engine";
import { TextEventReader } from "../../../src/socketio/protocol/codec";
const OPEN = '0{"sid":"S1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';
const scheduler = { now: () => Date.now(), after: () => undefined };
const sink = { sendText: () => undefined, sendBinary: () => undefined, close: () => undefined };
function stage(n: number): unknown {
  const connection = new Connection({ scheduler, metrics: k6Metrics, defaultAckTimeout: 5000, startedAt: Date.now(), log: () => undefined });
  if (n === 1) return connection;
  const socket = connection.socket("/");
  if (n === 2) return connection;
  const engine = new EngineConnection(sink, scheduler, connection, { openTimeout: 5000 });
  connection.attach(engine);
  if (n === 3) return engine;
  engine.start();
  engine.receiveText(OPEN);
  if (n === 4) return engine;
  engine.receiveText('40{"sid":"N1"}');
  return socket;
}
const N = Number(__ENV.N ?? "0");
const WHAT = __ENV.WHAT ?? "rig";
export const options = { vus: 1, iterations: 1 };
const keep: unknown[] = [];
export default function (): void {
  for (let i = 0; i < N; i++) {
    if (WHAT === "rig") keep.push(rig(k6Metrics));
    else if (WHAT.startsWith("stage")) keep.push(stage(Number(WHAT.slice(5))));
    else if (WHAT === "reader") keep.push(new TextEventReader());
    else if (WHAT === "arrow") keep.push(() => i);
    else if (WHAT === "obj4") keep.push({ a: i, b: i, c: i, d: i });
    else if (WHAT === "obj20") keep.push({ a: i, b: i, c: i, d: i, e: i, f: i, g: i, h: i, i: i, j: i, k: i, l: i, m: i, n: i, o: i, p: i, q: i, r: i, s: i, t: i });
    else if (WHAT === "map") keep.push(new Map());
    else if (WHAT === "arr") keep.push([]);
  }
  console.log("READY");
  sleep(4);
}
