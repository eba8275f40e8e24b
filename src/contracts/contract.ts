// What every contract shares: a request and how its reply is classified. A flow asks the
// contract what to send and what a reply means; a reply that fits no class is a contract
// mismatch (the contract does not describe this server), never a server fault.

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

/** How a contract's server is connected to, on top of the run's own connection options. */
export interface ContractConnection {
  /** The CONNECT payload (socket.handshake.auth) for a player. */
  auth?: (player: { id: string }) => Record<string, unknown>;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** The Engine.IO path, e.g. "/socket.io/". */
  path?: string;
  namespace?: string;
  /** An HTTP login per player before the socket connects; its cookies (and CSRF header) go with the handshake. */
  login?: LoginStep;
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


export class ContractError extends Error {
  override name = "ContractError";
}
