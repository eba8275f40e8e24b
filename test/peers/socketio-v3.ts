// A Socket.IO 3.x server from npm (socket.io 3.1.2, Engine.IO v4 without maxPayload in its open
// packet): the conformance checklist's socket.io 3 column, with the reference server's peer events.
//   node --import tsx test/peers/socketio-v3.ts --port 0 [--ping-interval MS --ping-timeout MS]
import { createServer, type Server as HttpServer } from "node:http";
import { createRequire } from "node:module";
import type { Server as ServerV4 } from "socket.io";
import { serveEcho } from "../../src/target/echo.ts";
import { serveConformance } from "../../src/target/conformance.ts";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const http = createServer();
// socket.io 3.x's package exports hide its typings from TypeScript's resolution: load it untyped.
const { Server } = createRequire(import.meta.url)("socket.io-v3") as { Server: new (http: HttpServer, options: object) => unknown };
const io = new Server(http, { serveClient: false, pingInterval: arg("--ping-interval", 25_000), pingTimeout: arg("--ping-timeout", 20_000) });
// The 3.x API these events use (of, use, on, emit with an ack, conn.close) is the 4.x one.
const asV4 = io as unknown as ServerV4;
serveEcho(asV4.of("/"));
serveConformance(asV4, asV4.of("/"));

http.listen(arg("--port", 0), "127.0.0.1", () => {
  const address = http.address();
  console.log(`socket.io v3 peer listening on http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
});
process.on("SIGTERM", () => http.close(() => process.exit(0)));
