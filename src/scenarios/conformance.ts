// Protocol conformance: walks a checklist (after socket.io-client's own test suite) against
// TARGET_URL with k6 checks, and exits 99 on any failure. The server must provide the peer
// events of src/target/conformance.ts (echo, ask, kick_me, drop_me, burst, /custom with auth);
// test/peers/python_server.py provides them for python-socketio and Flask-SocketIO.
// Items a server cannot do are reported as "not supported by server", never silently skipped.
// -e SERVER=<name> labels the run; -e CONFORMANCE_OUT=path writes the results as JSON.
import { check } from "k6";
import { Counter } from "../kit/metrics";
import { connect, connectAsync, type ConnectOptions, type CallbackSocket, redactUrl } from "k6-socketio";
import { msgpackParser } from "k6-socketio/msgpack";
import { EnvReader } from "../kit/env";
import { idleUntilEnd } from "../kit/default-scenario";
import { readProtocol } from "../kit/connection-env";

type Result = "pass" | "fail" | "not supported by server" | "not implemented by client";
interface ItemResult {
  id: string;
  title: string;
  result: Result;
  detail: string;
}

const env = new EnvReader(__ENV);
const targetUrl = env.string("TARGET_URL", "http://127.0.0.1:3000");
const server = env.string("SERVER", "unnamed server");
const outPath = env.optionalString("CONFORMANCE_OUT");
const stepMs = env.int("STEP_TIMEOUT_MS", 5_000, 100, 600_000);
const CUSTOM_AUTH = { token: "custom-secret" };
const parser = env.oneOf("PARSER", "default", ["default", "msgpack"] as const);
const protocol = readProtocol(env);

export const options = {
  scenarios: { conformance: { executor: "shared-iterations", vus: 1, iterations: 1, exec: "idle" } },
  setupTimeout: "300s",
  thresholds: { conformance_failures: ["count==0"] },
  systemTags: ["status", "method", "name", "scenario", "check"],
};

const failures = new Counter("conformance_failures");

type Verdict = [Result, string];

const client = env.oneOf("CLIENT", "k6/ws", ["k6/ws", "async"] as const);

/**
 * Runs one session for an item; the item calls `done` with its verdict. Bounded by `limitMs`.
 * With -e CLIENT=async every session goes through connectAsync (k6/websockets).
 */
