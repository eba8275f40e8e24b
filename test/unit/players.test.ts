import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { connectionFromJson } from "../../src/contracts/connection-json";
import { base64UrlOf, mintJwt, parseCsv, parseUsers, playersSpecFromJson } from "../../src/contracts/players";
import { Redactor } from "../../src/socketio/protocol/redact";

test("users CSV: header row, quoted fields, CRLF, blank lines", () => {
  const rows = parseCsv('id,token,name\r\nu1,t1,"Smith, J"\r\n\r\nu2,t2,"say ""hi"""\n', "users.csv");
  assert.deepEqual(rows, [
    { id: "u1", token: "t1", name: "Smith, J" },
    { id: "u2", token: "t2", name: 'say "hi"' },
  ]);
  assert.throws(() => parseCsv("id,token\nu1\n", "users.csv"), /row 2 has 1 fields, the header 2/);
  assert.throws(() => parseCsv("user id,token\n", "users.csv"), /column 1 of the header is "user id"/);
});

test("users JSON: an array of objects, values as strings", () => {
  assert.deepEqual(parseUsers('[{"id":"a","level":3}]', "u.json"), [{ id: "a", level: "3" }]);
  assert.throws(() => parseUsers("[1]", "u.json"), /element 0 is not an object/);
});

test("a minted JWT verifies as HS256 with the same secret (node's crypto) and carries the filled claims", () => {
  const spec = playersSpecFromJson({ jwt: { secretEnv: "JWT_SECRET", claims: { sub: "${player.id}", name: "Player ${player.index}" } } }, "players")!.jwt!;
  const secret = "test-secret-ü";
  const token = mintJwt(spec, { id: "u-7", index: 7 }, 1_700_000_000, (input) => createHmac("sha256", secret).update(input).digest("base64url"));
  const [h, c, sig] = token.split(".");
  assert.equal(createHmac("sha256", secret).update(`${h}.${c}`).digest("base64url"), sig);
  assert.deepEqual(JSON.parse(Buffer.from(h!, "base64url").toString()), { alg: "HS256", typ: "JWT" });
  assert.deepEqual(JSON.parse(Buffer.from(c!, "base64url").toString()), { sub: "u-7", name: "Player 7", iat: 1_700_000_000, exp: 1_700_003_600 });
  assert.equal(base64UrlOf("é€😀"), Buffer.from("é€😀").toString("base64url"));
});

test("players and connection blocks are checked when loaded: the secret never goes in the file", () => {
  assert.throws(() => playersSpecFromJson({ jwt: { secret: "x" } }, "c: players"), /secretEnv must name the -e variable/);
  assert.throws(() => playersSpecFromJson({ users: "u.csv" }, "c: players"), /players.users: unknown field/);
  assert.throws(() => connectionFromJson({ auth: { token: "${player.token}" }, cookie: {} }, "c: connection"), /connection.cookie: unknown field/);
  assert.throws(() => connectionFromJson({ headers: { "X-N": 3 } }, "c: connection"), /headers.X-N must be a string/);
  const conn = connectionFromJson({ namespace: "/game", auth: { token: "${player.token}", user: "${player.id}" } }, "c: connection")!;
  assert.deepEqual(conn.auth!({ id: "u1", token: "abc" }), { token: "abc", user: "u1" });
});

test("a JWT is redacted wherever it appears", () => {
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLXZhbHVl";
  assert.equal(new Redactor([]).text(`{"who":"${jwt}"}`), '{"who":"[redacted]"}');
});
