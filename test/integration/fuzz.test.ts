// The seeded fuzz test: a server that mutates open packets and frames (truncation, wrong types,
// bad JSON and numbers, namespaces, binary attachments, floods, oversize, abrupt and clean
// closes) against every transport. Each case's decode errors are known exactly, so k6's
// socketio_decode_errors must match them per transport and reason; every case must end as
// expected within its bound, nothing may escape as an uncaught error, and the healthy sibling
// socket in the same VU must get every ack. Replay a failure with FUZZ_SEED=<seed>.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { bundleFile } from "../../build.mjs";
import { root, startProcess } from "../../scripts/lib.mjs";
import { describe, runAgainst } from "../helpers/k6run.ts";
import { type DecodeReason, FUZZ_TRANSPORTS, fuzzCase } from "../peers/fuzz-cases.ts";

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const CASES = Number(process.env.FUZZ_CASES ?? 300);
const REASONS: DecodeReason[] = ["engine_frame", "socket_packet", "attachments", "unknown_ack", "max_payload", "open_packet"];
/** A case's sessionTimeout is 5 s; anything past this bound did not end by itself. */
const CASE_BOUND_MS = 6_000;

test(`fuzz: ${CASES} seeded cases per transport, every bad frame counted, no crash, siblings unharmed (FUZZ_SEED=${SEED})`, async () => {
  console.log(`fuzz seed ${SEED}: replay with FUZZ_SEED=${SEED} node --import tsx --test test/integration/fuzz.test.ts`);
  const script = await bundleFile(join(root, "test", "k6", "fuzz-client.ts"), join(mkdtempSync(join(tmpdir(), "k6sio-fuzz-")), "fuzz.js"));
  const server = await startProcess(join(root, "test", "peers", "fuzz.ts"), ["--seed", String(SEED)]);
  try {
    const run = await runAgainst("fuzz", server.url, { env: { FUZZ_CASES: String(CASES) }, k6ArchivePath: script, timeoutMs: 150_000 });
    const replay = `(replay: FUZZ_SEED=${SEED})`;
    const out = run.stdout + run.stderr;
    assert.equal(run.code, 0, `${replay}\n${describe(run)}`);
    assert.doesNotMatch(out, /GoError|TypeError|ReferenceError|panic|Uncaught|iteration was interrupted/, `no error escaped ${replay}`);

    const lines = new Map<string, { kind: string; ms: number }>();
    for (const m of out.matchAll(/fuzz (\S+) (\d+) (\S+(?: \S+)*?) (\d+)"/g)) lines.set(`${m[1]}:${m[2]}`, { kind: m[3]!, ms: Number(m[4]) });
    // k6/ws runs its cases one at a time per VU, so its counts are known per case.
    const wsDecoded = new Map<number, Record<string, number>>();
    for (const m of out.matchAll(/fuzz decoded ws (\d+) (\{[^}]*\})/g)) wsDecoded.set(Number(m[1]), JSON.parse(m[2]!.replace(/\\"/g, '"')));
    const problems: string[] = [];
    for (const transport of FUZZ_TRANSPORTS) {
      const expected: Record<string, number> = {};
      for (let i = 0; i < CASES; i++) {
        const c = fuzzCase(SEED, transport, i);
        for (const [reason, n] of Object.entries(c.decode)) expected[reason] = (expected[reason] ?? 0) + n;
        const got = lines.get(`${transport}:${i}`);
        if (!got) problems.push(`${transport} case ${i} [${c.label}] reported nothing`);
        else if (got.kind !== c.outcome) problems.push(`${transport} case ${i} [${c.label}]: ${got.kind}, expected ${c.outcome}`);
        else if (got.ms > CASE_BOUND_MS) problems.push(`${transport} case ${i} [${c.label}] took ${got.ms} ms`);
        const perCase = transport === "ws" ? wsDecoded.get(i) : undefined;
        if (perCase && REASONS.some((r) => (perCase[r] ?? 0) !== (c.decode[r] ?? 0))) {
          problems.push(`ws case ${i} [${c.label}]: decode errors ${JSON.stringify(perCase)}, the server sent ${JSON.stringify(c.decode)}`);
        }
      }
      for (const reason of REASONS) {
        const counted = run.metric(`socketio_decode_errors{scenario:${transport},reason:${reason}}`)?.count ?? 0;
        if (counted !== (expected[reason] ?? 0)) problems.push(`${transport}: socketio_decode_errors{reason:${reason}} = ${counted}, the server sent ${expected[reason] ?? 0}`);
      }
    }
    const slowest = [...lines].sort((a, b) => b[1].ms - a[1].ms).slice(0, 3);
    console.log(`k6 ran ${lines.size} cases in ${run.elapsedMs} ms; slowest: ${slowest.map(([k, v]) => `${k} ${v.kind} ${v.ms} ms`).join(", ")}`);
    assert.deepEqual(problems.slice(0, 15), [], `${problems.length} problems ${replay}`);

    for (const transport of ["websockets", "polling", "polling-only"]) {
      const m = new RegExp(`fuzz sibling ${transport} sent=(\\d+) acked=(\\d+) reason=([^"]+)"`).exec(out);
      assert.ok(m, `the ${transport} sibling reported ${replay}`);
      const [sent, acked] = [Number(m[1]), Number(m[2])];
      assert.ok(sent >= 5, `the ${transport} sibling ran alongside the cases (${sent} echoes)`);
      assert.equal(acked, sent, `the ${transport} sibling got every ack ${replay}`);
      assert.equal(m[3], "io client disconnect", `the ${transport} sibling ended only when told to ${replay}`);
    }
  } finally {
    await server.stop();
  }
});
