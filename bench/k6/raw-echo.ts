// k6's floor over k6/ws: the same workloads with hand-written Engine.IO v4 / Socket.IO v5
// frames and no library at all (no parser, no ack registry, no library metrics), one
// connection per VU. What k6-socketio over k6/ws costs above this is the price of its
// protocol engine. bench/k6/raw-websockets.ts is the same floor over k6/websockets.
import { sleep } from "k6";
import exec from "k6/execution";
import ws from "k6/ws";
import { ackMs, bench, benchOptions, benchSummary, connectMs, failures, fanoutMs, firstEmitDelay, inWindow, losses, nextEmitPause, pastEnd, rampOffset, urlFor } from "./contract";

export const options = benchOptions(1);
const wsUrl = (http: string): string => `${http.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;

export default function (): void {
  const index = exec.vu.idInTest - 1;
  sleep(Math.max(0, exec.scenario.startTime + rampOffset(index) - Date.now()) / 1000);
  const t0 = Date.now();
  let connected = false;
  let closing = false;
  let sentAt = 0;
  let seq = 0;
  const res = ws.connect(wsUrl(urlFor(index)), {}, (socket) => {
    const close = (): void => {
      closing = true;
      socket.close();
    };
    // Everything ends at the window's end, connected or not: a server that never opens is
    // bounded too. The timer is backed by a clock check on every frame (contract.ts pastEnd).
    socket.setTimeout(close, Math.max(1, bench.endAt - Date.now()));
    const next = (): void => {
      seq += 1;
      sentAt = Date.now();
      socket.send(`42${seq}["echo",${seq}]`);
    };
    socket.on("message", (frame: string) => {
      const now = Date.now();
      if (pastEnd(now)) return close();
      switch (frame.charCodeAt(0)) {
        case 0x32: // "2" ping
          socket.send("3");
          return;
        case 0x30: // "0" open
          socket.send("40");
          return;
      }
      // Socket.IO packets: "40{sid}" connect, "42[...]" event, "43<id>[...]" ack.
      const type = frame.charCodeAt(1);
      if (type === 0x33) {
        if (inWindow(now)) ackMs.add(now - sentAt);
        if (bench.ackIntervalMs > 0) socket.setTimeout(next, nextEmitPause());
        else next();
      } else if (type === 0x32) {
        if (inWindow(now) && frame.startsWith('42["broadcast"')) fanoutMs.add(now - (JSON.parse(frame.slice(2)) as [string, { sent_at: number }])[1].sent_at);
      } else if (type === 0x30 && !connected) {
        connected = true;
        connectMs.add(now - t0);
        if (bench.workload === "ack") socket.setTimeout(next, firstEmitDelay());
      }
    });
    socket.on("close", () => {
      if (connected && !closing && !pastEnd(Date.now())) losses.add(1); // past the end: the teardown's
    });
  });
  if (!connected || !res) failures.add(1);
}

export const handleSummary = benchSummary("raw k6/ws echo", __ENV.K6_VERSION ?? "", 1);
