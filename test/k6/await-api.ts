// The await API under the real k6, one VU: several sockets at once, a listener that throws
// (only its own connection ends), a mistyped waitFor (counted, and the log says what came),
// methods after disconnect, bad options, every transport, and the wire trace (SOCKETIO_DEBUG).
import { check } from "k6";
import { AckError, io, type Socket } from "k6-socketio";
import { allPlayers, pause } from "../../src/kit/flow";

export const options = { vus: 1, iterations: 1, thresholds: { checks: ["rate==1"] } };
const url = __ENV.TARGET_URL!;
const secrets = { auth: { token: "s3cr3t-auth-value" }, query: { token: "s3cr3t-query-value" }, headers: { Authorization: "Bearer s3cr3t-header-value" } };

async function echoes(socket: Socket, n: number): Promise<boolean> {
  for (let i = 0; i < n; i++) {
    const o = await socket.request("echo", { i });
    if (!o.ok || (o.data as { i?: number }).i !== i) return false;
    await pause(20);
  }
  return true;
}

async function thrower(): Promise<string | undefined> {
  const socket = await io(url, secrets);
  socket.on("tick", () => {
    throw new Error("a bug in this player's listener");
  });
  socket.emit("subscribe", { count: 1, interval_ms: 10 });
  const result = await socket.closed;
  return result.disconnectReason;
}

export default async function (): Promise<void> {
  // Three players at once; the first one's listener throws: only its connection ends.
  const others = [io(url, secrets), io(url, { transport: "polling" }), io(url, { transport: "polling-only" })];
  const [reason, ...fine] = await allPlayers<unknown>([thrower(), ...others.map((p) => p.then((s) => echoes(s, 10)))]);
  check(reason, { "the throwing listener ended its own connection as handler error": (r) => r === "handler error" });
  check(fine, { "the VU's other sockets (websocket, polling + upgrade, polling-only) kept working": (f) => f.every((x) => x === true) });
  for (const p of others) (await p).disconnect();

  const socket = await io(url, secrets);
  check(socket, { connected: (s) => s.connected && typeof s.id === "string" });
  const acked = await socket.timeout(2_000).emitWithAck("echo", "hello");
  check(acked, { "emitWithAck resolves the ack's first argument": (a) => a === "hello" });

  // A mistyped event: the wait is bounded, counted, and the log names what did arrive.
  const typo = socket.waitFor("tikc", { timeout: 500 });
  socket.emit("subscribe", { count: 2, interval_ms: 20 });
  const missed = await typo;
  check(missed, { "a waitFor for an event that never comes times out": (m) => !m.ok && m.reason === "timeout" });

  socket.disconnect();
  await socket.closed;
  let error: unknown;
  try {
    await socket.emitWithAck("echo", "late");
  } catch (e) {
    error = e;
  }
  check(error, { "emitWithAck after disconnect rejects with socket.io-client's message": (e) => e instanceof AckError && e.message.startsWith("socket has been disconnected") });
  check(await socket.request("echo"), { "request after disconnect resolves 'disconnected'": (o) => !o.ok && o.reason === "disconnected" });

  let thrown: unknown;
  try {
    void io(url, { headers: { "X-Count": 3 as unknown as string } });
  } catch (e) {
    thrown = e;
  }
  check(thrown, { "an option of the wrong type throws at the call, naming it": (e) => e instanceof Error && /headers\.X-Count must be a string/.test(e.message) });
}
