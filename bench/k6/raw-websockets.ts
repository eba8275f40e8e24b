// k6's floor over k6/websockets, the transport used at scale: hand-written Engine.IO v4 /
// Socket.IO v5 frames and no library, SOCKETS_PER_VU connections per VU on the VU's event
// loop, exactly as k6-socketio's k6/websockets row holds them. What k6-socketio over
// k6/websockets costs above this is the price of its protocol engine on that transport.
import exec from "k6/execution";
import { WebSocket } from "k6/websockets";
import { ackMs, bench, benchOptions, benchSummary, connectMs, failures, fanoutMs, firstEmitDelay, inWindow, losses, nextEmitPause, pastEnd, rampOffset, urlFor } from "./contract";

const perVu = Math.max(1, Number(__ENV.SOCKETS_PER_VU ?? "100"));
export const options = benchOptions(perVu);
const wsUrl = (http: string): string => `${http.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`;

/** One connection's state; its handlers are made once per connection, never per message. */
class RawSocket {
  private readonly ws: WebSocket;
  private readonly t0 = Date.now();
  private connected = false;
  private closing = false;
  private sentAt = 0;
  private seq = 0;
  private readonly next = (): void => {
    this.seq += 1;
    this.sentAt = Date.now();
    this.ws.send(`42${this.seq}["echo",${this.seq}]`);
  };

  constructor(url: string) {
    this.ws = new WebSocket(wsUrl(url));
    this.ws.onmessage = (e) => this.receive(e!.data as string); // text frames only in this workload
    this.ws.onclose = () => {
      if (!this.connected) failures.add(1);
      else if (!this.closing && !pastEnd(Date.now())) losses.add(1); // past the end: the teardown's
    };
    this.ws.onerror = () => undefined; // onclose follows and counts it
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.ws.close();
  }

  private receive(frame: string): void {
    const now = Date.now();
    // A generator that fell behind runs the VU's close timer late: the clock closes it too.
    if (pastEnd(now)) return this.close();
    switch (frame.charCodeAt(0)) {
      case 0x32: // "2" ping
        this.ws.send("3");
        return;
      case 0x30: // "0" open
        this.ws.send("40");
        return;
    }
    // Socket.IO packets: "40{sid}" connect, "42[...]" event, "43<id>[...]" ack.
    const type = frame.charCodeAt(1);
    if (type === 0x33) {
      if (inWindow(now)) ackMs.add(now - this.sentAt);
      if (bench.ackIntervalMs > 0) setTimeout(this.next, nextEmitPause());
      else this.next();
    } else if (type === 0x32) {
      if (inWindow(now) && frame.startsWith('42["broadcast"')) fanoutMs.add(now - (JSON.parse(frame.slice(2)) as [string, { sent_at: number }])[1].sent_at);
    } else if (type === 0x30 && !this.connected) {
      this.connected = true;
      connectMs.add(now - this.t0);
      if (bench.workload === "ack") setTimeout(this.next, firstEmitDelay());
    }
  }
}

export default function (): void {
  const first = (exec.vu.idInTest - 1) * perVu;
  const launch = exec.scenario.startTime;
  const count = Math.min(perVu, bench.connections - first);
  const sockets: RawSocket[] = [];
  for (let slot = 0; slot < count; slot++) {
    setTimeout(() => {
      if (!pastEnd(Date.now())) sockets.push(new RawSocket(urlFor(first + slot)));
    }, Math.max(0, launch + rampOffset(first + slot) - Date.now()));
  }
  // One timer per VU ends every session at the window's end, connected or not.
  setTimeout(() => {
    for (const s of sockets) s.close();
  }, Math.max(1, bench.endAt - Date.now()));
}

export const handleSummary = benchSummary("raw k6/websockets echo", __ENV.K6_VERSION ?? "", perVu);
