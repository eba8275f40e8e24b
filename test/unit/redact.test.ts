import assert from "node:assert/strict";
import { test } from "node:test";
import { connectionSecrets, isSensitiveKey, Redactor, redactUrl, urlWithoutQuery } from "../../src/socketio/protocol/redact";
import { engineEndpoint, engineUrl, parseTarget, TargetUrlError } from "../../src/socketio/protocol/url";
import { failedRequest } from "../../src/socketio/k6/quiet-http";

test("sensitive keys: substrings, any case, URL-encoded; harmless keys stay readable", () => {
  const sensitive = ["token", "access_token", "X-Api-Key", "apikey", "api_key", "key", "client_secret", "password", "passwd", "pwd", "Authorization", "auth", "signature", "X-Amz-Signature", "sig", "hmac_sig", "sig-v2", "jwt", "id_token", "session", "PHPSESSID", "sessionid", "Cookie", "credential", "csrf", "_xsrf", "bearer", "ticket", "x%2Dapi%2Dkey"];
  for (const key of sensitive) assert.equal(isSensitiveKey(key), true, key);
  for (const key of ["EIO", "transport", "sid", "t", "room", "player_id", "elo", "b64", "design", "config"]) assert.equal(isSensitiveKey(key), false, key);
});

test("redactUrl: sensitive query and fragment values and user:password go, the rest stays", () => {
  assert.equal(redactUrl("http://127.0.0.1:3000/chat?room=a&token=s3cr3t&x-api-key=k1#access_token=f"), "http://127.0.0.1:3000/chat?room=a&token=[redacted]&x-api-key=[redacted]#access_token=[redacted]");
  assert.equal(redactUrl("wss://u:p4ss@h/socket.io/?EIO=4&transport=websocket&sid=S"), "wss://[redacted]@h/socket.io/?EIO=4&transport=websocket&sid=S");
  assert.equal(redactUrl("http://h/x"), "http://h/x");
  assert.equal(redactUrl("http://h/?token=t", "***"), "http://h/?token=***");
  assert.equal(urlWithoutQuery("ws://h:1/socket.io/?EIO=4&token=t#f"), "ws://h:1/socket.io/");
});

test("Redactor: a URL inside JSON text loses its secret and the JSON stays JSON", () => {
  const r = new Redactor([]);
  const text = JSON.stringify({ message: "GET http://h/?EIO=4&token=abc123&room=r failed", n: 1 });
  const out = r.text(text);
  assert.equal(JSON.parse(out).message, "GET http://h/?EIO=4&token=[redacted]&room=r failed");
  assert.equal(r.text("dial ws://user:pw@h/"), "dial ws://[redacted]@h/");
});

test("connectionSecrets: auth values, secret-looking headers, and sensitive query values of the URL and the options", () => {
  const secrets = connectionSecrets({
    auth: { token: "a-token" },
    headers: { "X-Api-Key": "h-key", Authorization: "Bearer b-token", "X-Trace": "not-secret" },
    query: { session: "q s" },
    target: parseTarget("http://h/?token=url-token&room=lobby"),
  });
  for (const s of ["a-token", "h-key", "Bearer b-token", "b-token", "url-token", "q s", "q%20s"]) assert.ok(secrets.includes(s), s);
  assert.ok(!secrets.includes("not-secret") && !secrets.includes("lobby"));
});

test("tags get the bare endpoint: no query (token, EIO, transport, sid) at all", () => {
  const target = parseTarget("https://game.example.com/chat?token=s3cr3t");
  assert.equal(engineEndpoint(target, "/socket.io", "websocket"), "wss://game.example.com/socket.io/");
  assert.equal(engineEndpoint(target, "/socket.io/", "polling"), "https://game.example.com/socket.io/");
  assert.ok(engineUrl(target, "/socket.io/", "polling", {}, "S").startsWith(`${engineEndpoint(target, "/socket.io/", "polling")}?`));
});

test("a bad target URL is quoted with its secrets redacted", () => {
  assert.throws(
    () => parseTarget("http://host:99999/?token=s3cr3t"),
    (err: unknown) => err instanceof TargetUrlError && !err.message.includes("s3cr3t") && err.message.includes("token=[redacted]"),
  );
});

test("a request k6 made to throw comes back as its failed answer, without the URL's secret", () => {
  const refused = failedRequest(new Error('GoError: Get "http://127.0.0.1:1/socket.io/?EIO=4&token=s3cr3t": dial tcp 127.0.0.1:1: connect: connection refused'));
  assert.deepEqual([refused.status, refused.error, refused.error_code], [0, "dial tcp 127.0.0.1:1: connect: connection refused", 1212]);
  const timeout = failedRequest({ err: { code: 1050, message: "request timeout" }, toString: () => 'Get "http://h/?token=s3cr3t": request timeout' });
  assert.deepEqual([timeout.error, timeout.error_code], ["request timeout", 1050]);
  assert.ok(!failedRequest("odd failure at http://h/?token=s3cr3t").error.includes("s3cr3t"));
});
