// The connection options every scenario reads from `-e`, validated in the init context so
// that a bad URL or option stops the test before any VU starts.
import { type ConnectOptions, redactUrl, resolveConnectOptions, TargetUrlError } from "../socketio";
import type { ContractConnection, Player } from "../contracts/contract";
import { flatten } from "../contracts/json";
import { fill } from "../contracts/pattern";
import { EnvError, type EnvReader } from "./env";
import { type LoginStep, parseLoginStep } from "./login";
import { noteTarget } from "./run-facts";

export interface ConnectionEnv {
  targetUrl: string;
  /** -e LOGIN: an HTTP login per player before the socket connects (see src/kit/login.ts). */
  login: LoginStep | undefined;
  /** scheme://host[:port] of TARGET_URL, for the login's relative URLs. */
  origin: string;
  connectOptions: ConnectOptions;
  connectTimeoutMs: number;
  ackTimeoutMs: number;
}

export function readConnectionEnv(env: EnvReader, defaults: { ackTimeoutMs?: number } = {}): ConnectionEnv {
  const targetUrl = env.string("TARGET_URL", "http://127.0.0.1:3000");
  noteTarget(redactUrl(targetUrl));
  const namespace = env.optionalString("NAMESPACE");
  const authToken = env.optionalString("AUTH_TOKEN");
  const enginePath = env.optionalString("ENGINE_PATH");
  const headers = stringMap(env, "HEADERS");
  const query = stringMap(env, "QUERY");
  const connectTimeoutMs = env.int("CONNECT_TIMEOUT_MS", 10_000, 1, 600_000);
  const ackTimeoutMs = env.int("ACK_TIMEOUT_MS", defaults.ackTimeoutMs ?? 5_000, 1, 600_000);
  const stallAfterMs = env.int("STALL_AFTER_MS", 10_000, 1, 600_000);
  const connectOptions: ConnectOptions = {
    transport: env.oneOf("TRANSPORT", "websocket", ["websocket", "polling", "polling-only"] as const),
    ...(namespace ? { namespace } : {}),
    ...(authToken ? { auth: { token: authToken } } : {}),
    ...(enginePath ? { path: enginePath } : {}),
    ...(headers ? { headers } : {}),
    ...(query ? { query } : {}),
    protocol: readProtocol(env),
    connectTimeout: connectTimeoutMs,
    ackTimeout: ackTimeoutMs,
    stallAfter: stallAfterMs,
  };
  const resolved = resolveTarget(targetUrl, connectOptions);
  const origin = `${resolved.target.secure ? "https" : "http"}://${resolved.target.authority}`;
  // socket.io-client reads a URL's path as the namespace: "/socket.io/" there is almost always
  // meant as the Engine.IO path, and the server would answer "Invalid namespace".
  if (/^\/(socket\.io|engine\.io)(\/|$)/.test(resolved.namespace) && !namespace) {
    throw new EnvError(
      `-e TARGET_URL=${origin}${resolved.namespace}: its path ${resolved.namespace} would be the Socket.IO namespace (as in socket.io-client), and looks like the Engine.IO path instead; ` +
        `give the server's origin (e.g. ${origin}) and, if the path is not /socket.io/, -e ENGINE_PATH=${resolved.namespace}`,
    );
  }
  const loginRaw = env.json<unknown>("LOGIN");
  const login = loginRaw === undefined ? undefined : parseLoginStep(loginRaw, "-e LOGIN");
  return { targetUrl, connectOptions, connectTimeoutMs, ackTimeoutMs, login, origin };
}

/** resolveConnectOptions, its URL errors naming the variable they came from. */
function resolveTarget(targetUrl: string, connectOptions: ConnectOptions) {
  try {
    return resolveConnectOptions(targetUrl, connectOptions);
  } catch (err) {
    if (err instanceof TargetUrlError) throw new EnvError(`-e TARGET_URL: ${err.message}`);
    throw err;
  }
}

/** -e PROTOCOL: auto (default), 3 (Socket.IO v2) or 4 (Socket.IO 3+, which skips the "auto" wait for a server without maxPayload). */
export function readProtocol(env: EnvReader): 3 | 4 | "auto" {
  const protocol = env.oneOf("PROTOCOL", "auto", ["auto", "3", "4"] as const);
  return protocol === "auto" ? "auto" : protocol === "3" ? 3 : 4;
}

/** -e NAME='{"key":"value"}': an object of strings, or undefined when not given. */
function stringMap(env: EnvReader, name: string): Record<string, string> | undefined {
  const raw = env.json<unknown>(name);
  if (raw === undefined) return undefined;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || !Object.values(raw).every((v) => typeof v === "string")) {
    throw new EnvError(`-e ${name}: expected a JSON object of strings, e.g. {"X-Api-Key":"…"}`);
  }
  return raw as Record<string, string>;
}

/**
 * The run's connect options with what a contract adds for `player`: its path, namespace,
 * headers, query, cookies and CONNECT auth, templates filled with the player's fields (the run's
 * own -e options win where both say something).
 */
export function withContract(options: ConnectOptions, contract: ContractConnection | undefined, player: Player): ConnectOptions {
  if (!contract) return options;
  const vars = flatten({ player: player as unknown as Record<string, unknown> });
  const filled = (m: Record<string, string>) => fill(m, vars) as Record<string, string>;
  const headers = { ...(contract.headers ? filled(contract.headers) : {}) };
  if (contract.cookies) {
    const jar = Object.entries(filled(contract.cookies)).map(([k, v]) => `${k}=${v}`).join("; ");
    headers.Cookie = headers.Cookie ? `${headers.Cookie}; ${jar}` : jar;
  }
  return {
    ...options,
    ...(contract.path && !options.path ? { path: contract.path } : {}),
    ...(contract.namespace && !options.namespace ? { namespace: contract.namespace } : {}),
    ...(Object.keys(headers).length > 0 ? { headers: { ...headers, ...(options.headers ?? {}) } } : {}),
    ...(contract.query ? { query: { ...filled(contract.query), ...(options.query ?? {}) } } : {}),
    ...(contract.auth ? { auth: { ...contract.auth(player), ...(options.auth ?? {}) } } : {}),
  };
}

/** Connect options with scenario-specific auth fields merged over the AUTH_TOKEN ones. */
export function withAuth(options: ConnectOptions, auth: Record<string, unknown>): ConnectOptions {
  return { ...options, auth: { ...(options.auth ?? {}), ...auth } };
}
