// A hostile raw WebSocket server: each kind of bad input is counted under a clear reason, no
// VU throws, no wait outlives its bound, and the run ends on time.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { bundleFile } from "../../build.mjs";
import { root, startProcess } from "../../scripts/lib.mjs";
import { describe, runAgainst } from "../helpers/k6run.ts";

const MODES = ["ok", "truncated", "unknown-type", "invalid-json", "unknown-ack", "missing-attachments", "oversize", "huge-frame", "close-handshake", "no-pings"];

test("hostile server: every bad input counted by reason, the sessions survive or end within their bounds", async () => {
  const script = await bundleFile(join(root, "test", "k6", "hostile-client.ts"), join(mkdtempSync(join(tmpdir(), "k6sio-hostile-")), "hostile.js"));
  const server = await startProcess(join(root, "test", "peers", "hostile.ts"), []);
  try {
    const run = await runAgainst("hostile", server.url, { env: { MODES: MODES.join(",") }, k6ArchivePath: script, timeoutMs: 90_000 });
    assert.equal(run.code, 0, describe(run));
    assert.equal(run.signal, null);
    assert.ok(run.elapsedMs < 45_000, `took ${run.elapsedMs} ms`);
    const out = run.stdout + run.stderr;
    for (const mode of ["ok", "truncated", "unknown-type", "invalid-json", "unknown-ack", "missing-attachments", "oversize", "huge-frame"]) {
      assert.match(out, new RegExp(`hostile ${mode}: survived`), `${mode} survives its bad frames\n${describe(run)}`);
    }
    // The server's clean close (a close frame without status, which k6 reports as an error first) is a server close.
    assert.match(out, /hostile close-handshake: connect_error:transport close /);
    assert.match(out, /hostile no-pings: ended:ping timeout in \d+ ms/);
    const count = (reason: string) => run.metric(`socketio_decode_errors{reason:${reason}}`)?.count ?? 0;
    assert.equal(count("socket_packet"), 3, "truncated, unknown Socket.IO type, invalid JSON");
    assert.equal(count("engine_frame"), 1, "unknown Engine.IO type");
    assert.equal(count("unknown_ack"), 1);
    assert.equal(count("attachments"), 1);
    assert.equal(count("max_payload"), 1);
    assert.equal(count("frame_too_large"), 1, "a 17 MiB frame is dropped unread (maxFrameBytes), not parsed");
    assert.equal(run.metric("socketio_disconnects{reason:ping timeout}")?.count, 1);
    assert.doesNotMatch(out, /GoError|TypeError|ReferenceError|panic/, "no VU threw");
  } finally {
    await server.stop();
  }
});

test("an ack nested 100,000 deep: a contract mismatch logged at once, the run ends on time (not frozen by printing it)", async () => {
  const server = await startProcess(join(root, "test", "peers", "hostile.ts"), []);
  try {
    const run = await runAgainst("matchmaking", server.url, {
      env: { VUS: "1", DURATION: "3s", ACK_TIMEOUT_MS: "1000", MATCH_TIMEOUT_MS: "1000", PROBE_INTERVAL_MS: "50", QUERY: JSON.stringify({ mode: "deep-ack" }) },
      timeoutMs: 120_000,
    });
    assert.equal(run.code, 99, describe(run));
    // JSON.stringify of such a payload takes k6 ~30 s each time: the run took over 70 s before logs were bounded.
    assert.ok(run.elapsedMs < 25_000, `took ${run.elapsedMs} ms\n${describe(run)}`);
    assert.ok((run.metric("matchmaking_contract_mismatches")?.count ?? 0) > 0, describe(run));
    assert.match(run.stdout + run.stderr, /does not recognise queue_join: \[\[\[\[\[\[\[\[\[…\]\]/);
  } finally {
    await server.stop();
  }
});
