// The wire trace: with -e SOCKETIO_DEBUG=1 (or the `debug` option) the frames of the first few
// sessions of the first VU are printed, both ways, secrets redacted and long payloads cut, so
// that a scenario that waits for the wrong event or sends the wrong shape shows it at once.
import exec from "k6/execution";
import type { ResolvedOptions } from "../protocol/options";
import { connectionSecrets, Redactor } from "../protocol/redact";
import type { WireTrace } from "../protocol/transport";

const MAX_CHARS = 300;
const DEFAULT_SESSIONS = 3;
/** Sessions traced so far in this VU. */
let traced = 0;

function sessionsToTrace(opts: ResolvedOptions): number {
  if (opts.debug !== undefined) return opts.debug;
  const raw = (typeof __ENV === "object" ? __ENV.SOCKETIO_DEBUG : undefined) ?? "";
  if (raw === "" || raw === "0" || raw.toLowerCase() === "false") return 0;
  const sessions = Number((typeof __ENV === "object" ? __ENV.SOCKETIO_DEBUG_SESSIONS : undefined) ?? DEFAULT_SESSIONS);
  return Number.isInteger(sessions) && sessions > 0 ? sessions : DEFAULT_SESSIONS;
}

function vuId(): number {
  try {
    return exec.vu.idInInstance;
  } catch {
    return 0; // init context
  }
}

/** The trace of a new session, or undefined when it is not to be traced (the usual case: one check per frame). */
export function wireTracer(opts: ResolvedOptions): WireTrace | undefined {
  const limit = sessionsToTrace(opts);
  // setup() runs as VU 0, the first VU is 1: trace those, so that many VUs do not flood the log.
  if (limit === 0 || vuId() > 1 || traced >= limit) return undefined;
  const session = ++traced;
  const redactor = new Redactor(connectionSecrets(opts));
  const prefix = `k6-socketio trace vu${vuId()} s${session}`;
  const show = (frame: string | ArrayBuffer): string => {
    if (typeof frame !== "string") return `<binary ${frame.byteLength} bytes>`;
    const text = redactor.text(frame);
    return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}… (${text.length} chars)` : text;
  };
  return {
    sent: (frame) => console.log(`${prefix} → ${show(frame)}`),
    received: (frame) => console.log(`${prefix} ← ${show(frame)}`),
    note: (text) => console.log(`${prefix} · ${redactor.text(text)}`),
  };
}
