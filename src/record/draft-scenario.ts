// A scenario in the await API that replays a recorded session per VU: the same events with the
// same arguments, in the same order, after the recorded think times; a request where the client
// asked for an ack (its reply checked for the recorded shape), a waitFor armed before the event
// that each server answer followed, broadcasts counted, and values that came from an earlier
// answer (ids, room codes, tokens) taken from that answer at run time instead of replayed.
import type { Capture } from "./capture";
import type { DecodedSession, Step } from "./decode";
import { eventFacts } from "./summary";

export interface Draft {
  /** The scenario's TypeScript source (src/scenarios/<name>.ts). */
  source: string;
  /** What the draft guessed and the user should check. */
  undecided: string[];
  /** How many values were carried forward from earlier answers. */
  correlated: number;
}

/** A value received earlier, and the expression that reads it in the draft. */
interface Source {
  expr: string;
  value: unknown;
}

/** Keys whose recorded values are secrets: never written into a draft. */
const SECRET_KEY = /token|secret|passw|jwt|auth|session|cookie|api.?key|credential/i;

/** Leaves worth carrying forward: strings of 4+ characters, integers of 3+ digits (small numbers match by chance). */
function correlatable(v: unknown): boolean {
  return (typeof v === "string" && v.length >= 4) || (typeof v === "number" && Number.isInteger(v) && Math.abs(v) >= 100);
}

export function metricPrefix(name: string): string {
  const p = name.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[A-Za-z_]/.test(p) ? p : `s_${p}`;
}

