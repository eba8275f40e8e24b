// From a recorded browser session to a running test: headless Chromium plays a session with the
// real socket.io-client against the reference server (through a page origin that forwards
// /socket.io/, so polling is same-origin), the HAR is recorded over the DevTools protocol as
// Chrome exports it, `npm run record -- from-har` drafts a scenario, and the draft runs green
// with k6 against the same server, without edits.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { bundleFile } from "../../build.mjs";
import { ensureChromium } from "../../scripts/chromium.mjs";
import { ensureK6, startTarget } from "../../scripts/lib.mjs";
import { decodeSession } from "../../src/record/decode";
import { readHar } from "../../src/record/har";
import { io } from "socket.io-client";
import { pageOrigin, recordHar } from "../helpers/browser-har";
import { pythonPeers } from "../helpers/python-peers.ts";

const root = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "k6sio-record-"));
let target: Awaited<ReturnType<typeof startTarget>>;

before(async () => {
  target = await startTarget([]);
});
after(async () => {
  await target?.stop();
});

/** The session a player's browser plays: an acked echo carrying a value from the server's answer, then ticks. */
const PAGE = (transports: string): string => `<!doctype html><title>playing</title><script src="/socket.io.js"></script><script>
const socket = io({ transports: ${transports} });
socket.on("connect", async () => {
  const first = await socket.emitWithAck("echo", { hello: "world", player: "alice-0001" });
  await new Promise((r) => setTimeout(r, 150));
  await socket.emitWithAck("echo", { again: first.player, n: 12345 });
  let n = 0;
  socket.on("tick", () => {
    if (++n === 3) setTimeout(() => { socket.disconnect(); document.title = "done"; }, 100);
  });
  socket.emit("subscribe", { count: 3, interval_ms: 100 });
});
</script>`;

for (const [label, transports] of [
  ["websocket only", '["websocket"]'],
  ["polling upgraded to websocket", '["polling", "websocket"]'],
] as const) {
  test(`a Chromium HAR (${label}) becomes a scenario that runs green without edits`, { timeout: 150_000 }, async (t) => {
    const chromium = ensureChromium();
    if (!chromium.path) return t.skip(chromium.reason);
    const origin = await pageOrigin(target.url, PAGE(transports));
    let har: object;
    try {
      har = await recordHar(chromium.path, `${origin.url}/`);
    } finally {
      await origin.close();
    }
    const harFile = join(dir, `session-${label.split(" ")[0]}.har`);
    writeFileSync(harFile, JSON.stringify(har));

    // What the reader sees: one session, both ways, the acks paired with their events.
    const capture = readHar(readFileSync(harFile, "utf8"));
    assert.equal(capture.sessions.length, 1, `one Engine.IO session in the HAR: ${JSON.stringify(capture.skipped)}`);
    assert.equal(capture.sessions[0]!.transport, label.startsWith("polling") ? "polling" : "websocket");
    const steps = decodeSession(capture.sessions[0]!).steps;
    const acks = steps.filter((s) => s.type === "ack" && s.dir === "received");
    assert.deepEqual(acks.map((s) => s.event), ["echo", "echo"]);
    assert.equal(steps.filter((s) => s.type === "event" && s.event === "tick").length, 3);

    const name = `recorded-${label.split(" ")[0]}`;
    const out = spawnSync(process.execPath, ["--import", "tsx", join(root, "src", "record", "main.ts"), "from-har", harFile, "--out", name, "--dir", dir], { cwd: root, encoding: "utf8", timeout: 60_000 });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /client -> server {2}echo x2, acked 2\/2/);
    assert.match(out.stdout, /server -> client {2}tick x3/);
    assert.match(out.stdout, /1 value\(s\) carried forward/);
    const source = readFileSync(join(dir, `${name}.ts`), "utf8");
    assert.match(source, /valueAt\(r\d+\.args, \[0,"player"\]\)/, "the second echo sends the first answer's player, read at run time");

    const script = await bundleFile(join(dir, `${name}.ts`), join(dir, `${name}.js`));
    const k6 = ensureK6({ quiet: true });
    const run = spawnSync(k6, ["run", "-q", "-e", `TARGET_URL=${target.url}`, "-e", "VUS=2", "-e", "DURATION=4s", "-e", `TRANSPORT=${label.startsWith("polling") ? "polling" : "websocket"}`, script], { encoding: "utf8", timeout: 90_000 });
    const output = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, output.slice(-3000));
    assert.match(output, new RegExp(`${name.replace(/-/g, "_")}_steps`), "the steps threshold was judged");
  });
}

/** Runs the recording proxy in front of `targetUrl`, lets `play` drive a client through it, stops it (Ctrl-C), and returns what it printed and wrote. */
async function recordThroughProxy(targetUrl: string, name: string, play: (url: string) => Promise<void>): Promise<{ stdout: string; har: string; source: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "src", "record", "main.ts"), "proxy", "--target", targetUrl, "--port", "0", "--out", name, "--dir", dir, "--har", join(dir, `${name}.har`), "--max-seconds", "60"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /point your client at (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`the proxy exited: ${stderr}`));
    });
  });
  try {
    await play(url);
  } finally {
    child.kill("SIGINT");
  }
  assert.equal(await exited, 0, `${stdout}\n${stderr}`);
  return { stdout, har: readFileSync(join(dir, `${name}.har`), "utf8"), source: readFileSync(join(dir, `${name}.ts`), "utf8") };
}

