// k6 fixture for the repeated ping-timeout test (bundled by the test, not shipped in dist/):
// ROUNDS times, an event-loop client (io(), k6/websockets) asks the server to freeze its event
// loop and measures when it declares the ping timeout, against the bounds the docs state.
import { io } from "k6-socketio";
import { pause } from "../../src/kit/flow";

export const options = { scenarios: { pings: { executor: "shared-iterations", vus: 1, iterations: 1, maxDuration: "120s" } } };

/** Longer than pingInterval + pingTimeout plus the stated lateness, so the client must notice first. */
const FREEZE_S = 3;

export default async function (): Promise<void> {
  const rounds = Number(__ENV.ROUNDS ?? 5);
  for (let round = 1; round <= rounds; round++) {
    const socket = await io(__ENV.TARGET_URL!, { connectTimeout: 5_000 });
    if (!socket.connected) {
      console.log(`round ${round}: not connected`);
      continue;
    }
    const { pingInterval, pingTimeout } = socket.handshake!;
    const ended = new Promise<string>((resolve) => socket.on("disconnect", (reason: string) => resolve(reason)));
    await pause(300); // a ping or two have come and gone
    const frozeAt = Date.now();
    socket.emit("freeze", FREEZE_S);
    const reason = await ended;
    // The last ping came at most pingInterval before the freeze: the deadline is between
    // frozeAt + pingTimeout and frozeAt + pingInterval + pingTimeout.
    console.log(`round ${round}: ${reason} after ${Date.now() - frozeAt} ms (pingInterval ${pingInterval}, pingTimeout ${pingTimeout})`);
    await socket.closed;
    await pause(Math.max(1, frozeAt + FREEZE_S * 1000 + 200 - Date.now())); // the frozen server wakes up before the next round
  }
}
