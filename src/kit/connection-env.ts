// The connection options every scenario reads from `-e`, validated in the init context so
// that a bad URL or option stops the test before any VU starts.
import { type ConnectOptions, resolveConnectOptions } from "../socketio";
import type { EnvReader } from "./env";

export interface ConnectionEnv {
  targetUrl: string;
  connectOptions: ConnectOptions;
  connectTimeoutMs: number;
  ackTimeoutMs: number;
}

export function readConnectionEnv(env: EnvReader, defaults: { ackTimeoutMs?: number } = {}): ConnectionEnv {
  const targetUrl = env.string("TARGET_URL", "http://127.0.0.1:3000");
  const namespace = env.optionalString("NAMESPACE");
  const authToken = env.optionalString("AUTH_TOKEN");
  const connectTimeoutMs = env.int("CONNECT_TIMEOUT_MS", 10_000, 1, 600_000);
  const ackTimeoutMs = env.int("ACK_TIMEOUT_MS", defaults.ackTimeoutMs ?? 5_000, 1, 600_000);
  const connectOptions: ConnectOptions = {
    transport: env.oneOf("TRANSPORT", "websocket", ["websocket", "polling", "polling-only"] as const),
    ...(namespace ? { namespace } : {}),
    ...(authToken ? { auth: { token: authToken } } : {}),
    connectTimeout: connectTimeoutMs,
    ackTimeout: ackTimeoutMs,
  };
  resolveConnectOptions(targetUrl, connectOptions);
  return { targetUrl, connectOptions, connectTimeoutMs, ackTimeoutMs };
}

/** Connect options with scenario-specific auth fields merged over the AUTH_TOKEN ones. */
export function withAuth(options: ConnectOptions, auth: Record<string, unknown>): ConnectOptions {
  return { ...options, auth: { ...(options.auth ?? {}), ...auth } };
}
