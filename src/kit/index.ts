// k6-socketio/kit: the pieces every scenario in src/scenarios shares, for your own scenarios.
//
//   import { EnvReader, readConnectionEnv, buildThresholds, scenarioOptions, prepareRun, makeHandleSummary } from "k6-socketio/kit";
//   const env = new EnvReader(__ENV);
//   const connection = readConnectionEnv(env);      // TARGET_URL, TRANSPORT, NAMESPACE, AUTH_TOKEN, *_TIMEOUT_MS
//   export const options = scenarioOptions({ users: { executor: "constant-vus", vus: 5, duration: "10s", exec: "user" } },
//     buildThresholds({ socketio_connect_success: ["rate>0.99"] }, {}, env.json("THRESHOLDS")));
//   export function setup() { prepareRun(); }
//   export const handleSummary = makeHandleSummary("my-game", __ENV);
//
// The kit uses the library's public API only (src/socketio/index.ts): the published kit module
// imports it as ./k6-socketio.js, so a bundle holds one copy of the library.
export { EnvError, EnvReader, parseDurationMs } from "./env";
export { type ConnectionEnv, readConnectionEnv, withAuth } from "./connection-env";
export { buildThresholds, type Thresholds } from "./thresholds";
export { prepareRun, scenarioOptions } from "./scenario-options";
export { runIdFrom } from "./run-id";
export { allPlayers, pause } from "./flow";
export { Counter, Rate, Trend } from "./metrics";
export { makeHandleSummary } from "./summary";
export { thresholdResults, type SummaryData, type SummaryMetric, type ThresholdResult } from "./summary/verdict";
