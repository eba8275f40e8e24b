// A raw WebSocket server that misbehaves on purpose, one way per connection, chosen by the
// `mode` query parameter. No Engine.IO library: every frame is written by hand.
//   ok                   a well-behaved session (the control)
//   truncated            a packet cut in the middle of its JSON
//   unknown-type         Socket.IO and Engine.IO packet types that do not exist
//   invalid-json         an event whose arguments are not JSON
//   unknown-ack          an ack for an id the client never sent
//   missing-attachments  a BINARY_EVENT announcing an attachment that never comes
//   oversize             a frame larger than the maxPayload it announced
//   close-handshake      the socket closes right after the open packet
//   no-pings             never pings (pingInterval 300 ms, pingTimeout 200 ms)
//   huge-frame           one 17 MiB text frame (past the client's default maxFrameBytes)
//   deep-ack             answers every emit that asks for an ack with an array nested 100,000 deep
// Every mode but the last two ends with `42["ok"]`, so the client can tell it survived.
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

const OPEN = (ping = 25_000, maxPayload = 1000) => `0${JSON.stringify({ sid: `H${Math.random().toString(36).slice(2, 10)}`, upgrades: [], pingInterval: ping, pingTimeout: 200, maxPayload })}`;
const DEEP = 100_000;

const MISBEHAVIOUR: Record<string, string[]> = {
  ok: [],
  truncated: ['42["ev",{"a":'],
  "unknown-type": ["49nonsense", "8nonsense"],
  "invalid-json": ["42[not json]"],
  "unknown-ack": ['4399["nobody asked"]'],
  "missing-attachments": ['451-["bin",{"_placeholder":true,"num":0}]'],
  oversize: [`42["big","${"x".repeat(2_000)}"]`],
};

function serve(ws: WebSocket, mode: string): void {
  if (mode === "close-handshake") {
    ws.send(OPEN());
    ws.close();
    return;
  }
  ws.send(OPEN(mode === "no-pings" ? 300 : 25_000, mode === "deep-ack" ? 1_000_000 : 1000));
  ws.on("message", (raw) => {
    const text = raw.toString();
    const asked = mode === "deep-ack" ? /^42(\d+)\[/.exec(text) : null;
    if (asked) return ws.send(`43${asked[1]}${"[".repeat(DEEP)}${"]".repeat(DEEP)}`);
    if (!text.startsWith("40")) return; // pongs and the client's DISCONNECT
    ws.send('40{"sid":"N1"}');
    if (mode === "no-pings") return;
    for (const frame of MISBEHAVIOUR[mode] ?? []) ws.send(frame);
    if (mode === "huge-frame") ws.send(`42["huge","${"x".repeat(17 * 1024 * 1024)}"]`);
    ws.send('42["ok"]');
  });
}

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/socket.io/" });
server.on("connection", (ws, req) => serve(ws, new URL(req.url ?? "/", "http://x").searchParams.get("mode") ?? "ok"));
server.on("listening", () => console.log(`hostile server listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