export function draftScenario(name: string, capture: Capture, decoded: DecodedSession[], kit = "../kit"): Draft {
  const undecided: string[] = [];
  const session = decoded.find((d) => d.steps.some((s) => s.type === "connect" && s.dir === "received"));
  if (!session) throw new Error(`${capture.source}: no Socket.IO namespace was connected in the recording, so there is nothing to replay`);
  if (decoded.length > 1) undecided.push(`the recording has ${decoded.length} Engine.IO sessions; the draft replays session ${decoded.indexOf(session) + 1}, the first that connected`);
  const connectSent = session.steps.find((s) => s.type === "connect" && s.dir === "sent");
  const nsp = connectSent?.nsp ?? "/";
  const connectedAt = session.steps.find((s) => s.type === "connect" && s.dir === "received" && s.nsp === nsp)?.t ?? session.session.t;
  const steps = session.steps.filter((s) => s.nsp === nsp && s.t >= connectedAt);
  const others = [...new Set(session.steps.filter((s) => s.nsp !== nsp).map((s) => s.nsp))];
  if (others.length) undecided.push(`events on ${others.join(", ")} are not replayed (the draft connects ${nsp} only): add socket.of("${others[0]}") where the client joined it`);

  const facts = eventFacts([{ ...session, steps }]);
  const answerOf = new Map(facts.filter((f) => f.dir === "received" && f.answers).map((f) => [f.event, f.answers!]));
  const broadcasts = facts.filter((f) => f.dir === "received" && !f.answers).map((f) => f.event);
  const prefix = metricPrefix(name);
  const body: string[] = [];
  const sources: Source[] = [];
  let correlated = 0;
  let n = 0;
  let clock = connectedAt;
  /** Waits armed for a received step (by its index in `steps`), awaited when that step comes. */
  const armed = new Map<number, string>();
  const asRecorded = new Set<string>();

  const expr = (value: unknown, path: string): string => {
    if (correlatable(value)) {
      for (let i = sources.length - 1; i >= 0; i--) {
        const found = findPath(sources[i]!.value, value);
        if (found) {
          correlated++;
          return `valueAt(${sources[i]!.expr}, ${JSON.stringify(found)})`;
        }
      }
      if (typeof value === "string") asRecorded.add(`${path} = ${JSON.stringify(value).slice(0, 60)}`);
    }
    if (Array.isArray(value)) return `[${value.map((v, i) => expr(v, `${path}[${i}]`)).join(", ")}]`;
    if (value !== null && typeof value === "object") {
      const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => {
        if (SECRET_KEY.test(k) && typeof v === "string") {
          undecided.push(`${path}.${k} held a secret in the recording; the draft sends __ENV.SECRET_${k.toUpperCase().replace(/\W/g, "_")} instead`);
          return `${JSON.stringify(k)}: __ENV.SECRET_${k.toUpperCase().replace(/\W/g, "_")} ?? ""`;
        }
        return `${JSON.stringify(k)}: ${expr(v, `${path}.${k}`)}`;
      });
      return `{ ${entries.join(", ")} }`;
    }
    return value === undefined ? "undefined" : JSON.stringify(value);
  };

  const thinkFrom = (t: number): void => {
    const gap = Math.round(t - clock);
    if (gap >= 20) body.push(`  await think(${gap}, thinkScale);`);
  };

  steps.forEach((s, index) => {
    if (s.type === "event" && s.dir === "sent") {
      // Arm, before the emit, a wait for each server event read as this event's answer (its next occurrence).
      for (let j = index + 1; j < steps.length; j++) {
        const r = steps[j]!;
        if (r.dir === "sent" && r.type === "event" && r.event === s.event) break;
        if (r.dir === "received" && r.type === "event" && answerOf.get(r.event!) === s.event && !armed.has(j) && ![...armed.keys()].some((k) => steps[k]!.event === r.event && k > index)) {
          const w = `w${++n}`;
          armed.set(j, w);
          body.push(`  const ${w}Wait = socket.waitFor(${JSON.stringify(r.event)}, { timeout: waitMs });`);
        }
      }
      thinkFrom(s.t);
      const args = s.args.map((a, i) => expr(a, `${s.event}[${i}]`));
      if (s.id !== undefined) {
        const r = `r${++n}`;
        const ack = steps.find((x) => x.type === "ack" && x.dir === "received" && x.id === s.id);
        body.push(`  const ${r} = await socket.request(${[JSON.stringify(s.event), ...args].join(", ")});`);
        const keys = ack && ack.args[0] !== null && typeof ack.args[0] === "object" && !Array.isArray(ack.args[0]) ? Object.keys(ack.args[0] as object) : [];
        const shape = keys.length ? ` && hasKeys(${r}.data, ${JSON.stringify(keys)})` : "";
        const label = JSON.stringify(`${s.event} acked${keys.length ? ` with ${keys.join(", ")}` : ""}`);
        body.push(`  if (!step(check(${r}, { ${label}: (a) => a.ok${shape} }), ${label})) { socket.disconnect(); return; }`);
        if (ack) {
          sources.push({ expr: `${r}.args`, value: ack.args });
          clock = ack.t;
        } else {
          undecided.push(`'${s.event}' asked for an ack the recording never saw answered: the draft still waits ACK_TIMEOUT_MS for it`);
          clock = s.t;
        }
      } else {
        body.push(`  socket.emit(${[JSON.stringify(s.event), ...args].join(", ")});`);
        clock = s.t;
      }
      return;
    }
    if (s.type === "event" && s.dir === "received") {
      const w = armed.get(index);
      if (w === undefined) return; // a broadcast: counted by its listener
      body.push(`  const ${w} = await ${w}Wait;`);
      const label = JSON.stringify(`${s.event} arrived`);
      body.push(`  if (!step(check(${w}, { ${label}: (o) => o.ok }), ${label})) { socket.disconnect(); return; }`);
      sources.push({ expr: `${w}.args`, value: s.args });
      clock = Math.max(clock, s.t);
      return;
    }
    if (s.type === "ack" && s.dir === "sent") undecided.push(`the client acked the server's '${s.event ?? `id ${s.id}`}'; the draft does not (add socket.on("${s.event ?? "event"}", (...args) => (args.at(-1) as (r: unknown) => void)(reply)))`);
  });
  const lastT = steps.at(-1)?.t ?? clock;
  thinkFrom(lastT);
  if (broadcasts.length) {
    for (const b of broadcasts) {
      const f = facts.find((x) => x.dir === "received" && x.event === b)!;
      const label = JSON.stringify(`${b} broadcast at least once (${f.count} recorded)`);
      body.push(`  step(check(seen, { ${label}: (c) => c[${JSON.stringify(b)}]! >= 1 }), ${label});`);
    }
  }
  body.push("  socket.disconnect();");
  for (const v of asRecorded) undecided.push(`sent as recorded: ${v}; if the server wants it unique per player (a name, an email), add \${exec.vu.idInTest}`);

  const code = body.join("\n");
  const helpers = ["countEvents", "hasKeys", "think", "valueAt"].filter((h) => h === "countEvents" || code.includes(`${h}(`));
  const origin = new URL(session.session.endpoint).origin;
  const path = new URL(session.session.endpoint).pathname;
  const source = `// Drafted by \`npm run record\` from ${capture.source}: one recorded session replayed per VU.
// Build and run: npm run build && k6 run -e TARGET_URL=${origin} dist/${name}.js
// Options: -e VUS (5), -e DURATION (30s), -e THINK_SCALE (1: the recorded pauses; 0: none),
// -e WAIT_MS (how long each recorded answer is waited for), plus TARGET_URL, AUTH_TOKEN and the
// other connection options of docs/api.md. Check the "could not decide" list printed with it.
import { check } from "k6";
import exec from "k6/execution";
import { io } from "k6-socketio";
import { readConnectionEnv } from "${kit}/connection-env";
import { mainFlow } from "${kit}/default-scenario";
import { EnvReader } from "${kit}/env";
import { pause } from "${kit}/flow";
import { Rate } from "${kit}/metrics";
import { ${helpers.join(", ")} } from "${kit}/replay";
import { prepareRun, scenarioOptions } from "${kit}/scenario-options";
import { makeHandleSummary } from "${kit}/summary";
import { buildThresholds } from "${kit}/thresholds";

const env = new EnvReader(__ENV);
const connection = readConnectionEnv(env);
const vus = env.int("VUS", 5, 1, 10_000);
const duration = env.duration("DURATION", "30s", 1000);
const thinkScale = env.number("THINK_SCALE", 1, 0, 100);
const waitMs = env.int("WAIT_MS", ${Math.max(5000, ...facts.flatMap((f) => f.ackLatencies).map((x) => Math.ceil(x * 3)))}, 1, 600_000);

export const options = scenarioOptions(
  { users: { executor: "constant-vus", vus, duration, exec: "user" } },
  buildThresholds({ socketio_connect_success: ["rate>0.99"], ${prefix}_steps: ["rate==1"], socketio_stalls: ["count==0"] }, {}, env.json("THRESHOLDS")),
);

/** Every recorded step that happened as recorded (an ack, an answer, a broadcast), and every one that did not, tagged with the step. */
const steps = new Rate("${prefix}_steps");
const failedBefore = new Set<string>();
const step = (ok: boolean, what: string): boolean => {
  steps.add(ok, { step: what });
  if (!ok && !failedBefore.has(what)) {
    failedBefore.add(what);
    console.warn(\`${name}: the recorded step '\${what}' did not happen as recorded (counted in ${prefix}_steps{step}; logged once per VU)\`);
  }
  return ok;
};

export function setup(): void {
  prepareRun();
}

export async function user(): Promise<void> {
  const socket = await io(connection.targetUrl, { ...connection.connectOptions${nsp !== "/" ? `, namespace: ${JSON.stringify(nsp)}` : ""}${path !== "/socket.io/" ? `, path: ${JSON.stringify(path)}` : ""}${connectAuth(connectSent, undecided)} });
  if (!check(socket, { connected: (s) => s.connected })) {
    await pause(1_000);
    return;
  }
  const seen = countEvents(socket, ${JSON.stringify(broadcasts)});
  void seen;
  void exec; // for per-player values: \`name-\${exec.vu.idInTest}\`
${code}
}

export default mainFlow(user, { plays: "users" });

export const handleSummary = makeHandleSummary(${JSON.stringify(name)}, __ENV);
`;
  return { source, undecided, correlated };
}

