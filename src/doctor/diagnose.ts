// Turns what a step observed into a likely cause and a fix. Pure: the step runners gather the
// facts (status codes, bodies, k6 error codes, timings), these rules explain them.

export interface Diagnosis {
  cause: string;
  fix: string;
}

/** k6's error_code for a failed request (https://grafana.com/docs/k6/latest/javascript-api/error-codes/). */
export function diagnoseNetwork(errorCode: number, error: string, host: string): Diagnosis {
  if (errorCode >= 1100 && errorCode < 1200) {
    return { cause: `DNS lookup of ${host} failed (${error})`, fix: "check the host name in TARGET_URL and that it resolves from this machine" };
  }
  if (errorCode === 1211 || errorCode === 1050 || /timeout/i.test(error)) {
    return { cause: `TCP connect to ${host} timed out (${error})`, fix: "a firewall drops the traffic or the port is wrong; check the port and security groups" };
  }
  if (errorCode === 1212 || /refused/i.test(error)) {
    return { cause: `connection refused by ${host} (${error})`, fix: "nothing listens on that port: check the port, and that the server is up and bound to a reachable address (not 127.0.0.1 inside a container)" };
  }
  if (errorCode >= 1300 && errorCode < 1400) {
    return { cause: `TLS handshake with ${host} failed (${error})`, fix: "check the certificate (expired, self-signed, wrong host name) or use http:// for a plain-text server" };
  }
  return { cause: `request to ${host} failed (${error || `k6 error ${errorCode}`})`, fix: "check that the server is reachable from this machine" };
}

/** engine.io's error bodies: {"code":N,"message":"..."} */
export function engineErrorCode(body: string): { code: number; message: string } | null {
  try {
    const o = JSON.parse(body) as { code?: unknown; message?: unknown };
    return typeof o.code === "number" ? { code: o.code, message: String(o.message ?? "") } : null;
  } catch {
    return null;
  }
}

/** Engine.IO v3 (Socket.IO v2) frames polling packets as `<length>:<packet>`. */
export function looksLikeEio3(body: string): boolean {
  return /^\d+:0\{/.test(body) || /^\x00[\d\x00-\x09]*\xff0\{/.test(body);
}

export function diagnoseHandshakeStatus(status: number, body: string, path: string, transport: "polling" | "websocket"): Diagnosis {
  const engine = engineErrorCode(body);
  if (status === 404) {
    return {
      cause: `nothing answers at ${path} (HTTP 404): the server's \`path\` option is different, or a proxy does not route ${path}`,
      fix: "set -e ENGINE_PATH to the server's path (socket.io default /socket.io/), or route that path to the Socket.IO server",
    };
  }
  if (status === 403 || engine?.code === 4) {
    return {
      cause: "the server refused the request as forbidden (HTTP 403): CORS or an allowRequest/origin check rejects this client",
      fix: "add this client's Origin to the server's cors.origin (python-socketio: cors_allowed_origins), or send the expected Origin with -e HEADERS='{\"Origin\":\"https://…\"}'",
    };
  }
  if (engine?.code === 5) {
    return {
      cause: `the server does not speak Engine.IO v4 ("${engine.message}"): EIO version mismatch`,
      fix: "the server refused the Engine.IO version asked for: the library asks for v4 unless the connect options say protocol: 3 (the doctor always asks for v4); match the server, or enable allowEIO3 there for v3 clients",
    };
  }
  if (engine?.code === 0 && transport === "websocket") {
    return {
      cause: 'the server does not accept WebSocket connections ("Transport unknown"): its transports option allows only polling',
      fix: 'enable the websocket transport on the server (socket.io: transports: ["polling", "websocket"]), or test with -e TRANSPORT=polling',
    };
  }
  if (engine?.code === 0) {
    return {
      cause: 'the server does not accept HTTP long-polling ("Transport unknown"): it is WebSocket-only',
      fix: "fine if your clients use transports: [\"websocket\"]; otherwise enable polling on the server",
    };
  }
  if (engine?.code === 1) return sessionUnknown();
  if (status === 400 && transport === "websocket") {
    return {
      cause: `the WebSocket upgrade was refused (HTTP 400${engine ? `: ${engine.message}` : ""})`,
      fix: "a proxy or load balancer in front of the server may not pass Upgrade/Connection headers: enable WebSocket support there",
    };
  }
  if (status === 502 || status === 503 || status === 504) {
    return { cause: `a proxy in front of the server answered HTTP ${status}: the Socket.IO server behind it is down or unreachable`, fix: "check the backend's health and the proxy's upstream settings" };
  }
  return { cause: `unexpected HTTP ${status}${engine ? ` (engine.io error ${engine.code}: ${engine.message})` : ""}`, fix: "check the server's logs for this request" };
}

export function sessionUnknown(): Diagnosis {
  return {
    cause: '"Session ID unknown": a request of the same session reached a server instance that does not know it. Several instances run without sticky sessions',
    fix: "enable session affinity (sticky sessions, e.g. a cookie) on the load balancer, or use the websocket transport only; with several instances also use an adapter (Redis) for broadcasts",
  };
}

export function diagnoseConnectError(message: string, data: unknown, namespace: string): Diagnosis {
  if (/invalid namespace/i.test(message)) {
    return { cause: `the server has no namespace ${namespace} ("Invalid namespace")`, fix: "check -e NAMESPACE against the namespaces the server defines (io.of(...), python-socketio: namespace=...)" };
  }
  const detail = data === undefined ? "" : ` (data: ${JSON.stringify(data)})`;
  return {
    cause: `the server refused the namespace connect: "${message}"${detail}: authentication or a connection middleware rejected it`,
    fix:
      "give the credentials where the server reads them: in the CONNECT payload (socket.handshake.auth: -e AUTH_TOKEN=…), " +
      `in a header (-e HEADERS='{"Authorization":"Bearer …"}'), in the query (-e QUERY='{"token":"…"}'), or as a session cookie ` +
      `from the server's own login (-e HEADERS='{"Cookie":"session=…"}'; Flask-SocketIO and Express sessions read the cookie of the handshake request)`,
  };
}

export function diagnoseMissingAck(event: string, namespace: string, alive: boolean, serverSaid: string | undefined): Diagnosis {
  const said = serverSaid ? ` Meanwhile the server sent: ${serverSaid}.` : "";
  if (!alive) {
    return { cause: `no ack for '${event}' and the connection died while waiting.${said}`, fix: "see the heartbeat step; the server or a proxy dropped the connection" };
  }
  return {
    cause: `the connection is alive but '${event}' was never acked: no handler for '${event}' in namespace ${namespace}, a handler that raises, a handler that does not call or return the ack, or a blocked worker.${said}`,
    fix: `register the handler in namespace ${namespace} (a handler in another namespace never sees it), make it return a value or call the ack callback, and check the server log for exceptions`,
  };
}

export function diagnoseEarlyClose(afterMs: number, planned: number): Diagnosis {
  return {
    cause: `the connection was closed after ${(afterMs / 1000).toFixed(1)} s of a planned ${(planned / 1000).toFixed(0)} s hold: a proxy, load balancer or platform timeout cuts long connections`,
    fix: "raise the idle or maximum connection timeout of the proxy/platform (e.g. nginx proxy_read_timeout, cloud load balancer timeout) above the Socket.IO ping interval and your sessions' length",
  };
}
