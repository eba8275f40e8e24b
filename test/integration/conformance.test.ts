// dist/conformance.js against real servers: the reference socket.io 4.8 with connection state
// recovery, socket.io 3.1 and 2.5 from npm, python-socketio's AsyncServer on aiohttp and under
// ASGI (uvicorn), and Flask-SocketIO (from PyPI, in a project-local venv). Every supported item
// must pass; the matrix in docs/conformance.md must match the run.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildMatrix, documentedMatrix, resultsDir } from "../../scripts/conformance-matrix.mjs";
import { root, startProcess } from "../../scripts/lib.mjs";
import { ensurePythonVenv } from "../../scripts/python-venv.mjs";
import { describe, runAgainst, startTarget } from "../helpers/k6run.ts";

interface Run {
  server: string;
  items: { id: string; title: string; result: string; detail: string }[];
}

const runs: Run[] = [];

/** Runs the checklist; its results join the matrix unless `client` runs it over the event-loop client (CLIENT=async). */
async function conformance(server: string, url: string, client?: "async"): Promise<Run> {
  mkdirSync(resultsDir, { recursive: true });
  const file = client ? join(resultsDir, "..", `conformance-async-${server.replace(/[^\w.-]+/g, "-")}.json`) : join(resultsDir, `${server.replace(/[^\w.-]+/g, "-")}.json`);
  const run = await runAgainst("conformance", url, { env: { SERVER: server, CONFORMANCE_OUT: file, ...(client ? { CLIENT: client } : {}) } });
  assert.equal(run.code, 0, describe(run));
  const result = JSON.parse(readFileSync(file, "utf8")) as Run;
  if (!client) runs.push(result);
  return result;
}

const results = (run: Run) => Object.fromEntries(run.items.map((i) => [i.id, i.result]));

test("conformance: socket.io 4.8 (reference server, connection state recovery on)", async () => {
  const server = await startTarget(["--recovery", "--ping-interval", "500", "--ping-timeout", "500"]);
  try {
    const run = await conformance("socket.io 4.8 (Node)", server.url);
    const r = results(run);
    for (const id of Object.keys(r)) assert.equal(r[id], "pass", `${id}: ${run.items.find((i) => i.id === id)?.detail}`);
  } finally {
    await server.stop();
  }
});

test("conformance: socket.io 4.8 with the msgpack parser", async () => {
  const server = await startTarget(["--recovery", "--parser", "msgpack", "--ping-interval", "500", "--ping-timeout", "500"]);
  try {
    const file = join(resultsDir, "socket.io-4.8-msgpack.json");
    mkdirSync(resultsDir, { recursive: true });
    const run = await runAgainst("conformance", server.url, { env: { SERVER: "socket.io 4.8, msgpack parser", CONFORMANCE_OUT: file, PARSER: "msgpack" } });
    assert.equal(run.code, 0, describe(run));
    const result = JSON.parse(readFileSync(file, "utf8")) as Run;
    runs.push(result);
    const r = results(result);
    for (const id of Object.keys(r)) assert.equal(r[id], "pass", `${id}: ${result.items.find((i) => i.id === id)?.detail}`);
  } finally {
    await server.stop();
  }
});

test("conformance: Socket.IO v2 (socket.io 2.5 from npm, Engine.IO v3 detected from the open packet)", async () => {
  const server = await startProcess(join(root, "test", "peers", "socketio-v2.cjs"), ["--port", "0", "--ping-interval", "500", "--ping-timeout", "500"]);
  try {
    const run = await conformance("Socket.IO v2 (socket.io 2.5)", server.url);
    const r = results(run);
    assert.equal(r.state_recovery, "not supported by server");
    assert.equal(r.auth_rejected, "not supported by server", "v2 sends a message or data, not both");
    for (const id of Object.keys(r)) if (!["state_recovery", "auth_rejected"].includes(id)) assert.equal(r[id], "pass", `${id}: ${run.items.find((i) => i.id === id)?.detail}`);
  } finally {
    await server.stop();
  }
});

// socket.io 3.x sends no maxPayload, like an Engine.IO v3 server: protocol "auto" must still speak v4 to it.
test("conformance: socket.io 3.1 from npm (no maxPayload in its open packet), over k6/ws and over the event-loop client", async () => {
  const server = await startProcess(join(root, "test", "peers", "socketio-v3.ts"), ["--port", "0", "--ping-interval", "500", "--ping-timeout", "500"]);
  try {
    for (const client of [undefined, "async"] as const) {
      const run = await conformance("socket.io 3.1 (Node)", server.url, client);
      const r = results(run);
      assert.equal(r.state_recovery, "not supported by server", "connection state recovery came with socket.io 4.6");
      for (const id of Object.keys(r)) if (id !== "state_recovery") assert.equal(r[id], "pass", `${client ?? "k6/ws"} ${id}: ${run.items.find((i) => i.id === id)?.detail}`);
    }
  } finally {
    await server.stop();
  }
});

for (const [kind, name] of [
  ["aiohttp", "python-socketio AsyncServer (aiohttp)"],
  ["asgi", "python-socketio AsyncServer (ASGI, uvicorn)"],
  ["flask", "Flask-SocketIO"],
] as const) {
  test(`conformance: ${name} from PyPI`, async () => {
    const python = ensurePythonVenv();
    const server = await startProcess(join(root, "test", "peers", "python_server.py"), ["--kind", kind, "--port", "0"], { interpreter: python, timeoutMs: 30_000 });
    try {
      const run = await conformance(name, server.url);
      const r = results(run);
      assert.equal(r.state_recovery, "not supported by server", "python-socketio has no connection state recovery");
      assert.equal(r.ping_timeout, "not supported by server");
      for (const id of Object.keys(r)) if (!["state_recovery", "ping_timeout"].includes(id)) assert.equal(r[id], "pass", `${id}: ${run.items.find((i) => i.id === id)?.detail}`);
    } finally {
      await server.stop();
    }
  });
}

test("conformance over the event-loop client (connectAsync, k6/websockets): every item passes", async () => {
  const server = await startTarget(["--recovery", "--ping-interval", "500", "--ping-timeout", "500"]);
  try {
    const file = join(resultsDir, "..", "conformance-async-client.json");
    const run = await runAgainst("conformance", server.url, { env: { SERVER: "socket.io 4.8 (Node), k6/websockets client", CLIENT: "async", CONFORMANCE_OUT: file } });
    assert.equal(run.code, 0, describe(run));
    const r = results(JSON.parse(readFileSync(file, "utf8")) as Run);
    for (const id of Object.keys(r)) assert.equal(r[id], "pass", id);
  } finally {
    await server.stop();
  }
});

test("docs/conformance.md's matrix is the one this run measured", () => {
  assert.equal(runs.length, 7, "all seven servers ran");
  assert.equal(documentedMatrix(), buildMatrix(runs), "the matrix in docs/conformance.md drifted from the measured results: run `npm run conformance:matrix` after `npm test`");
});