/** Bundles a draft and runs it with k6 for a few seconds: its exit code and output. */
async function runDraft(name: string, env: string[]): Promise<{ status: number | null; output: string }> {
  const script = await bundleFile(join(dir, `${name}.ts`), join(dir, `${name}.js`));
  const run = spawnSync(ensureK6({ quiet: true }), ["run", "-q", "-e", "VUS=2", "-e", "DURATION=4s", ...env.flatMap((e) => ["-e", e]), script], { encoding: "utf8", timeout: 90_000 });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

async function runsGreen(name: string, env: string[]): Promise<void> {
  const { status, output } = await runDraft(name, env);
  assert.equal(status, 0, output.slice(-3000));
}

const bounded = <T>(p: Promise<T>, what: string): Promise<T> => Promise.race([p, new Promise<T>((_, j) => setTimeout(() => j(new Error(`${what}: no answer within 5 s`)), 5_000))]);

test("the recording proxy: a Node socket.io-client session through it becomes a scenario that runs green, secrets redacted", { timeout: 150_000 }, async () => {
  const name = "recorded-proxy";
  const { stdout, har, source } = await recordThroughProxy(target.url, name, async (url) => {
    // A client that is not a browser: polling first, then the upgrade; a token in its auth.
    const socket = io(url, { auth: { token: "s3cret-token-value" }, reconnection: false });
    try {
      await bounded(new Promise<void>((r, j) => socket.once("connect", () => r()).once("connect_error", j)), "connect");
      const first = (await socket.timeout(5000).emitWithAck("echo", { hello: "world", player: "bob-0002" })) as { player: string };
      await new Promise((r) => setTimeout(r, 100));
      await socket.timeout(5000).emitWithAck("echo", { again: first.player });
      const ticks = new Promise<void>((r) => {
        let n = 0;
        socket.on("tick", () => ++n === 3 && r());
      });
      socket.emit("subscribe", { count: 3, interval_ms: 100 });
      await bounded(ticks, "three ticks");
    } finally {
      socket.disconnect();
    }
    await new Promise((r) => setTimeout(r, 200));
  });
  assert.match(stdout, /client -> server {2}echo x2, acked 2\/2/);
  assert.match(stdout, /polling upgraded to websocket/);
  assert.doesNotMatch(har, /s3cret-token-value/, "the token never reaches the written HAR");
  assert.doesNotMatch(source, /s3cret/);
  assert.match(source, /"token": __ENV\.AUTH_TOKEN/);
  await runsGreen(name, [`TARGET_URL=${target.url}`, "AUTH_TOKEN=another"]);
});

/** An HS256 JWT, as the chat mimic verifies it. */
function jwt(claims: object, secret: string): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString("base64url");
  const body = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

const chatMimic = pythonPeers("chat_mimic.py", ["--port", "0"]);

test("the recording proxy in front of a python-socketio chat: join, send, its broadcast back, leave; the draft runs green with the token from the environment", { timeout: 150_000 }, async () => {
  const peer = await chatMimic();
  const token = jwt({ sub: "user-17" }, "mimic-secret");
  const name = "recorded-chat";
  const { stdout, source } = await recordThroughProxy(peer.url, name, async (url) => {
    const socket = io(url, { auth: { token }, transports: ["websocket"], reconnection: false });
    try {
      await bounded(new Promise<void>((r, j) => socket.once("connect", () => r()).once("connect_error", j)), "connect");
      const joined = new Promise((r) => socket.once("joined_conversation", r));
      await socket.timeout(5000).emitWithAck("join_conversation", { conversation_id: "conv-0077" });
      await bounded(joined, "joined_conversation");
      const message = new Promise((r) => socket.once("new_message", r));
      await socket.timeout(5000).emitWithAck("send_message", { conversation_id: "conv-0077", content: "hello from the recording" });
      await bounded(message, "new_message");
      await socket.timeout(5000).emitWithAck("leave_conversation", { conversation_id: "conv-0077" });
    } finally {
      socket.disconnect();
    }
    await new Promise((r) => setTimeout(r, 200));
  });
  assert.match(stdout, /new_message x1, each within 2000 ms of 'send_message': read as its answer/);
  assert.doesNotMatch(source, new RegExp(token.split(".")[2]!), "the recorded JWT is not in the draft");
  assert.match(source, /valueAt\(w\d+\.args, \[0,"conversation_id"\]\)/, "the conversation id sent later is read from joined_conversation");
  await runsGreen(name, [`TARGET_URL=${peer.url}`, `AUTH_TOKEN=${token}`]);
  // The same draft against the chat whose broadcasts go to another room: the recorded answer never
  // comes, the step fails, the run exits 99 naming the steps threshold.
  const faulty = await chatMimic("--fault", "room-name");
  const broken = await runDraft(name, [`TARGET_URL=${faulty.url}`, `AUTH_TOKEN=${token}`, "WAIT_MS=1000"]);
  assert.equal(broken.status, 99, broken.output.slice(-3000));
  assert.match(broken.output, /recorded_chat_steps/);
  assert.match(broken.output, /the recorded step 'new_message arrived' did not happen as recorded/);
});
