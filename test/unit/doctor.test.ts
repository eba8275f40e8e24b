import assert from "node:assert/strict";
import { test } from "node:test";
import { diagnoseConnectError, diagnoseHandshakeStatus, diagnoseNetwork, looksLikeEio3 } from "../../src/doctor/diagnose";
import { redact, renderReport } from "../../src/doctor/report";

test("handshake statuses map to causes a user can act on", () => {
  assert.match(diagnoseHandshakeStatus(404, "not found", "/socket.io/", "polling").cause, /nothing answers at \/socket\.io\/ \(HTTP 404\)/);
  assert.match(diagnoseHandshakeStatus(403, '{"code":4,"message":"Forbidden"}', "/socket.io/", "polling").cause, /CORS/);
  assert.match(diagnoseHandshakeStatus(400, '{"code":5,"message":"Unsupported protocol version"}', "/socket.io/", "polling").cause, /EIO version mismatch/);
  assert.match(diagnoseHandshakeStatus(400, '{"code":1,"message":"Session ID unknown"}', "/socket.io/", "polling").cause, /without sticky sessions/);
  assert.match(diagnoseHandshakeStatus(400, '{"code":0,"message":"Transport unknown"}', "/socket.io/", "websocket").cause, /does not accept WebSocket/);
  assert.match(diagnoseHandshakeStatus(400, '{"code":3,"message":"Bad request"}', "/socket.io/", "websocket").fix, /Upgrade\/Connection headers/);
  assert.match(diagnoseHandshakeStatus(502, "", "/socket.io/", "polling").cause, /proxy .* HTTP 502/);
});

test("network failures by k6 error code", () => {
  assert.match(diagnoseNetwork(1101, "lookup nope.invalid: no such host", "nope.invalid").cause, /DNS lookup of nope\.invalid failed/);
  assert.match(diagnoseNetwork(1212, "connect: connection refused", "127.0.0.1").cause, /connection refused/);
  assert.match(diagnoseNetwork(1311, "x509: certificate has expired", "h").cause, /TLS handshake/);
});

test("connect errors: invalid namespace vs. refused by middleware", () => {
  assert.match(diagnoseConnectError("Invalid namespace", undefined, "/nope").cause, /no namespace \/nope/);
  assert.match(diagnoseConnectError("unauthorized", { reason: "invalid token" }, "/").cause, /"unauthorized" \(data: \{"reason":"invalid token"\}\)/);
});

test("Engine.IO v3 framing is recognised", () => {
  assert.equal(looksLikeEio3('97:0{"sid":"x","upgrades":["websocket"]}'), true);
  assert.equal(looksLikeEio3('0{"sid":"x"}'), false);
});

test("secrets never reach the report", () => {
  assert.equal(redact('40{"token":"s3cr3t","user":"u"}', []), '40{"token":"***","user":"u"}');
  assert.equal(redact("Bearer abc123 and abc123", ["abc123"]), "Bearer *** and ***");
  const text = renderReport({ target: "http://h", namespace: "/", failed: 1, steps: [{ id: "x", title: "Step", status: "fail", cause: "c", fix: "f", ms: 3 }] });
  assert.match(text, /\[FAIL\] 1\. Step \(3 ms\)\n {7}cause: {4}c\n {7}fix: {6}f/);
  assert.match(text, /1 step\(s\) failed \(exit 99\)/);
});
