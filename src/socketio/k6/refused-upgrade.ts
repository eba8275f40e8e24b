// k6/websockets reports a refused WebSocket handshake only as "websocket: bad handshake",
// without the HTTP status that k6/ws gives. Asking the same URL once over HTTP recovers what
// the server answers there (engine.io: 400 {"code":0,"message":"Transport unknown"} when
// websocket is off; a proxy's 403…), so that the connect error reads as http_<status>.
import http from "k6/http";
import { preview } from "../protocol/handshake";
import type { ResolvedOptions } from "../protocol/options";
import { redactUrl } from "../protocol/redact";
import type { ConnectError } from "../protocol/socket";
import { throwing } from "./quiet-http";

export function dialError(opts: ResolvedOptions, url: string, error: string, deadline: number): Promise<ConnectError> {
  const what = `WebSocket handshake to ${redactUrl(url)}`;
  const remaining = deadline - Date.now();
  if (!/bad handshake/i.test(error) || remaining <= 0) return Promise.resolve({ reason: "network", message: `${what} failed: ${error}` });
  const httpUrl = url.replace(/^ws/, "http");
  const params = throwing({ headers: opts.headers, timeout: `${Math.max(1, Math.min(remaining, 5_000))}ms`, tags: { ...opts.tags, name: "websocket upgrade refused" }, responseType: "text" as const });
  return http.asyncRequest("GET", httpUrl, null, params).then(
    (res): ConnectError =>
      res.status >= 300
        ? { reason: `http_${res.status}`, message: `${what} refused: HTTP ${res.status}${res.body ? `: ${preview(String(res.body))}` : ""}` }
        : { reason: "upgrade_refused", message: `${what} refused (${error}); a plain GET of that URL answered HTTP ${res.status}` },
    (): ConnectError => ({ reason: "upgrade_refused", message: `${what} refused (${error})` }),
  );
}
