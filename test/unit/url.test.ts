import assert from "node:assert/strict";
import { test } from "node:test";
import { engineUrl, isLoopback, parseTarget, TargetUrlError } from "../../src/socketio/protocol/url";
import { engineQuery, resolveOptions } from "../../src/socketio/protocol/options";

test("http, https, ws and wss targets", () => {
  assert.deepEqual(parseTarget("http://127.0.0.1:3000"), { secure: false, authority: "127.0.0.1:3000", namespace: "/", query: {} });
  assert.deepEqual(parseTarget("wss://game.example.com/chat?room=a%20b&x"), {
    secure: true,
    authority: "game.example.com",
    namespace: "/chat",
    query: { room: "a b", x: "" },
  });
  assert.equal(parseTarget("https://h/").namespace, "/");
  assert.equal(parseTarget("HTTP://[::1]:8080").authority, "[::1]:8080");
});

test("bad targets are rejected with a message that says what is wrong", () => {
  const cases: [string, RegExp][] = [
    ["127.0.0.1:3000", /expected something like http:\/\//],
    ["", /it is empty; expected something like/],
    ["http://127.0.0.1:3000/%zz", /malformed percent-encoding/],
    ["http://127.0.0.1:3000/?token=%zz", /malformed percent-encoding/],
    ["ftp://host", /scheme ftp: is not/],
    ["http://", /bad host/],
    ["http://exa mple.com", /bad host/],
    ["http://host:99999", /port 99999 is out of range/],
    ["http://user:pw@host", /credentials/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseTarget(input), (err: unknown) => err instanceof TargetUrlError && message.test(err.message), input);
  }
});

test("a bad target's message masks what may be a credential: user info and query values", () => {
  for (const input of ["http://user:s3cr3t@host", "ftp://host/?token=s3cr3t", "http://127.0.0.1:1/%zz?token=s3cr3t&a=1"]) {
    assert.throws(() => parseTarget(input), (err: unknown) => err instanceof TargetUrlError && !err.message.includes("s3cr3t"), input);
  }
  assert.throws(() => parseTarget("ftp://host/?token=s3cr3t&a=1"), /"ftp:\/\/host\/\?token=\[redacted\]&a=1"/);
});

test("engine URLs carry EIO=4, the transport, the sid and the user's query", () => {
  const t = parseTarget("https://h:8443/chat?tenant=t1");
  assert.equal(engineUrl(t, "/socket.io/", "polling", {}), "https://h:8443/socket.io/?EIO=4&tenant=t1&transport=polling");
  assert.equal(
    engineUrl(t, "/custom/", "websocket", { v: "1 2" }, "S/1"),
    "wss://h:8443/custom/?EIO=4&tenant=t1&v=1%202&transport=websocket&sid=S%2F1",
  );
  assert.ok(engineUrl(parseTarget("http://h"), "/socket.io/", "websocket", {}).startsWith("ws://h/"));
  assert.match(engineUrl(parseTarget("http://h"), "/socket.io/", "websocket", { EIO: "3" }), /\?EIO=3&transport=websocket$/, "Engine.IO v3 is asked for by query");
});

test("loopback detection", () => {
  for (const u of ["http://127.0.0.1:1", "http://127.9.9.9", "http://localhost:3000", "http://[::1]:3000", "http://[::1]"]) {
    assert.equal(isLoopback(parseTarget(u)), true, u);
  }
  for (const u of ["http://10.0.0.1", "http://example.com", "http://[::2]:1"]) assert.equal(isLoopback(parseTarget(u)), false, u);
});

test("protocol 3 puts EIO=3 on every Engine.IO request, polling and WebSocket alike", () => {
  const forced = resolveOptions("http://127.0.0.1:3000", { protocol: 3, query: { room: "a" } });
  assert.deepEqual(engineQuery(forced), { room: "a", EIO: "3" });
  assert.match(engineUrl(forced.target, forced.path, "polling", { ...engineQuery(forced), b64: "1" }), /[?&]EIO=3&/);
  assert.match(engineUrl(forced.target, forced.path, "websocket", engineQuery(forced)), /[?&]EIO=3&/);
  const auto = resolveOptions("http://127.0.0.1:3000", {});
  assert.match(engineUrl(auto.target, auto.path, "polling", engineQuery(auto)), /\?EIO=4&/);
});
