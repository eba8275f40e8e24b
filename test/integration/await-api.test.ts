// The await API under the real k6 against the reference server, and the wire trace.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { bundleFile } from "../../build.mjs";
import { root } from "../../scripts/lib.mjs";
import { describe, runScenario } from "../helpers/k6run.ts";

test("await API: players at once on every transport, a throwing listener ends only its socket, bad calls are clear; SOCKETIO_DEBUG traces frames with secrets redacted", async () => {
  const script = await bundleFile(join(root, "test", "k6", "await-api.ts"), join(mkdtempSync(join(tmpdir(), "k6sio-await-")), "await-api.js"));
  const run = await runScenario("await-api", { k6ArchivePath: script, env: { SOCKETIO_DEBUG: "1", SOCKETIO_DEBUG_SESSIONS: "10" }, timeoutMs: 60_000 });
  assert.equal(run.code, 0, describe(run));
  assert.equal(run.metric("checks")?.fails, 0, describe(run));
  // k6 prints console lines as logfmt, quotes escaped.
  const out = (run.stdout + run.stderr).replace(/\\"/g, '"');
  assert.doesNotMatch(out, /s3cr3t/, "no secret in any output");
  // The trace shows both directions: the open packet, the CONNECT with its auth redacted, an event.
  assert.match(out, /k6-socketio trace vu1 s\d+ ← 0\{"sid"/);
  assert.match(out, /k6-socketio trace vu1 s\d+ → 40\{"token":"\[redacted\]"\}/);
  assert.match(out, /k6-socketio trace vu1 s\d+ → 42\d*\["echo"/);
  assert.match(out, /k6-socketio trace vu1 s\d+ · dial ws:\/\/127\.0\.0\.1:\d+\/socket\.io\/\?EIO=4&token=\[redacted\]&transport=websocket/);
  assert.match(out, /k6-socketio trace vu1 s\d+ → 2probe/, "the upgrade is traced");
  assert.match(out, /waitFor\('tikc'\) timed out after 500 ms on namespace \/; meanwhile this socket received .*'tick' ×2/);
  assert.match(out, /the 'tick' listener threw: a bug in this player's listener/);
  assert.equal(run.metric("socketio_wait_timeouts")?.count, 1);
  assert.doesNotMatch(out, /GoError|panic|interrupted/);
});
