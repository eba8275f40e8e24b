// The fuzz server: Engine.IO v4 written by hand over WebSocket and HTTP long-polling, so that it
// can send what no real server would. Each connection names its case in the query
// (`fuzz=<transport>:<n>`, or `fuzz=healthy`); test/peers/fuzz-cases.ts turns the seed and the
// case into an open packet, malformed frames and an ending. `healthy` is a well-behaved
// session that acks every event: the sibling that must not notice its neighbours' trouble.
//   npx tsx test/peers/fuzz.ts --seed 42
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { baseOpen, DONE, FUZZ_TRANSPORTS, type FuzzCase, fuzzCase, type FuzzFrame, type FuzzTransport } from "./fuzz-cases.ts";

const seedArg = process.argv.indexOf("--seed");
const SEED = seedArg > 0 ? Number(process.argv[seedArg + 1]) : 1;
const RS = "\x1e";
/** A held long-poll is answered with a noop after this, well within the client's poll bound. */
const POLL_HOLD_MS = 15_000;

interface Session {
  sid: string;
  fuzz: FuzzCase | null;
  transport: FuzzTransport | "healthy";
  queue: string[];
  poll: ServerResponse | null;
  pollTimer: NodeJS.Timeout | null;
  ws: WebSocket | null;
  closed: boolean;
}

const sessions = new Map<string, Session>();
let nextSid = 0;

function caseOf(query: URLSearchParams): { transport: FuzzTransport | "healthy"; fuzz: FuzzCase | null } {
  const [transport, n] = (query.get("fuzz") ?? "healthy").split(":");
  if (!FUZZ_TRANSPORTS.includes(transport as FuzzTransport)) return { transport: "healthy", fuzz: null };
  return { transport: transport as FuzzTransport, fuzz: fuzzCase(SEED, transport as FuzzTransport, Number(n)) };
}

function newSession(query: URLSearchParams): Session {
  const s: Session = { sid: `fz${++nextSid}`, ...caseOf(query), queue: [], poll: null, pollTimer: null, ws: null, closed: false };
  sessions.set(s.sid, s);
  return s;
}

function openPacket(s: Session): string {
  // A healthy session offers the upgrade (the polling sibling needs it; the others ignore it).
  const open = s.fuzz ? s.fuzz.open : baseOpen("polling", s.sid);
  // Mutated open packets carry the case's sid (or none); polling needs the session's own.
  const body = typeof open === "string" ? open : JSON.stringify({ ...open, sid: typeof open.sid === "string" && open.sid !== "" ? s.sid : open.sid });
  return `0${body}`;
}

/** Sends one frame on the session's current transport. */
function send(s: Session, frame: FuzzFrame): void {
  if (s.ws) {
    if (typeof frame === "string") s.ws.send(frame);
    else s.ws.send(Buffer.from(frame.binary), { binary: true });
    return;
  }
  s.queue.push(typeof frame === "string" ? frame : `b${Buffer.from(frame.binary).toString("base64")}`);
  flushPoll(s);
}

function flushPoll(s: Session): void {
  if (!s.poll || s.queue.length === 0) return;
  answerPoll(s, s.queue.join(RS));
  s.queue = [];
}

function answerPoll(s: Session, body: string): void {
  const res = s.poll;
  if (!res) return;
  s.poll = null;
  if (s.pollTimer) clearTimeout(s.pollTimer);
  res.writeHead(200, { "Content-Type": "text/plain; charset=UTF-8" }).end(body);
}

/** The namespace is connected on the session's final transport: play the case. */
function play(s: Session): void {
  const fuzz = s.fuzz;
  if (!fuzz) return;
  for (const frame of fuzz.frames) send(s, frame);
  switch (fuzz.end) {
    case "done":
      return send(s, DONE);
    case "engine-close":
      return send(s, "1");
    case "ws-close":
      return s.ws?.close();
    case "ws-close-1000":
      return s.ws?.close(1000, "bye");
    case "ws-terminate": {
      // Only once every frame has reached the kernel, or the case's frames would be lost.
      const ws = s.ws!;
      return ws.send("6", () => ws.terminate());
    }
  }
}

/** One Engine.IO packet from the client, whichever transport carried it. */
function receive(s: Session, packet: string): void {
  if (packet.startsWith("40")) {
    send(s, '40{"sid":"N1"}');
    // Over polling + upgrade the case plays once the WebSocket has taken over.
    if (s.transport !== "polling") play(s);
    return;
  }
  const ack = /^42(\d+)\["echo"/.exec(packet);
  if (ack) send(s, `43${ack[1]}["echo"]`);
  if (packet === "1") s.closed = true;
}

function handlePolling(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
  const sid = query.get("sid");
  if (!sid) {
    if (req.method !== "GET") return void res.writeHead(400).end('{"code":1,"message":"Session ID unknown"}');
    const s = newSession(query);
    return void res.writeHead(200, { "Content-Type": "text/plain; charset=UTF-8" }).end(openPacket(s));
  }
  const s = sessions.get(sid);
  if (!s) return void res.writeHead(400).end('{"code":1,"message":"Session ID unknown"}');
  if (req.method === "POST") {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "text/html" }).end("ok");
      for (const packet of body.split(RS)) receive(s, packet);
    });
    return;
  }
  if (s.closed && s.queue.length === 0) return void res.writeHead(400).end('{"code":1,"message":"Session ID unknown"}');
  s.poll = res;
  flushPoll(s);
  if (s.poll) s.pollTimer = setTimeout(() => answerPoll(s, "6"), POLL_HOLD_MS);
}

const http = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname !== "/socket.io/" || url.searchParams.get("transport") !== "polling") return void res.writeHead(404).end();
  handlePolling(req, res, url.searchParams);
});

const wss = new WebSocketServer({ server: http, path: "/socket.io/" });
wss.on("connection", (ws, req) => {
  const query = new URL(req.url ?? "/", "http://x").searchParams;
  const upgrading = query.get("sid") ? sessions.get(query.get("sid")!) : undefined;
  if (query.get("sid") && !upgrading) return ws.close(1008);
  const s = upgrading ?? newSession(query);
  ws.on("error", () => undefined);
  ws.on("close", () => sessions.delete(s.sid));
  ws.on("message", (raw, isBinary) => {
    if (isBinary) return;
    const text = raw.toString();
    if (upgrading && !s.ws) {
      if (text === "2probe") ws.send("3probe");
      else if (text === "5") {
        s.ws = ws;
        answerPoll(s, "6");
        for (const queued of s.queue.splice(0)) ws.send(queued);
        play(s);
      }
      return;
    }
    if (text === "1") ws.close();
    else receive(s, text);
  });
  if (!upgrading) {
    s.ws = ws;
    ws.send(openPacket(s));
  }
});

http.listen(0, "127.0.0.1", () => console.log(`fuzz server (seed ${SEED}) listening on http://127.0.0.1:${(http.address() as AddressInfo).port}`));
process.on("SIGTERM", () => {
  for (const c of wss.clients) c.terminate();
  http.closeAllConnections();
  http.close(() => process.exit(0));
});
