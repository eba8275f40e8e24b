// A recorded session, whatever recorded it (a browser's HAR, the recording proxy): the HTTP
// requests, and every Engine.IO connection with its frames both ways, in order, timed from the
// capture's start. Everything downstream (decoding, the summary, the drafts) reads only this.

export interface HttpExchange {
  /** Milliseconds from the capture's start. */
  t: number;
  method: string;
  url: string;
  status: number;
  requestHeaders: Record<string, string>;
  requestBody: string | undefined;
  responseHeaders: Record<string, string>;
  responseBody: string | undefined;
  /** The response's content type, without parameters ("application/json"). */
  mimeType: string;
}

/** One frame as it crossed the wire: text, or binary as base64. */
export interface WireFrame {
  t: number;
  dir: "sent" | "received";
  /** A polling body may hold several Engine.IO packets; a WebSocket frame holds one. */
  via: "polling" | "websocket";
  text?: string;
  base64?: string;
}

export interface EngineSession {
  /** Milliseconds from the capture's start to the session's first request. */
  t: number;
  /** The origin and Engine.IO path, without query: http://127.0.0.1:3000/socket.io/ */
  endpoint: string;
  /** The handshake's query without EIO, transport, sid, t (the server's own parameters: tokens, room ids). */
  query: Record<string, string>;
  /** Request headers of the first request (cookies, authorization), as recorded. */
  headers: Record<string, string>;
  eio: 3 | 4;
  /** How the session began: a WebSocket alone, or long-polling (upgraded to a WebSocket or not). */
  transport: "websocket" | "polling";
  upgraded: boolean;
  /** Every Engine.IO payload of the session, polling and WebSocket alike, in time order. */
  frames: WireFrame[];
}

export interface Capture {
  source: string;
  http: HttpExchange[];
  sessions: EngineSession[];
  /** What the reader could not use, and why (a truncated body, an unknown frame). */
  skipped: string[];
}

/** The Engine.IO query parameters that belong to the transport, not to the application. */
export const TRANSPORT_PARAMS: ReadonlySet<string> = new Set(["EIO", "transport", "sid", "t", "j", "b64"]);

/** An Engine.IO request: its endpoint, EIO version, transport and sid; undefined for any other URL. */
export function engineRequest(rawUrl: string): { endpoint: string; eio: 3 | 4; transport: string; sid: string | undefined; query: Record<string, string> } | undefined {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return undefined;
  }
  const eio = url.searchParams.get("EIO");
  const transport = url.searchParams.get("transport");
  if ((eio !== "3" && eio !== "4") || (transport !== "polling" && transport !== "websocket")) return undefined;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!TRANSPORT_PARAMS.has(k)) query[k] = v;
  const scheme = url.protocol === "wss:" ? "https:" : url.protocol === "ws:" ? "http:" : url.protocol;
  return { endpoint: `${scheme}//${url.host}${url.pathname}`, eio: eio === "3" ? 3 : 4, transport, sid: url.searchParams.get("sid") ?? undefined, query };
}
