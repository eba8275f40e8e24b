// k6 fixture for the fuzz test (bundled by test/integration/fuzz.test.ts, not shipped): FUZZ_CASES
// sessions against the fuzz server on each transport, one line per case, so that the test
// can hold each outcome against the case's expectation. On k6's event loop a healthy sibling
// socket runs beside the cases in the same VU and must get every one of its acks.
import { Counter } from "k6/metrics";
import exec from "k6/execution";
import { connect, connectAsync, type ConnectOptions, observeSamples, type SessionResult } from "k6-socketio";
import { prepareRun } from "../../src/kit/scenario-options";

const url = __ENV.TARGET_URL!;
const cases = Number(__ENV.FUZZ_CASES ?? "300");
const CONCURRENT_CASES = 8;
/** Every case is bounded: a session that outlives this is a failure the test reports. */
const bounds = { connectTimeout: 3_000, sessionTimeout: 5_000 } as const;
const transports = ["ws", "websockets", "polling", "polling-only"];
const reasons = ["engine_frame", "socket_packet", "attachments", "unknown_ack", "max_payload", "open_packet"];

const loop = (transport: string) => ({ executor: "per-vu-iterations", vus: 1, iterations: 1, maxDuration: "90s", exec: "eventLoopCases", env: { FUZZ_TRANSPORT: transport } });
export const options = {
  scenarios: {
    ws: { executor: "shared-iterations", vus: 2, iterations: cases, maxDuration: "90s", exec: "wsCase" },
    websockets: loop("websockets"),
    polling: loop("polling"),
    "polling-only": loop("polling-only"),
  },
  // Thresholds that always hold: they make k6 report each count per tag in the summary.
  thresholds: Object.fromEntries(transports.flatMap((t) => reasons.map((r) => [`socketio_decode_errors{scenario:${t},reason:${r}}`, ["count>=0"]]))),
};

const siblingSent = new Counter("fuzz_sibling_sent");
const siblingAcked = new Counter("fuzz_sibling_acked");

export function setup(): void {
  prepareRun();
}

function outcome(result: SessionResult, survived: boolean): string {
  if (survived) return "survived";
  return result.connectError ? `connect_error:${result.connectError.reason}` : `ended:${result.disconnectReason}`;
}

function report(transport: string, index: number, kind: string, startedAt: number): void {
  console.log(`fuzz ${transport} ${index} ${kind} ${Date.now() - startedAt}`);
}

// k6/ws runs one case at a time per VU: its decode errors are counted per case, so that a
// miscount names its case. (This fixture has no threshold guards that would need the observer.)
const decodedHere: Record<string, number> = {};
observeSamples((metric, tags) => {
  if (metric === "socketio_decode_errors" && tags?.reason) decodedHere[tags.reason] = (decodedHere[tags.reason] ?? 0) + 1;
});

/** k6/ws: one case per iteration (ws.connect blocks the VU). */
export function wsCase(): void {
  const index = exec.scenario.iterationInTest;
  const startedAt = Date.now();
  let survived = false;
  for (const k of Object.keys(decodedHere)) delete decodedHere[k];
  const result = connect(url, { ...bounds, query: { fuzz: `ws:${index}` } }, (socket) => {
    socket.on("done", () => {
      survived = true;
      socket.disconnect();
    });
  });
  report("ws", index, outcome(result, survived), startedAt);
  console.log(`fuzz decoded ws ${index} ${JSON.stringify(decodedHere)}`);
}

const sessionTransport = (t: string): ConnectOptions["transport"] => (t === "websockets" ? "websocket" : (t as ConnectOptions["transport"]));

async function fuzzCase(transport: string, index: number): Promise<void> {
  const startedAt = Date.now();
  let survived = false;
  const result = await connectAsync(url, { ...bounds, transport: sessionTransport(transport), query: { fuzz: `${transport}:${index}` } }, (socket) => {
    socket.on("done", () => {
      survived = true;
      socket.disconnect();
    });
  });
  report(transport, index, outcome(result, survived), startedAt);
}

/** A well-behaved socket in the same VU: an acked echo every 50 ms until told to stop. */
function sibling(transport: string): { stop(): void; finished: Promise<SessionResult> } {
  let stopping = false;
  let stopAt = 0;
  let sent = 0;
  let acked = 0;
  const finished = connectAsync(url, { transport: sessionTransport(transport), query: { fuzz: "healthy" }, connectTimeout: 5_000, ackTimeout: 5_000 }, (socket) => {
    const tick = (): void => {
      // Stop once every echo is answered (or their own timeout has surely passed).
      if (stopping && (acked === sent || Date.now() - stopAt > 6_000)) return socket.disconnect();
      if (!stopping) {
        sent += 1;
        socket.request("echo", [sent], (o) => {
          if (o.ok) acked += 1;
        });
      }
      socket.setTimeout(tick, 50);
    };
    socket.on("connect", tick);
  });
  return {
    stop: () => {
      stopping = true;
      stopAt = Date.now();
    },
    finished: finished.then((result) => {
      siblingSent.add(sent, { transport });
      siblingAcked.add(acked, { transport });
      console.log(`fuzz sibling ${transport} sent=${sent} acked=${acked} reason=${result.disconnectReason ?? result.connectError?.reason}`);
      return result;
    }),
  };
}

/** k6/websockets, polling + upgrade, polling-only: the cases run 8 at a time beside a sibling. */
export async function eventLoopCases(): Promise<void> {
  const transport = __ENV.FUZZ_TRANSPORT!;
  const healthy = sibling(transport);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases) await fuzzCase(transport, next++);
  };
  await Promise.all(Array.from({ length: CONCURRENT_CASES }, worker));
  healthy.stop();
  await healthy.finished;
}
