// A scenario to copy: `cp src/scenarios/template.ts src/scenarios/my-game.ts`, rename the
// events, `npm run build`, then `k6 run dist/my-game.js`. Against the reference server it:
//   1. connects (auth, timeouts and transport come from -e options, see docs/api.md),
//   2. emits `echo` with an ack and times it (library metric socketio_ack_duration{event:echo}),
//   3. asks for 3 `tick` events and waits for each (waitFor with a timeout),
//   4. disconnects. Thresholds live in thresholds/template.json.
// Every wait resolves with an outcome instead of throwing: a timeout is counted and the flow goes on.
import { check } from "k6";
import exec from "k6/execution";
import { Rate } from "../kit/metrics";
import { io } from "k6-socketio";
import { pause } from "../kit/flow";
import presets from "../../thresholds/template.json";
import { readConnectionEnv } from "../kit/connection-env";
import { EnvReader } from "../kit/env";
import { scenarioOptions, prepareRun } from "../kit/scenario-options";
import { makeHandleSummary } from "../kit/summary";
import { buildThresholds } from "../kit/thresholds";
import { mainFlow } from "../kit/default-scenario";

const env = new EnvReader(__ENV);
const connection = readConnectionEnv(env); // TARGET_URL, TRANSPORT, NAMESPACE, AUTH_TOKEN, *_TIMEOUT_MS
const vus = env.int("VUS", 5, 1, 10_000);
const duration = env.duration("DURATION", "10s", 1000);
const ticks = env.int("TICKS", 3, 0, 100);

export const options = scenarioOptions(
  { users: { executor: "constant-vus", vus, duration, exec: "user" } },
  buildThresholds(presets, {}, env.json("THRESHOLDS")),
);

// Your own metrics: created here, in the init context, named <scenario>_<what>.
const ticksReceived = new Rate("template_ticks");

export function setup(): void {
  prepareRun(); // the library's error counters report a real 0; warns when this instance has no VUs
}

export async function user(): Promise<void> {
  const socket = await io(connection.targetUrl, connection.connectOptions);
  if (!check(socket, { connected: (s) => s.connected })) {
    // Refused or timed out: already counted in socketio_connect_errors{reason}, explained once in the log.
    await pause(1_000);
    return;
  }
  const echo = await socket.request("echo", { vu: exec.vu.idInTest, hello: "world" });
  check(echo, { "echo acked with what was sent": (a) => a.ok && (a.data as { hello?: string })?.hello === "world" });
  for (let n = 1; n <= ticks; n++) {
    // A wait is armed before the emit that triggers it, and every wait has a bound.
    const tick = socket.waitFor("tick", { timeout: 2_000, filter: (t: { n: number }) => t.n === n });
    if (n === 1) socket.emit("subscribe", { count: ticks, interval_ms: 50 });
    const got = await tick;
    ticksReceived.add(got.ok);
    if (!got.ok) break;
  }
  socket.disconnect();
  await pause(500); // think time between sessions
}

// `k6 run --vus 10 --duration 30s dist/template.js` runs `user` (docs/k6-versions.md).
export default mainFlow(user, { plays: "users" });

export const handleSummary = makeHandleSummary("template", __ENV);
