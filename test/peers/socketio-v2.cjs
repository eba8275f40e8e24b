// A Socket.IO v2 (Engine.IO v3) server from npm: the doctor's "EIO version mismatch" peer, and
// the conformance checklist's Socket.IO v2 column (the peer events of src/target/conformance.ts).
//   node test/peers/socketio-v2.cjs --port 0 [--ping-interval MS --ping-timeout MS]
const http = require("node:http");
const io = require("socket.io-v2");

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const server = http.createServer();
const sio = io(server, { serveClient: false, pingInterval: arg("--ping-interval", 25000), pingTimeout: arg("--ping-timeout", 5000) });

// v2 has no CONNECT payload: auth arrives in the namespace's query string.
sio.of("/custom").use((socket, next) => (socket.handshake.query.token === "custom-secret" ? next() : next(new Error("unauthorized"))));

for (const nsp of [sio.of("/"), sio.of("/custom")]) {
  nsp.on("connection", (socket) => {
    socket.on("queue_join", (payload, ack) => typeof ack === "function" && ack({ status: "queued", position: 1 }));
    socket.on("echo", (...args) => {
      const ack = args.pop();
      if (typeof ack === "function") ack(...args);
    });
    socket.on("ask", (question) => socket.emit("question", question, (answer) => socket.emit("answered", answer)));
    socket.on("kick_me", () => socket.disconnect());
    socket.on("drop_me", () => socket.conn.close());
    socket.on("burst", (p) => {
      const count = Math.min(50, Math.max(0, Math.floor(Number(p && p.count) || 0)));
      const interval = Math.min(5000, Math.max(1, Math.floor(Number(p && p.interval_ms) || 50)));
      for (let n = 1; n <= count; n++) setTimeout(() => nsp.to(socket.id).emit("burst_item", { n }), n * interval);
    });
    // Engine.IO v3: the client pings; silencing the server means no more pongs.
    socket.on("stop_pinging", (ack) => {
      const conn = socket.conn;
      const send = conn.sendPacket.bind(conn);
      conn.sendPacket = (type, ...rest) => (type === "pong" ? undefined : send(type, ...rest));
      if (typeof ack === "function") ack(true);
    });
  });
}

server.listen(arg("--port", 0), "127.0.0.1", () => {
  console.log(`socket.io v2 peer listening on http://127.0.0.1:${server.address().port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
