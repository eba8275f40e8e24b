// What every contract shares: a request and how its reply is classified. A flow asks the
// contract what to send and what a reply means; a reply that fits no class is a contract
// mismatch (the contract does not describe this server), never a server fault.
import type { Player, PlayersSpec } from "./players";

export type { Player };

/** A reply as the flow received it: an ack (event undefined) or a reply event. */
export interface Reply {
  /** The reply event's name, or undefined for an ack. */
  event: string | undefined;
  args: unknown[];
  /** The first argument. */
  data: unknown;
}

/**
 * A request and the classes of its reply. `C` names the classes the flow acts on (accepted,
 * rate_limited, …). `classify` returns undefined for a reply that fits none: a mismatch.
 */
export interface Exchange<Ctx, C extends string> {
  event: string;
  /** The event's arguments for this player or step. */
  args(ctx: Ctx): unknown[];
  /** How the server answers: its ack (default), or the first of these events. */
  reply?: "ack" | { events: string[] };
  classify(reply: Reply, ctx: Ctx): C | undefined;
  /** What the contract expects, in words, for the mismatch message. */
  expects: string;
}

/**
 * How a contract's server is connected to, on top of the run's own connection options. Header,
 * query and cookie values may hold `${player.id}`, `${player.token}` or `${player.<column>}`:
 * they are filled in per player (src/kit/connection-env.ts withContract).
 */
export interface ContractConnection {
  /** The CONNECT payload (socket.handshake.auth) for a player. */
  auth?: (player: Player) => Record<string, unknown>;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** Cookies sent with every handshake request (as one Cookie header). */
  cookies?: Record<string, string>;
  /** The Engine.IO path, e.g. "/socket.io/". */
  path?: string;
  namespace?: string;
  /** An HTTP login per player before the socket connects; its cookies (and CSRF header) go with the handshake. */
  login?: LoginStep;
  /** Where player identities (ids, tokens) come from: a users file or minted JWTs. */
  players?: PlayersSpec;
}

/** An HTTP login per player (see src/kit/login.ts, which runs it). */
export interface LoginStep {
  /** Path (from TARGET_URL's origin) or absolute URL of the login request. */
  url: string;
  method?: "POST" | "GET" | "PUT";
  /** The request body: JSON (default) or form fields; "${player.id}" is filled in. */
  body?: unknown;
  form?: boolean;
  /** A CSRF token to send as `header`: from a JSON field of a GET of `url`, or from a cookie it sets. */
  csrf?: { url: string; json?: string; cookie?: string; header: string };
  /** The login succeeded when the answer has this status (default: any 2xx). */
  status?: number;
}

/** A LoginStep from JSON, or a ContractError naming the place. */
export function checkLoginStep(raw: unknown, where: string): LoginStep {
  const o = raw as Partial<LoginStep> | null;
  if (typeof o !== "object" || o === null || typeof o.url !== "string" || o.url === "") throw new ContractError(`${where}: expected {"url": "/login", "body": {…}, …}`);
  if (o.method !== undefined && !["POST", "GET", "PUT"].includes(o.method)) throw new ContractError(`${where}: method must be POST, GET or PUT`);
  if (o.csrf !== undefined && (typeof o.csrf?.url !== "string" || typeof o.csrf?.header !== "string" || (o.csrf.json === undefined && o.csrf.cookie === undefined))) {
    throw new ContractError(`${where}: csrf must be {"url": "/csrf", "header": "X-CSRFToken", "json": "csrf_token"} (or "cookie": "csrf_token" instead of "json")`);
  }
  return o as LoginStep;
}

export class ContractError extends Error {
  override name = "ContractError";
}
