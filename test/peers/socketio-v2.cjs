// A Socket.IO v2 (Engine.IO v3) server from npm, as a test peer for the doctor's
// "EIO version mismatch" verdict. node test/peers/socketio-v2.cjs --port 0
const http = require("node:http");
const io = require("socket.io-v2");

const portArg = process.argv.indexOf("--port");
const port = portArg >= 0 ? Number(process.argv[portArg + 1]) : 0;
const server = http.createServer();
const sio = io(server, { serveClient: false });
sio.on("connection", (socket) => {
  socket.on("queue_join", (payload, ack) => typeof ack === "function" && ack({ status: "queued", position: 1 }));
});
server.listen(port, "127.0.0.1", () => {
  console.log(`socket.io v2 peer listening on http://127.0.0.1:${server.address().port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