async function session(opts: ConnectOptions, limitMs: number, body: (socket: CallbackSocket, done: (r: Result, detail: string) => void) => void, url = targetUrl): Promise<Verdict> {
  let verdict: Verdict | null = null;
  const options: ConnectOptions = { connectTimeout: stepMs, ackTimeout: stepMs, protocol, ...opts, sessionTimeout: limitMs, ...(parser === "msgpack" ? { parser: msgpackParser } : {}) };
  const handler = (socket: CallbackSocket): void => {
    const done = (r: Result, detail: string): void => {
      if (verdict) return;
      verdict = [r, detail];
      socket.disconnect();
    };
    body(socket, done);
  };
  const result = client === "async" ? await connectAsync(url, options, handler) : connect(url, options, handler);
  if (verdict) return verdict;
  if (result.connectError) return ["fail", `connect failed [${result.connectError.reason}]: ${result.connectError.message}`];
  if (result.handlerError) return ["fail", `the check threw: ${result.handlerError.message}`];
  return ["fail", `no verdict within ${limitMs} ms (session ended: ${result.disconnectReason ?? "?"})`];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const bytes = (b: unknown) => (b instanceof ArrayBuffer ? Array.from(new Uint8Array(b)) : `not an ArrayBuffer: ${JSON.stringify(b)}`);

function echoes(socket: CallbackSocket, label: string, then: (ok: boolean, detail: string) => void): void {
  socket.request("echo", [label], (a) => then(a.ok && a.data === label, a.ok ? `echo ${JSON.stringify(a.args)}` : `echo ${a.reason}`));
}

const items: { id: string; title: string; run: () => Verdict | Promise<Verdict> }[] = [
  {
    id: "connect_root",
    title: "connect to / (websocket)",
    run: () => session({}, stepMs * 2, (s, done) => s.on("connect", () => done("pass", `sid ${s.id}`))),
  },
  {
    id: "connect_custom_auth",
    title: "connect to a custom namespace with auth",
    run: () => session({ namespace: "/custom", auth: CUSTOM_AUTH }, stepMs * 2, (s, done) => s.on("connect", () => done("pass", `sid ${s.id}`))),
  },
  {
    id: "auth_rejected",
    title: "auth rejected by middleware: connect_error with message and data",
    run: async () => {
      let got: Verdict = ["fail", "no connect_error"];
      await session({ namespace: "/custom", auth: { token: "wrong" } }, stepMs * 2, (s, done) => {
        s.on("connect", () => done("fail", "connected with a wrong token"));
        s.on("connect_error", (e: { message: string; data?: { reason?: string } }) => {
          if (e.message === "unauthorized" && e.data?.reason === "invalid token") got = ["pass", `${e.message} ${JSON.stringify(e.data)}`];
          // Socket.IO v2 sends either a message or data in a CONNECT_ERROR, never both.
          else if (e.message === "unauthorized" && e.data === undefined && s.handshake?.eio3) got = ["not supported by server", "Socket.IO v2 carries a message or data in CONNECT_ERROR, not both"];
          else got = ["fail", `got ${e.message} ${JSON.stringify(e.data)}`];
        });
      });
      return got;
    },
  },
  {
    id: "invalid_namespace",
    title: "invalid namespace gives connect_error",
    run: async () => {
      let got: Verdict = ["fail", "no connect_error"];
      await session({ namespace: "/does-not-exist" }, stepMs * 2, (s, done) => {
        s.on("connect", () => done("fail", "connected to a namespace that does not exist"));
        s.on("connect_error", (e: { message: string }) => {
          got = /invalid namespace|unable to connect/i.test(e.message) ? ["pass", e.message] : ["fail", `unexpected message: ${e.message}`];
        });
      });
      return got;
    },
  },
  {
    id: "ack_values",
    title: "ack client to server: false, multibyte UTF-8, dates, nested objects",
    run: () =>
      session({}, stepMs * 2, (s, done) => {
        const date = new Date(Date.UTC(2026, 10, 22, 12, 0, 0)).toISOString();
        const sent = [false, "héllo wörld 👋 日本語", date, { nested: [1, { a: null, b: [true] }] }];
        s.on("connect", () => s.request("echo", sent, (a) => (a.ok && same(a.args, sent) ? done("pass", "all four values round-tripped") : done("fail", a.ok ? `got ${JSON.stringify(a.args)}` : `ack ${a.reason}`))));
      }),
  },
  {
    id: "server_ack",
    title: "ack server to client: the client answers a server's question",
    run: () =>
      session({}, stepMs * 2, (s, done) => {
        s.on("question", (q: string, reply: (a: string) => void) => reply(`answer to ${q}`));
        s.on("connect", () => {
          s.waitFor("answered", { timeout: stepMs }, (a) => (a.ok && a.data === "answer to why?" ? done("pass", `server got ${JSON.stringify(a.data)}`) : done("fail", a.ok ? `server got ${JSON.stringify(a.data)}` : `no answered event (${a.reason})`)));
          s.emit("ask", "why?");
        });
      }),
  },
  {
    id: "ack_timeout",
    title: "ack timeout for an event without a handler",
    run: () =>
      session({}, stepMs * 2, (s, done) => {
        s.on("connect", () =>
          s.request("no_such_event", [1], (a) => (!a.ok && a.reason === "timeout" && a.elapsedMs >= 500 && a.elapsedMs < 1500 ? done("pass", `timed out after ${a.elapsedMs} ms`) : done("fail", JSON.stringify(a))), { timeout: 500 }),
        );
      }),
  },
  {
    id: "binary",
    title: "binary up and down, mixed with JSON, in order",
    run: () =>
      session({}, stepMs * 2, (s, done) => {
        s.on("connect", () =>
          s.request("echo", ["text", new Uint8Array([1, 2, 3]), { nested: new Uint8Array([250, 251]).buffer, n: 7 }, 42], (a) => {
            if (!a.ok) return done("fail", `ack ${a.reason}`);
            const [t, b1, obj, n] = a.args as [string, unknown, { nested: unknown; n: number }, number];
            const ok = t === "text" && same(bytes(b1), [1, 2, 3]) && same(bytes(obj?.nested), [250, 251]) && obj?.n === 7 && n === 42;
            done(ok ? "pass" : "fail", ok ? "two attachments back, nested and in order" : `got ${JSON.stringify([t, bytes(b1), bytes(obj?.nested), obj?.n, n])}`);
          }),
        );
      }),
  },
  {
    id: "two_namespaces",
    title: "two namespaces on one connection; disconnecting one keeps the other",
    run: () =>
      session({}, stepMs * 3, (s, done) => {
        s.on("connect", () => {
          const custom = s.of("/custom", { auth: CUSTOM_AUTH });
          custom.on("connect_error", (e: { message: string }) => done("fail", `/custom: ${e.message}`));
          custom.on("connect", () =>
            echoes(custom, "from /custom", (ok1, d1) => {
              if (!ok1) return done("fail", `/custom ${d1}`);
              custom.disconnect();
              echoes(s, "from / after /custom left", (ok2, d2) => done(ok2 && s.connected ? "pass" : "fail", ok2 ? "both answered; / still up after /custom left" : `/ ${d2}`));
            }),
          );
        });
      }),
  },
  {
    id: "server_disconnect",
    title: "server-side disconnect",
    run: () =>
      session({}, stepMs * 2, (s, done) => {
        s.on("disconnect", (reason: string) => done(reason === "io server disconnect" ? "pass" : "fail", `reason ${reason}`));
        s.on("connect", () => s.emit("kick_me"));
      }),
  },
  {
    id: "ping_timeout",
    title: "ping timeout detected",
    run: () =>
      session({}, 120_000, (s, done) => {
        s.on("connect", () => {
          const hs = s.handshake!;
          s.request("stop_pinging", [], (a) => {
            if (!a.ok) return done("not supported by server", "no stop_pinging test hook to silence the server's pings");
            const limit = hs.pingInterval + hs.pingTimeout + 1_000;
            s.on("disconnect", (reason: string) => done(reason === "ping timeout" ? "pass" : "fail", `reason ${reason}`));
            s.setTimeout(() => done("fail", `no ping timeout within ${limit} ms`), limit);
          }, { timeout: 1_000 });
        });
      }),
  },
  {
    id: "reconnection",
    title: "reconnection after a lost transport",
    run: () =>
      session({ reconnect: { attempts: 3, delayMs: 100, maxDelayMs: 500 } }, stepMs * 4, (s, done) => {
        let first = true;
        s.on("connect", () => {
          if (first) {
            first = false;
            return s.emit("drop_me");
          }
          echoes(s, "after reconnect", (ok, d) => done(ok ? "pass" : "fail", ok ? "reconnected, echo works" : d));
        });
      }),
  },
  {
    id: "state_recovery",
    title: "state recovery with missed events replayed",
    run: () =>
      session({ reconnect: { attempts: 3, delayMs: 100, maxDelayMs: 500 } }, stepMs * 4, (s, done) => {
        const got: number[] = [];
        let dropped = false;
        s.on("burst_item", (b: { n: number }) => {
          got.push(b.n);
          if (b.n === 2 && !dropped) {
            dropped = true;
            s.emit("drop_me");
          }
          if (b.n === 8) {
            const ok = same(got, [1, 2, 3, 4, 5, 6, 7, 8]) && s.recovered;
            done(ok ? "pass" : "fail", `received ${JSON.stringify(got)}, recovered=${s.recovered}`);
          }
        });
        let first = true;
        s.on("connect", () => {
          if (!first) return;
          first = false;
          if (!s.recoveryOffered) return done("not supported by server", "the CONNECT reply carries no pid: connection state recovery is off");
          s.emit("burst", { count: 8, interval_ms: 150 });
        });
      }),
  },
  {
    id: "websocket_only",
    title: "websocket-only transport",
    run: () => session({ transport: "websocket" }, stepMs * 2, (s, done) => s.on("connect", () => echoes(s, "ws", (ok, d) => done(ok ? "pass" : "fail", d)))),
  },
  {
    id: "upgrade",
    title: "polling handshake, then upgrade to websocket",
    run: async () => {
      const verdict = await session({ transport: "polling" }, stepMs * 2, (s, done) => s.on("connect", () => echoes(s, "upgraded", (ok, d) => done(ok ? "pass" : "fail", d))));
      return verdict;
    },
  },
  {
    id: "polling_only",
    title: "polling-only transport (no upgrade), heartbeats and binary over polling",
    run: async (): Promise<Verdict> => {
      let verdict: Verdict | null = null;
      const result = await connectAsync(targetUrl, { transport: "polling-only", protocol, connectTimeout: stepMs, ackTimeout: stepMs, sessionTimeout: stepMs * 3, ...(parser === "msgpack" ? { parser: msgpackParser } : {}) }, (s) => {
        s.on("connect", () => {
          // Stay longer than a ping interval of the test servers: pings and pongs travel by poll and POST.
          s.setTimeout(() => {
            s.request("echo", ["poll", new Uint8Array([5, 6]).buffer], (a) => {
              const ok = a.ok && a.data === "poll" && same(bytes(a.args[1]), [5, 6]) && s.connected;
              verdict = [ok ? "pass" : "fail", ok ? "echo with binary over long-polling, after 1.2 s of heartbeats" : JSON.stringify(a)];
              s.disconnect();
            });
          }, 1_200);
        });
      });
      if (verdict) return verdict;
      return ["fail", result.connectError ? `connect failed [${result.connectError.reason}]: ${result.connectError.message}` : `no verdict (session ended: ${result.disconnectReason ?? "?"})`];
    },
  },
];

export async function setup(): Promise<{ server: string; target: string; items: ItemResult[] }> {
  const results: ItemResult[] = [];
  for (const item of items) {
    let verdict: Verdict;
    try {
      verdict = await item.run();
    } catch (err) {
      verdict = ["fail", `threw: ${err instanceof Error ? err.message : String(err)}`];
    }
    const [result, detail] = verdict;
    if (result === "pass" || result === "fail") check(result, { [item.title]: (r) => r === "pass" });
    if (result === "fail") failures.add(1, { item: item.id });
    results.push({ id: item.id, title: item.title, result, detail });
  }
  failures.add(0);
  return { server, target: redactUrl(targetUrl), items: results };
}

export function idle(): void {}
// `k6 run --vus/--duration` runs only `default`: the work is in setup(), so it waits (docs/k6-versions.md).
export default idleUntilEnd;

export function handleSummary(data: { setup_data?: { server: string; target: string; items: ItemResult[] } }): Record<string, string> {
  const run = data.setup_data;
  if (!run) return { stdout: "\nconformance: the checklist did not complete (see the error above)\n" };
  const mark: Record<Result, string> = { pass: "PASS", fail: "FAIL", "not supported by server": "N/S ", "not implemented by client": "TODO" };
  const lines = ["", `k6-socketio conformance: ${run.server} at ${run.target}`, ""];
  for (const i of run.items) lines.push(`[${mark[i.result]}] ${i.title}${i.result === "pass" ? "" : ` (${i.result})`}\n       ${i.detail}`);
  const failed = run.items.filter((i) => i.result === "fail").length;
  lines.push("", failed === 0 ? "conformance: no failures" : `conformance: ${failed} item(s) failed (exit 99)`, "");
  const out: Record<string, string> = { stdout: lines.join("\n") };
  if (outPath) out[outPath] = `${JSON.stringify(run, null, 2)}\n`;
  return out;
}
