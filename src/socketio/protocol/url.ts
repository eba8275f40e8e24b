// Target URLs. k6 has no WHATWG URL, so the few shapes we accept are parsed here, strictly,
// with messages a user can act on. Like socket.io-client, the URL's path names the namespace
// and the Engine.IO endpoint path is a separate option (default "/socket.io/").

export interface Target {
  /** true for https:// and wss:// */
  secure: boolean;
  /** host[:port], IPv6 in brackets, as it goes into a URL */
  authority: string;
  /** namespace from the URL path, "/" when none */
  namespace: string;
  /** query parameters from the URL, sent with every handshake request */
  query: Record<string, string>;
}

import { redactUrl } from "./redact";

export class TargetUrlError extends Error {
  override name = "TargetUrlError";
}

const SCHEMES: Record<string, boolean> = { "http:": false, "ws:": false, "https:": true, "wss:": true };
const AUTHORITY = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._~-]+|%[0-9A-Fa-f]{2})+(?::(\d{1,5}))?$/;

export function parseTarget(raw: string): Target {
  const input = String(raw ?? "").trim();
  if (input === "") throw new TargetUrlError("invalid target URL: it is empty; expected something like http://127.0.0.1:3000");
  try {
    return parseNonEmptyTarget(input);
  } catch (err) {
    // decodeURIComponent's bare "URIError: URI malformed" names neither the URL nor the fault.
    if (err instanceof URIError) throw new TargetUrlError(`invalid target URL "${shown(input)}": malformed percent-encoding (a % must be followed by two hex digits)`);
    throw err;
  }
}

/** The URL as a message may show it: a token in the query or user info redacted. */
const shown = (input: string): string => redactUrl(input);

function parseNonEmptyTarget(input: string): Target {
  const example = "expected something like http://127.0.0.1:3000 or wss://game.example.com/chat";
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*:)\/\/(.*)$/.exec(input);
  if (!schemeMatch) throw new TargetUrlError(`invalid target URL "${shown(input)}": ${example}`);
  const scheme = schemeMatch[1]!.toLowerCase();
  const rest = schemeMatch[2]!;
  const secure = SCHEMES[scheme];
  if (secure === undefined) {
    throw new TargetUrlError(`invalid target URL "${shown(input)}": scheme ${scheme} is not http:, https:, ws: or wss:`);
  }
  const hashless = rest.split("#")[0]!;
  const queryAt = hashless.indexOf("?");
  const beforeQuery = queryAt < 0 ? hashless : hashless.slice(0, queryAt);
  const slashAt = beforeQuery.indexOf("/");
  const authority = slashAt < 0 ? beforeQuery : beforeQuery.slice(0, slashAt);
  const path = slashAt < 0 ? "" : beforeQuery.slice(slashAt);
  if (authority.includes("@")) {
    throw new TargetUrlError(`invalid target URL "${shown(input)}": credentials in the URL are not supported; use the auth option`);
  }
  const authorityMatch = AUTHORITY.exec(authority);
  if (!authority || !authorityMatch) throw new TargetUrlError(`invalid target URL "${shown(input)}": bad host "${authority}"; ${example}`);
  const port = authorityMatch[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    throw new TargetUrlError(`invalid target URL "${shown(input)}": port ${port} is out of range`);
  }
  const trimmedPath = path.replace(/\/+$/, "");
  return {
    secure,
    authority,
    namespace: trimmedPath === "" ? "/" : decodeURIComponent(trimmedPath),
    query: queryAt < 0 ? {} : parseQuery(hashless.slice(queryAt + 1)),
  };
}

export function parseQuery(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, " "));
    out[key] = eq < 0 ? "" : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, " "));
  }
  return out;
}

/** "/socket.io" -> "/socket.io/": the form socket.io-client requests and servers match. */
export function normalizeEnginePath(path: string): string {
  const withLead = path.startsWith("/") ? path : `/${path}`;
  return withLead.endsWith("/") ? withLead : `${withLead}/`;
}

export type EngineTransportName = "polling" | "websocket";

/** The Engine.IO endpoint for one transport, with the protocol version and optional sid. */
export function engineUrl(
  target: Target,
  path: string,
  transport: EngineTransportName,
  extraQuery: Record<string, string>,
  sid?: string,
): string {
  const params: Record<string, string> = { EIO: "4", ...target.query, ...extraQuery, transport };
  if (sid !== undefined) params.sid = sid;
  const query = Object.keys(params)
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params[k]!)}`)
    .join("&");
  return `${engineEndpoint(target, path, transport)}?${query}`;
}

/**
 * The Engine.IO endpoint without any query: the `name` tag of k6's http and ws samples. No tag
 * carries a query string: it may hold a secret (a token), and EIO/transport/sid/t would make a
 * time series per session.
 */
export function engineEndpoint(target: Target, path: string, transport: EngineTransportName): string {
  const scheme = transport === "websocket" ? (target.secure ? "wss" : "ws") : target.secure ? "https" : "http";
  return `${scheme}://${target.authority}${normalizeEnginePath(path)}`;
}

/** True for loopback hosts: 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(target: Target): boolean {
  const host = hostOf(target).toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The host without port or IPv6 brackets. */
export function hostOf(target: Target): string {
  const a = target.authority;
  if (a.startsWith("[")) return a.slice(1, a.indexOf("]"));
  const colon = a.indexOf(":");
  return colon < 0 ? a : a.slice(0, colon);
}
