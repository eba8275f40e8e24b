// k6-socketio under the benchmark contract (bench/README.md), through the public library API
// as a scenario would use it. -e SOCKETS_PER_VU=1: one connection per VU over k6/ws (connect);
// SOCKETS_PER_VU>1: that many connections per VU over k6/websockets (connectAsync).
import { sleep } from "k6";
import exec from "k6/execution";
import { connect, connectAsync, type CallbackSocket } from "k6-socketio";
import { ackMs, bench, benchOptions, benchSummary, connectMs, failures, fanoutMs, firstEmitDelay, inWindow, losses, nextEmitPause, pastEnd, rampOffset, urlFor } from "./contract";

const perVu = Math.max(1, Number(__ENV.SOCKETS_PER_VU ?? "1"));
export const options = benchOptions(perVu);
const connectOptions = { transport: "websocket" as const, connectTimeout: 10_000, ackTimeout: 5_000 };

/** A socket's end of the run: a disconnect after it is not a loss. */
interface Session {
  socket: CallbackSocket;
  closing: boolean;
}

function close(s: Session): void {
  if (s.closing) return;
  s.closing = true;
  s.socket.disconnect();
}

function player(startedAt: () => number) {
  return (socket: CallbackSocket): void => {
    const s: Session = { socket, closing: false };
    socket.on("connect", () => {
      connectMs.add(Date.now() - startedAt());
      // The window's end closes the socket by timer, and by the first message handled after it
      // when the generator is too busy for the timer to run on time.
      socket.setTimeout(() => close(s), Math.max(1, bench.endAt - Date.now()));
      if (bench.workload === "ack") socket.setTimeout(() => loop(s, 0), firstEmitDelay());
      if (bench.workload === "fanout") {
        socket.on("broadcast", (msg: { sent_at: number }) => {
          const now = Date.now();
          if (inWindow(now)) fanoutMs.add(now - msg.sent_at);
          else if (pastEnd(now)) close(s);
        });
      }
    });
    // Past the window's end a disconnect belongs to the teardown (closing thousands of sockets
    // can outlast the server's ping timeout), not to holding: only one before it is a loss.
    socket.on("disconnect", () => {
      if (!s.closing && !pastEnd(Date.now())) losses.add(1);
    });
  };
}

function loop(s: Session, seq: number): void {
  if (pastEnd(Date.now())) return close(s);
  if (!s.socket.connected) return;
  s.socket.request("echo", [seq], (ack) => {
    if (ack.ok && inWindow(Date.now())) ackMs.add(ack.elapsedMs);
    if (bench.ackIntervalMs > 0) s.socket.setTimeout(() => loop(s, seq + 1), nextEmitPause());
    else loop(s, seq + 1);
  });
}

export default async function (): Promise<void> {
  const first = (exec.vu.idInTest - 1) * perVu;
  const launch = exec.scenario.startTime;
  if (perVu === 1) {
    sleep(Math.max(0, launch + rampOffset(first) - Date.now()) / 1000);
    const t0 = Date.now();
    const r = connect(urlFor(first), connectOptions, player(() => t0));
    if (!r.connected) failures.add(1);
    return;
  }
  const count = Math.min(perVu, bench.connections - first);
  await Promise.all(
    Array.from({ length: count }, async (_, slot) => {
      await new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, launch + rampOffset(first + slot) - Date.now())));
      const t0 = Date.now();
      const r = await connectAsync(urlFor(first + slot), connectOptions, player(() => t0));
      if (!r.connected) failures.add(1);
    }),
  );
}

export const handleSummary = benchSummary(perVu === 1 ? "k6-socketio (k6/ws)" : "k6-socketio (k6/websockets)", __ENV.K6_VERSION ?? "", perVu);
