// Command line of the reference server. Fault modes reproduce real servers' bugs so that each
// threshold can be shown to catch one.

export const FAULTS = {
  "no-ack": "queue_join is handled but never acked",
  "no-rate-limit": "the 5 joins per minute limit is not enforced",
  "keep-dead-players": "a player who disconnects while queued stays queued; the join that would seat it with others is never acked and no match_found is sent (the four are dropped)",
  "seat-dead-players": "a player who disconnects while queued stays queued, and is seated with live players, who get a match with a player who left",
  "slow-ack": "slow-ack=MS: queue_join acks are delayed by MS milliseconds",
  garbage: "undecodable frames are sent to every client after it connects",
  "close-handshake": "every connection is dropped during the Engine.IO handshake",
  "no-websocket": "only HTTP long-polling is offered: WebSocket connections and upgrades are refused",
  "stop-pings": "the server stops sending Engine.IO pings after the namespace connect",
  "slow-confirm": "slow-confirm=MS: CHSH answer_confirmed is delayed by MS milliseconds",
  "no-questions": "CHSH teams form but new_question is never sent",
  "room-namespace": "room broadcasts (chat, game rooms) go to the right room in the wrong namespace: nothing is delivered",
  "forbidden-origin": "requests whose Origin is not https://allowed.example are refused with 403 (a CORS/origin check)",
  race: "game backend: submit_manual_outcome checks, awaits a simulated DB write, then consumes the roll, unlocked",
  "no-authz": "game backend: anyone may roll or submit in any game, not only its two players",
  "no-auth": "game backend: /game accepts connections without a valid token",
  "stale-sessions": "game backend: clients that vanish (ping timeout) are never announced as disconnected",
  "drop-broadcast": "drop-broadcast=P: each room broadcast delivery (chat, game rooms) is lost with probability P (0..1)",
} as const;

export type FaultName = keyof typeof FAULTS;

export interface TargetOptions {
  host: string;
  port: number;
  faults: Map<FaultName, string>;
  tableSize: number;
  eloWindow: number;
  rateLimit: number;
  rateWindowMs: number;
  authToken: string | undefined;
  /** Engine.IO handshakes must carry these query parameters and headers (name -> value), else 403. */
  requiredQuery: Map<string, string>;
  requiredHeaders: Map<string, string>;
  namespace: string;
  pingInterval: number;
  pingTimeout: number;
  /** Seed of the PRNG behind random choices (CHSH items, dropped broadcasts). */
  seed: number;
  /** The Engine.IO endpoint path (socket.io's `path` option). */
  path: string;
  /** socket.io 4.6+ connection state recovery. */
  recovery: boolean;
  /** The packet format: socket.io's default, or socket.io-msgpack-parser. */
  parser: "default" | "msgpack";
  /** Benchmark fan-out: `broadcast` events per second to every socket (0 = off). */
  broadcastRate: number;
}

export const USAGE = `usage: npm run target -- [--port N] [--host ADDR] [--fault NAME[=VALUE]]...
       [--table-size N] [--elo-window N] [--rate-limit N] [--rate-window-ms MS]
       [--auth-token TOKEN] [--require-query NAME=VALUE]... [--require-header NAME=VALUE]... [--namespace /NSP] [--ping-interval MS] [--ping-timeout MS] [--seed N] [--path /PATH] [--recovery] [--parser msgpack]
       [--broadcast-rate R]
faults:
${Object.entries(FAULTS)
  .map(([k, v]) => `  ${k.padEnd(16)} ${v}`)
  .join("\n")}`;

export class UsageError extends Error {}

export function parseTargetArgs(argv: string[]): TargetOptions {
  const o: TargetOptions = {
    host: "127.0.0.1",
    port: 3000,
    faults: new Map(),
    tableSize: 2,
    eloWindow: 200,
    rateLimit: 5,
    rateWindowMs: 60_000,
    authToken: undefined,
    requiredQuery: new Map(),
    requiredHeaders: new Map(),
    namespace: "/",
    pingInterval: 25_000,
    pingTimeout: 20_000,
    seed: 1,
    path: "/socket.io",
    recovery: false,
    parser: "default",
    broadcastRate: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=") && arg.startsWith("--") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--host":
        o.host = value();
        break;
      case "--port":
        o.port = int(flag, value(), 0, 65535);
        break;
      case "--fault":
        addFault(o.faults, value());
        break;
      case "--table-size":
        o.tableSize = int(flag, value(), 2, 16);
        break;
      case "--elo-window":
        o.eloWindow = int(flag, value(), 0, 100_000);
        break;
      case "--rate-limit":
        o.rateLimit = int(flag, value(), 1, 1_000_000);
        break;
      case "--rate-window-ms":
        o.rateWindowMs = int(flag, value(), 1, 86_400_000);
        break;
      case "--auth-token":
        o.authToken = value();
        break;
      case "--require-query":
        addPair(o.requiredQuery, flag, value(), false);
        break;
      case "--require-header":
        addPair(o.requiredHeaders, flag, value(), true);
        break;
      case "--namespace":
        o.namespace = value();
        if (!o.namespace.startsWith("/")) throw new UsageError("--namespace must start with /");
        break;
      case "--ping-interval":
        o.pingInterval = int(flag, value(), 50, 600_000);
        break;
      case "--ping-timeout":
        o.pingTimeout = int(flag, value(), 50, 600_000);
        break;
      case "--path":
        o.path = value();
        if (!o.path.startsWith("/")) throw new UsageError("--path must start with /");
        break;
      case "--parser": {
        const p = value();
        if (p !== "msgpack" && p !== "default") throw new UsageError(`--parser must be msgpack or default, got "${p}"`);
        o.parser = p;
        break;
      }
      case "--broadcast-rate":
        o.broadcastRate = int(flag, value(), 0, 100_000);
        break;
      case "--recovery":
        o.recovery = true;
        break;
      case "--seed":
        o.seed = int(flag, value(), 0, 2 ** 31 - 1);
        break;
      case "--help":
      case "-h":
        throw new UsageError("");
      default:
        throw new UsageError(`unknown argument ${arg}`);
    }
  }
  return o;
}

function addFault(faults: Map<FaultName, string>, spec: string): void {
  const eq = spec.indexOf("=");
  const name = (eq < 0 ? spec : spec.slice(0, eq)) as FaultName;
  const value = eq < 0 ? "" : spec.slice(eq + 1);
  if (!(name in FAULTS)) throw new UsageError(`unknown fault "${name}"; known faults: ${Object.keys(FAULTS).join(", ")}`);
  if ((name === "slow-ack" || name === "slow-confirm") && !/^\d+$/.test(value)) {
    throw new UsageError(`${name} needs a delay: --fault ${name}=MS`);
  }
  if (name === "drop-broadcast" && !(/^(0(\.\d+)?|1(\.0+)?)$/.test(value))) {
    throw new UsageError("drop-broadcast needs a probability: --fault drop-broadcast=0.05");
  }
  faults.set(name, value);
}

function addPair(into: Map<string, string>, flag: string, spec: string, lowerCaseName: boolean): void {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new UsageError(`${flag} needs NAME=VALUE, got "${spec}"`);
  into.set(lowerCaseName ? spec.slice(0, eq).toLowerCase() : spec.slice(0, eq), spec.slice(eq + 1));
}

function int(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}
