// k6-socketio under the benchmark contract (bench/README.md), through the public library API
// as a scenario would use it. -e SOCKETS_PER_VU=1: one connection per VU over k6/ws (connect);
// SOCKETS_PER_VU>1: that many connections per VU over k6/websockets (connectAsync).
import { sleep } from "k6";
import exec from "k6/execution";
import { connect, connectAsync, type CallbackSocket } from "k6-socketio";
import { ackMs, bench, benchOptions, benchSummary, connectMs, failures, fanoutMs, firstEmitDelay, inWindow, losses, nextEmitPause, rampOffset } from "./contract";

const perVu = Math.max(1, Number(__ENV.SOCKETS_PER_VU ?? "1"));
export const options = benchOptions(perVu);
const connectOptions = { transport: "websocket" as const, connectTimeout: 10_000, ackTimeout: 5_000 };

function player(startedAt: () => number) {
  return (socket: CallbackSocket): void => {
    let closing = false;
    socket.on("connect", () => {
      connectMs.add(Date.now() - startedAt());
      // Everything ends at the window's end; before then a disconnect is a loss.
      socket.setTimeout(() => {
        closing = true;
        socket.disconnect();
      }, Math.max(1, bench.endAt - Date.now()));
      if (bench.workload === "ack") socket.setTimeout(() => loop(socket, 0), firstEmitDelay());
      if (bench.workload === "fanout") {
        socket.on("broadcast", (msg: { sent_at: number }) => {
          const now = Date.now();
          if (inWindow(now)) fanoutMs.add(now - msg.sent_at);
        });
      }
    });
    socket.on("disconnect", () => {
      if (!closing) losses.add(1);
    });
  };
}

function loop(socket: CallbackSocket, seq: number): void {
  if (Date.now() >= bench.endAt || !socket.connected) return;
  socket.request("echo", [seq], (ack) => {
    if (ack.ok && inWindow(Date.now())) ackMs.add(ack.elapsedMs);
    if (bench.ackIntervalMs > 0) socket.setTimeout(() => loop(socket, seq + 1), nextEmitPause());
    else loop(socket, seq + 1);
  });
}

export default async function (): Promise<void> {
  const first = (exec.vu.idInTest - 1) * perVu;
  const launch = exec.scenario.startTime;
  if (perVu === 1) {
    sleep(Math.max(0, launch + rampOffset(first) - Date.now()) / 1000);
    const t0 = Date.now();
    const r = connect(bench.url, connectOptions, player(() => t0));
    if (!r.connected) failures.add(1);
    return;
  }
  const count = Math.min(perVu, bench.connections - first);
  await Promise.all(
    Array.from({ length: count }, async (_, slot) => {
      await new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, launch + rampOffset(first + slot) - Date.now())));
      const t0 = Date.now();
      const r = await connectAsync(bench.url, connectOptions, player(() => t0));
      if (!r.connected) failures.add(1);
    }),
  );
}

export const handleSummary = benchSummary(perVu === 1 ? "k6-socketio (k6/ws)" : "k6-socketio (k6/websockets)", __ENV.K6_VERSION ?? "");
