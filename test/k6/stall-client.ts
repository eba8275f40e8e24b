// A small echo load for the stall test (test/integration/stalls.test.ts): each VU connects,
// sends echoes with acks for a while, leaves, and starts again, over the transport -e CLIENT names:
// "ws" (connect(), k6/ws), "websockets" (io(), k6/websockets) or "polling-only" (io() over
// http.asyncRequest). The event-loop players reconnect after a lost connection; each
// reconnect's delay after the loss goes to stall_reconnect_delay, so that a reconnect held
// back by a dead socket's close shows. The thresholds are the library's stall signals.
import { sleep } from "k6";
import { connect, io } from "k6-socketio";
import { EnvReader, buildThresholds, makeHandleSummary, pause, prepareRun, readConnectionEnv, scenarioOptions, Trend } from "../../src/kit/index";

const env = new EnvReader(__ENV);
const connection = readConnectionEnv(env);
const client = env.oneOf("CLIENT", "websockets", ["ws", "websockets", "polling-only"] as const);
/** How long an event-loop player keeps its connection, echoing every 100 ms (k6/ws players send 5 echoes). */
const SESSION_MS = env.int("SESSION_MS", 500, 1, 600_000);
const ECHOES = 5;
const RECONNECT = { attempts: 50, delayMs: 200, maxDelayMs: 1_000, jitter: 0 };

export const options = scenarioOptions(
  { players: { executor: "constant-vus", vus: env.int("VUS", 3, 1, 20), duration: env.duration("DURATION", "20s"), exec: "player", gracefulStop: "15s" } },
  buildThresholds({ socketio_stalls: ["count==0"], socketio_connect_duration: ["p(95)<1000"], socketio_ack_timeouts: ["count==0"] }, {}, env.json("THRESHOLDS")),
);

const reconnectDelay = new Trend("stall_reconnect_delay", true);

export function setup(): void {
  prepareRun();
  console.log(`stall-client: ${client} players start`); // the test freezes the server from this line on
}

export async function player(): Promise<void> {
  if (client === "ws") return wsPlayer();
  const socket = await io(connection.targetUrl, { ...connection.connectOptions, transport: client === "polling-only" ? "polling-only" : "websocket", reconnect: RECONNECT });
  let lostAt = 0;
  socket.on("disconnect", () => (lostAt = Date.now()));
  socket.on("reconnect_attempt", () => {
    if (lostAt > 0) reconnectDelay.add(Date.now() - lostAt);
    lostAt = 0;
  });
  if (socket.connected) {
    const end = Date.now() + SESSION_MS;
    for (let i = 0; Date.now() < end; i++) {
      await socket.request("echo", i);
      await pause(100);
    }
  }
  socket.disconnect();
  await pause(200);
}

function wsPlayer(): void {
  connect(connection.targetUrl, connection.connectOptions, (socket) => {
    let n = 0;
    const next = (): void =>
      socket.request("echo", [n], (outcome) => {
        if (outcome.ok && ++n < ECHOES) socket.setTimeout(next, 100);
        else socket.disconnect();
      });
    socket.on("connect", next);
  });
  sleep(0.2);
}

export const handleSummary = makeHandleSummary("stall", __ENV);