/** The CONNECT's auth as recorded, its secrets from the environment (AUTH_TOKEN for a token). */
function connectAuth(connect: Step | undefined, undecided: string[]): string {
  const auth = connect?.args[0];
  if (auth === null || typeof auth !== "object" || Array.isArray(auth) || Object.keys(auth).length === 0) return "";
  const parts = Object.entries(auth as Record<string, unknown>).map(([k, v]) => {
    if (SECRET_KEY.test(k)) {
      undecided.push(`the CONNECT's auth.${k} was a secret: the draft reads it from -e AUTH_TOKEN (never from the recording)`);
      return `${JSON.stringify(k)}: __ENV.AUTH_TOKEN ?? ""`;
    }
    return `${JSON.stringify(k)}: ${JSON.stringify(v)}`;
  });
  return `, auth: { ${parts.join(", ")} }`;
}

/** The first path at which `needle` occurs inside `root` (depth-first), or undefined. */
function findPath(root: unknown, needle: unknown, path: (string | number)[] = [], depth = 0): (string | number)[] | undefined {
  if (root === needle) return path;
  if (depth > 8 || root === null || typeof root !== "object") return undefined;
  for (const [k, v] of Object.entries(root as Record<string, unknown>)) {
    const found = findPath(v, needle, [...path, Array.isArray(root) ? Number(k) : k], depth + 1);
    if (found) return found;
  }
  return undefined;
}
