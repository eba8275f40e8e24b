// Builds the conformance matrix of docs/conformance.md from the last run's results
// (out/conformance/*.json, written by the conformance tests). `npm run conformance:matrix`
// rewrites docs/conformance.md between its markers; the tests fail when the documented matrix
// differs from what they just measured.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./lib.mjs";

export const resultsDir = join(root, "out", "conformance");
/** The document that holds the matrix, between the markers. */
export const matrixDoc = join(root, "docs", "conformance.md");
const START = "<!-- conformance-matrix:start -->";
const END = "<!-- conformance-matrix:end -->";
/** Column order: the servers as the tests name them. */
export const SERVERS = [
  "socket.io 4.8 (Node)",
  "socket.io 4.8, msgpack parser",
  "socket.io 3.1 (Node)",
  "python-socketio AsyncServer (aiohttp)",
  "python-socketio AsyncServer (ASGI, uvicorn)",
  "Flask-SocketIO",
  "Socket.IO v2 (socket.io 2.5)",
];
const MARK = { pass: "✅ pass", fail: "❌ fail", "not supported by server": "➖ not supported by server", "not implemented by client": "🚧 not implemented by the client yet" };

export function buildMatrix(runs) {
  const byServer = new Map(runs.map((r) => [r.server, r]));
  const present = SERVERS.filter((s) => byServer.has(s));
  const first = byServer.get(present[0]);
  if (!first) throw new Error(`no conformance results in ${resultsDir}: run npm test -- integration first`);
  const lines = [`| checklist item | ${present.join(" | ")} |`, `|---|${present.map(() => "---").join("|")}|`];
  for (const item of first.items) {
    const cells = present.map((s) => MARK[byServer.get(s).items.find((i) => i.id === item.id)?.result] ?? "?");
    lines.push(`| ${item.title} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

export function readRuns() {
  if (!existsSync(resultsDir)) return [];
  return readdirSync(resultsDir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(resultsDir, f), "utf8")));
}

/** The matrix docs/conformance.md shows, or null when it has no markers. */
export function documentedMatrix() {
  const doc = readFileSync(matrixDoc, "utf8");
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  return a < 0 || b < 0 ? null : doc.slice(a + START.length, b).trim();
}

if (process.argv[1] && process.argv[1].endsWith("conformance-matrix.mjs")) {
  const matrix = buildMatrix(readRuns());
  const doc = readFileSync(matrixDoc, "utf8");
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < 0) {
    console.error(`docs/conformance.md has no ${START} … ${END} markers`);
    process.exit(1);
  }
  writeFileSync(matrixDoc, `${doc.slice(0, a + START.length)}\n${matrix}\n${doc.slice(b)}`);
  console.log(matrix);
}
