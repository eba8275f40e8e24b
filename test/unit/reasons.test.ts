// The reasons the library records and the tables of docs/metrics.md that explain them must
// list the same names: a reason added in code without its meaning (or a stale row) fails here.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DECODE_ERROR_REASONS } from "../../src/socketio/protocol/metrics";
import { CONNECT_ERROR_REASONS, DISCONNECT_REASONS, HANDSHAKE_FAILURES } from "../../src/socketio/protocol/reasons";

const docs = readFileSync(join(import.meta.dirname, "..", "..", "docs", "metrics.md"), "utf8");

/** The first column of the table under `### <heading>`, without backquotes. */
function tableNames(heading: string): string[] {
  const section = docs.split(`### ${heading}\n`)[1];
  assert.ok(section, `docs/metrics.md has a "### ${heading}" section`);
  const rows = section.split("\n## ")[0]!.split("\n### ")[0]!.split("\n").filter((l) => /^\| `/.test(l));
  for (const row of rows) assert.match(row, /^\| `[^`]+` \| \S.*\|$/, `a row with a meaning: ${row}`);
  return rows.map((row) => /^\| `([^`]+)`/.exec(row)![1]!);
}

test("every disconnect reason is documented, and only those", () => {
  assert.deepEqual(tableNames("Disconnect reasons"), [...DISCONNECT_REASONS]);
});

test("every connect-error reason is documented: the handshake failures in the table, the disconnect reasons named above it", () => {
  assert.deepEqual(tableNames("Connect-error reasons"), [...HANDSHAKE_FAILURES]);
  const intro = docs.split("### Connect-error reasons\n")[1]!.split("| reason |")[0]!;
  const fromDisconnects = CONNECT_ERROR_REASONS.filter((r) => !(HANDSHAKE_FAILURES as readonly string[]).includes(r));
  assert.deepEqual([...intro.matchAll(/`([^`]+)`/g)].map((m) => m[1]), fromDisconnects);
  assert.ok(fromDisconnects.includes("ping timeout"), "a ping timeout while the CONNECT waits is a connect error");
});

test("every decode-error reason is documented, and only those", () => {
  assert.deepEqual(tableNames("Decode-error reasons"), [...DECODE_ERROR_REASONS]);
});
