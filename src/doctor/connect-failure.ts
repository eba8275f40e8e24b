// The doctor's knowledge in a load run: when a connect fails, the likely cause and the fix, as
// `dist/doctor.js` would say them. A refused CONNECT is explained from the server's message; a
// failure before it (HTTP status, closed socket, EOF) by the doctor's first two steps, run once
// (a GET of the Engine.IO polling handshake, bounded), which tell a wrong port, a wrong
// ENGINE_PATH and a server that is not Socket.IO apart.
import type { ResolvedOptions } from "../socketio/protocol/options";
import type { ConnectError } from "../socketio/protocol/socket";
import { connectionSecrets, Redactor } from "../socketio/protocol/redact";
import { type Diagnosis, diagnoseConnectError } from "./diagnose";
import { pollingHandshake, reachability, type DoctorConfig } from "./steps";

/** The command that runs the doctor on the same target, path, namespace and credentials (values of secrets elided). */
export function doctorCommand(opts: ResolvedOptions): string {
  const target = `${opts.target.secure ? "https" : "http"}://${opts.target.authority}`;
  const parts = ["k6 run", `-e TARGET_URL=${target}`];
  if (opts.path !== "/socket.io/") parts.push(`-e ENGINE_PATH=${opts.path}`);
  if (opts.namespace !== "/") parts.push(`-e NAMESPACE=${opts.namespace}`);
  if (opts.auth && Object.keys(opts.auth).length > 0) parts.push("-e AUTH_TOKEN=…");
  if (Object.keys(opts.headers).length > 0) parts.push(`-e HEADERS='{${Object.keys(opts.headers).map((k) => `"${k}":"…"`).join(",")}}'`);
  return `${parts.join(" ")} dist/doctor.js`;
}

/** Why this connect failed and what to do, in the doctor's words (secrets redacted). */
export function diagnoseConnectFailure(opts: ResolvedOptions, error: ConnectError): Diagnosis {
  const redactor = new Redactor(connectionSecrets(opts));
  // The cause may quote the server (which can echo a token back); the fix is our own text.
  const clean = (d: Diagnosis): Diagnosis => ({ cause: redactor.text(d.cause), fix: d.fix });
  if (error.reason === "connect_error") return clean(diagnoseConnectError(error.message, error.data, opts.namespace));
  const cfg: DoctorConfig = {
    targetUrl: `${opts.target.secure ? "https" : "http"}://${opts.target.authority}`,
    target: opts.target,
    namespace: opts.namespace,
    enginePath: opts.path,
    auth: opts.auth,
    headers: opts.headers,
    event: undefined,
    payload: undefined,
    stepTimeoutMs: Math.min(opts.connectTimeout, 3_000),
    ackTimeoutMs: opts.ackTimeout,
    heartbeatMaxMs: 0,
    idleHoldMs: 0,
    stickyRequests: 1,
    secrets: connectionSecrets(opts),
  };
  for (const step of [reachability(cfg), pollingHandshake(cfg).step]) {
    if (step.status === "fail" && step.cause && step.fix) return clean({ cause: step.cause, fix: step.fix });
  }
  return clean({
    cause: `the connect failed [${error.reason}] although the Engine.IO polling handshake at ${opts.path} works: ${error.message}`,
    fix: `run the doctor on the same target (it walks the WebSocket handshake, the upgrade and the namespace connect step by step)`,
  });
}
