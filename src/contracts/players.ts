// Who each player is to the server: its id and, where the server authenticates players, its
// token. A contract's `players` block says where identities come from: a file of test users
// (CSV with a header row, or a JSON array of objects; row i serves player i, and every column
// is a template variable `${player.<column>}`), or HS256 JWTs minted per player from a test
// secret read from an environment variable (never from the file) and a claims template.
// Pure: the k6 side (src/kit/players.ts) reads the file and signs.
import { ContractError } from "./contract";
import { fill } from "./pattern";

/** A player as templates see it: `${player.id}`, `${player.token}`, `${player.<column>}`. */
export interface Player {
  id: string;
  /** The player's number in the test (k6's iterationInTest or the flow's seat). */
  index?: number;
  token?: string;
}

export interface JwtSpec {
  /** The -e variable that holds the HS256 secret (the secret itself is never in a contract). */
  secretEnv: string;
  /** The claims, a template: `{"sub": "${player.id}"}`. `iat` and `exp` are added unless given. */
  claims: Record<string, unknown>;
  /** Seconds from now to `exp` (default 3600). */
  expiresIn: number;
}

export interface PlayersSpec {
  /** A CSV or JSON file of test users, read once at init and shared by every VU. */
  file?: string;
  /** Minted tokens: player.token is a JWT signed with the secret in -e <secretEnv>. */
  jwt?: JwtSpec;
}

export function playersSpecFromJson(raw: unknown, where: string): PlayersSpec | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ContractError(`${where} must be an object: {"file": "users.csv"} or {"jwt": {"secretEnv": "JWT_SECRET", "claims": {"sub": "\${player.id}"}}}`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== "file" && k !== "jwt") throw new ContractError(`${where}.${k}: unknown field (known: file, jwt)`);
  const spec: PlayersSpec = {};
  if (o.file !== undefined) {
    if (typeof o.file !== "string" || o.file === "") throw new ContractError(`${where}.file must be a path to a .csv or .json file of test users`);
    spec.file = o.file;
  }
  if (o.jwt !== undefined) {
    const j = o.jwt as Record<string, unknown> | null;
    if (typeof j !== "object" || j === null || Array.isArray(j)) throw new ContractError(`${where}.jwt must be an object`);
    if (typeof j.secretEnv !== "string" || !/^[A-Za-z_]\w*$/.test(j.secretEnv)) {
      throw new ContractError(`${where}.jwt.secretEnv must name the -e variable that holds the signing secret, e.g. "JWT_SECRET" (the secret itself never goes in a contract)`);
    }
    const claims = j.claims ?? { sub: "${player.id}" };
    if (typeof claims !== "object" || claims === null || Array.isArray(claims)) throw new ContractError(`${where}.jwt.claims must be an object, e.g. {"sub": "\${player.id}"}`);
    const expiresIn = j.expiresIn ?? 3600;
    if (typeof expiresIn !== "number" || !Number.isInteger(expiresIn) || expiresIn < 1) throw new ContractError(`${where}.jwt.expiresIn must be a whole number of seconds >= 1`);
    spec.jwt = { secretEnv: j.secretEnv, claims: claims as Record<string, unknown>, expiresIn };
  }
  if (!spec.file && !spec.jwt) throw new ContractError(`${where} names neither a file nor a jwt`);
  return spec;
}

/** Rows of a CSV text with a header row: quoted fields ("a,b", "say ""hi""") and CRLF handled. */
export function parseCsv(text: string, where: string): Record<string, string>[] {
  const rows: string[][] = [];
  let field = "";
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      field = "";
      if (row.some((f) => f !== "")) rows.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== "")) rows.push(row);
  if (quoted) throw new ContractError(`${where}: a quoted field is never closed`);
  const header = rows.shift();
  if (!header || header.length === 0) throw new ContractError(`${where}: no header row (e.g. "id,token")`);
  const names = header.map((h) => h.trim());
  names.forEach((n, i) => {
    if (!/^\w+$/.test(n)) throw new ContractError(`${where}: column ${i + 1} of the header is "${n}"; use letters, digits and _ (they become \${player.<column>})`);
  });
  return rows.map((r, line) => {
    if (r.length !== names.length) throw new ContractError(`${where}: row ${line + 2} has ${r.length} fields, the header ${names.length}`);
    return Object.fromEntries(names.map((n, i) => [n, r[i]!]));
  });
}

/** Rows of a users file: CSV, or a JSON array of flat objects. */
export function parseUsers(text: string, where: string): Record<string, string>[] {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("[")) return parseCsv(text, where);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ContractError(`${where}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const list = raw as unknown[];
  return list.map((r, i) => {
    if (typeof r !== "object" || r === null || Array.isArray(r)) throw new ContractError(`${where}: element ${i} is not an object`);
    return Object.fromEntries(Object.entries(r as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  });
}

/** base64url without padding, of a UTF-8 string (JWT segments). */
export function base64UrlOf(text: string): string {
  const bytes = utf8(text);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += alphabet[(n >> 18) & 63]! + alphabet[(n >> 12) & 63]!;
    if (i + 1 < bytes.length) out += alphabet[(n >> 6) & 63]!;
    if (i + 2 < bytes.length) out += alphabet[n & 63]!;
  }
  return out;
}

function utf8(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/**
 * An HS256 JWT for `player`: the claims template filled with the player's fields, iat and exp
 * added unless the template names them. `sign` returns the base64url HMAC-SHA256 of its input.
 */
export function mintJwt(spec: JwtSpec, player: Player, nowSeconds: number, sign: (input: string) => string): string {
  const vars: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(player as unknown as Record<string, unknown>)) vars[`player.${k}`] = v;
  const claims = fill(spec.claims, vars) as Record<string, unknown>;
  if (claims.iat === undefined) claims.iat = nowSeconds;
  if (claims.exp === undefined) claims.exp = nowSeconds + spec.expiresIn;
  const input = `${base64UrlOf(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${base64UrlOf(JSON.stringify(claims))}`;
  return `${input}.${sign(input)}`;
}
