// The `connection` block of a JSON contract, shared by every scenario: how a player reaches the
// server and who it is to it.
//   "connection": {
//     "namespace": "/game", "path": "/socket.io/",
//     "auth": { "token": "${player.token}" },                 CONNECT payload (a template)
//     "headers": { "Authorization": "Bearer ${player.token}" },
//     "query": { "user": "${player.id}" },
//     "cookies": { "access_token": "${player.token}" },
//     "login": { "url": "/api/login", "body": {…}, "csrf": {…} },
//     "players": { "file": "users.csv" } | { "jwt": { "secretEnv": "JWT_SECRET", "claims": {…} } }
//   }
import { checkLoginStep, type ContractConnection, ContractError } from "./contract";
import { flatten, obj } from "./json";
import { checkPattern, fill } from "./pattern";
import { playersSpecFromJson } from "./players";

const FIELDS = ["namespace", "path", "auth", "headers", "query", "cookies", "login", "players"];

function strings(raw: unknown, where: string): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  const o = obj(raw, where);
  for (const [k, v] of Object.entries(o)) if (typeof v !== "string") throw new ContractError(`${where}.${k} must be a string (a template such as "Bearer \${player.token}")`);
  return o as Record<string, string>;
}

export function connectionFromJson(raw: unknown, where: string): ContractConnection | undefined {
  if (raw === undefined) return undefined;
  const o = obj(raw, where);
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) throw new ContractError(`${where}.${k}: unknown field (known: ${FIELDS.join(", ")})`);
  const out: ContractConnection = {};
  for (const k of ["namespace", "path"] as const) {
    if (o[k] === undefined) continue;
    if (typeof o[k] !== "string" || !(o[k] as string).startsWith("/")) throw new ContractError(`${where}.${k} must be a string starting with "/"`);
    out[k] = o[k] as string;
  }
  if (o.auth !== undefined) {
    const auth = obj(o.auth, `${where}.auth`);
    checkPattern(auth, `${where}.auth`);
    out.auth = (player) => fill(auth, flatten({ player: player as unknown as Record<string, unknown> })) as Record<string, unknown>;
  }
  const headers = strings(o.headers, `${where}.headers`);
  if (headers) out.headers = headers;
  const query = strings(o.query, `${where}.query`);
  if (query) out.query = query;
  const cookies = strings(o.cookies, `${where}.cookies`);
  if (cookies) out.cookies = cookies;
  if (o.login !== undefined) out.login = checkLoginStep(o.login, `${where}.login`);
  const players = playersSpecFromJson(o.players, `${where}.players`);
  if (players) out.players = players;
  return out;
}
