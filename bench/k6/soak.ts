// Soak: a fixed set of sockets held for minutes with an echo a second and forced reconnects,
// so that whatever the library keeps per ack, per event or per reconnect shows up as memory
// growth (bench/soak.mjs samples k6's RSS). One VU per SOCKETS_PER_VU sockets, over
// k6/websockets (io()) or k6/ws (connect) with -e API=ws.
import exec from "k6/execution";
import { Counter } from "k6/metrics";
import { connect, io, type CallbackSocket, type Socket } from "k6-socketio";

const url = __ENV.SOAK_URL ?? "";
const sockets = Number(__ENV.SOAK_SOCKETS ?? "200");
const perVu = Number(__ENV.SOCKETS_PER_VU ?? "50");
const endAt = Number(__ENV.SOAK_END_AT ?? "0");
const dropEveryMs = Number(__ENV.SOAK_DROP_EVERY_MS ?? "20000");
const api = __ENV.API === "ws" ? "ws" : "io";

/** Checked here, not at init: handleSummary's init runs after endAt. */
export function setup(): void {
  if (!url || !(endAt > Date.now())) throw new Error("soak: run it through `npm run soak` (bench/soak.mjs)");
}

const vus = api === "ws" ? sockets : Math.ceil(sockets / perVu);
export const options = {
  scenarios: { soak: { executor: "per-vu-iterations", vus, iterations: 1, maxDuration: `${Math.max(1, Math.ceil((endAt - Date.now()) / 1000)) + 60}s` } },
  systemTags: ["status", "name", "scenario", "error"],
  summaryTrendStats: ["count", "p(95)"],
};

const acks = new Counter("soak_acks");
const ackFailures = new Counter("soak_ack_failures");
const reconnects = new Counter("soak_forced_drops");
const reconnect = { attempts: 1_000_000, delayMs: 200, maxDelayMs: 2_000, jitter: 0.5 };
/** When a socket next asks the server to drop its transport: 0.5 to 1.5 periods away, never with a period of 0. */
const nextDropTime = (): number => (dropEveryMs > 0 ? Date.now() + dropEveryMs * (0.5 + Math.random()) : Infinity);

async function ioSocket(): Promise<void> {
  const socket: Socket = await io(url, { transport: "websocket", reconnect, ackTimeout: 5_000, connectTimeout: 10_000 });
  let nextDrop = nextDropTime();
  while (Date.now() < endAt) {
    await new Promise<void>((resolve) => setTimeout(resolve, 1_000));
    if (!socket.connected) continue;
    if (Date.now() >= nextDrop) {
      nextDrop = nextDropTime();
      reconnects.add(1);
      socket.emit("drop_me");
      continue;
    }
    const r = await socket.request("echo", { at: Date.now(), pad: "x".repeat(64) });
    if (r.ok) acks.add(1);
    else ackFailures.add(1);
  }
  socket.disconnect();
}

function wsSocket(): void {
  connect(url, { transport: "websocket", reconnect, ackTimeout: 5_000, connectTimeout: 10_000, sessionTimeout: endAt - Date.now() }, (socket: CallbackSocket) => {
    let nextDrop = nextDropTime();
    const tick = (): void => {
      if (Date.now() >= endAt) return socket.disconnect();
      if (!socket.connected) return; // the chain ends with its transport; "connect" starts the next
      socket.setTimeout(tick, 1_000);
      if (Date.now() >= nextDrop) {
        nextDrop = nextDropTime();
        reconnects.add(1);
        socket.emit("drop_me");
        return;
      }
      socket.request("echo", [{ at: Date.now(), pad: "x".repeat(64) }], (r) => (r.ok ? acks : ackFailures).add(1));
    };
    // Over k6/ws a timer lives on its WebSocket: a reconnect opens a new one, so each connect re-arms.
    socket.on("connect", () => socket.setTimeout(tick, 1_000));
  });
}

export function handleSummary(data: { metrics: Record<string, { values: Record<string, number> } | undefined> }): Record<string, string> {
  const count = (name: string): number => data.metrics[name]?.values.count ?? 0;
  const counts = Object.fromEntries(["soak_acks", "soak_ack_failures", "soak_forced_drops", "socketio_reconnects", "socketio_reconnect_failures", "socketio_connect_errors"].map((n) => [n, count(n)]));
  return { [__ENV.SOAK_OUT ?? "soak-counts.json"]: JSON.stringify(counts) };
}

export default async function (): Promise<void> {
  if (api === "ws") return wsSocket();
  const first = (exec.vu.idInTest - 1) * perVu;
  const count = Math.max(0, Math.min(perVu, sockets - first));
  await Promise.all(Array.from({ length: count }, () => ioSocket()));
}
