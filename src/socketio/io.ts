// The await API, on k6's event loop: socket.io-client's names with socket.io-client's meanings,
// and what a load test needs beside them.
//
//   const socket = await io("http://127.0.0.1:3000/chat", { auth: { token } });
//   if (!socket.connected) return;                        // refused, timed out: counted already
//   const match = socket.waitFor("match_found", { timeout: 15_000 });   // wait first, then act
//   const join = await socket.request("queue_join", { player_id, elo });  // { ok, data, elapsedMs }
//   const ack = await socket.timeout(2_000).emitWithAck("ping");         // rejects on timeout
//   socket.disconnect();
//
// Transports: "websocket" (k6/websockets, the default), "polling" (http.asyncRequest handshake,
// then the upgrade to k6/websockets) and "polling-only" (http.asyncRequest throughout). One VU
// can hold many sockets: `await Promise.all([...])`.
import { connected, Socket } from "./async-socket";
import { openPollingOnlySession } from "./k6/polling-session";
import { explain, type LiveSession } from "./k6/session";
import { openWebSocketsSession } from "./k6/websockets-session";
import { type ConnectOptions, type ResolvedOptions, resolveOptions } from "./protocol/options";

export { AckError, Socket } from "./async-socket";

/**
 * Connects to a Socket.IO server and resolves once the namespace is connected, or could not be:
 * it never rejects for the server's or the network's reasons (those are counted in
 * socketio_connect_errors and described by `socket.connectError`), only for bad arguments,
 * which throw at the call.
 */
export function io(url: string, options: ConnectOptions = {}): Promise<Socket> {
  const opts = resolveOptions(url, options);
  const session = openEventLoopSession(opts);
  // session.finished is explained (once per reason and VU), so that a failed threshold comes with its cause.
  return connected(new Socket(session.socket, { closed: session.finished }, undefined));
}


/** A session on k6's event loop: "polling-only" over http.asyncRequest, else over k6/websockets (with the polling upgrade for "polling"). */
export function openEventLoopSession(opts: ResolvedOptions): LiveSession {
  return opts.transport === "polling-only" ? openPollingOnlySession(opts) : openWebSocketsSession(opts);
}
