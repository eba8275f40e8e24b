// A scenario to copy: `cp src/scenarios/template.ts src/scenarios/my-game.ts`, rename the
// events, `npm run build`, then `k6 run dist/my-game.js`. Against the reference server it:
//   1. connects (auth, timeouts and transport come from -e options, see the README),
//   2. emits `echo` with an ack and times it (library metric socketio_ack_duration{event:echo}),
//   3. asks for 3 `tick` events and waits for each (waitFor with a timeout),
//   4. disconnects. Thresholds live in thresholds/template.json.
import { check, sleep } from "k6";
import exec from "k6/execution";
import { Rate } from "k6/metrics";
import { connect } from "k6-socketio";
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
const duration = env.duration("DURATION", "10s");
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

export function user(): void {
  const result = connect(connection.targetUrl, connection.connectOptions, (socket) => {
    socket.on("connect", () => {
      socket.emitWithAck("echo", [{ vu: exec.vu.idInTest, hello: "world" }], (ack) => {
        check(ack, { "echo acked with what was sent": (a) => a.ok && (a.data as { hello?: string })?.hello === "world" });
        let received = 0;
        // A wait is armed before the request that triggers it, and every wait has a bound.
        const next = (): void => {
          if (received === ticks) return socket.disconnect();
          socket.waitFor("tick", { timeout: 2_000, filter: (t: { n: number }) => t.n === received + 1 }, (tick) => {
            ticksReceived.add(tick.ok);
            if (!tick.ok) return socket.disconnect();
            received += 1;
            next();
          });
        };
        next();
        socket.emit("subscribe", { count: ticks, interval_ms: 50 });
      });
    });
    socket.on("connect_error", (err) => console.warn(`template: connect_error ${err.reason}: ${err.message}`));
  });
  check(result, { connected: (r) => r.connected });
  sleep(0.5); // think time between sessions: outside the session, sleep() is fine
}

// `k6 run --vus 10 --duration 30s dist/template.js` runs `user` (docs/k6-versions.md).
export default mainFlow(user, { plays: "users" });

export const handleSummary = makeHandleSummary("template", __ENV);
