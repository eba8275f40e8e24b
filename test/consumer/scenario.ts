// A scenario as a user of the npm package writes it: the library, the kit and the msgpack
// parser imported by package name. test/integration/package.test.ts installs the packed
// tarball in a folder outside the repository, typechecks this file against the installed
// types (tsc --strict), bundles it with esbuild and runs it with k6 against the reference
// server: the echo event acked with what was sent. `-e PARSER=msgpack` for a msgpack server.
import { check } from "k6";
import { Counter } from "k6/metrics";
import { type ConnectOptions, io } from "k6-socketio";
import { buildThresholds, EnvReader, makeHandleSummary, pause, prepareRun, readConnectionEnv, scenarioOptions } from "k6-socketio/kit";
import { msgpackParser } from "k6-socketio/msgpack";

const env = new EnvReader(__ENV);
const connection = readConnectionEnv(env); // TARGET_URL, TRANSPORT, NAMESPACE, AUTH_TOKEN, *_TIMEOUT_MS
const iterations = env.int("ITERATIONS", 4, 1, 100);
const connectOptions: ConnectOptions = env.oneOf("PARSER", "default", ["default", "msgpack"] as const) === "msgpack"
  ? { ...connection.connectOptions, parser: msgpackParser }
  : connection.connectOptions;
const echoed = new Counter("consumer_echoed");

export const options = scenarioOptions(
  { users: { executor: "shared-iterations", vus: 2, iterations, maxDuration: "30s", exec: "user" } },
  buildThresholds({ consumer_echoed: ["count==${iterations}"], socketio_connect_success: ["rate==1"] }, { iterations }, env.json("THRESHOLDS")),
);

export function setup(): void {
  prepareRun(echoed);
}

export async function user(): Promise<void> {
  const socket = await io(connection.targetUrl, connectOptions);
  if (!check(socket, { connected: (s) => s.connected })) return;
  const ack = await socket.request("echo", { hello: "world", n: 1 });
  if (check(ack, { "echo acked with what was sent": (a) => a.ok && (a.data as { hello?: string }).hello === "world" })) echoed.add(1);
  socket.disconnect();
  await pause(100);
}

export const handleSummary = makeHandleSummary("consumer", __ENV);
