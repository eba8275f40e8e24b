// How a game backend speaks, for the risk checks (src/scenarios/risks.ts): how a player joins a
// game, the mutation players race on (`act`, optionally after a `prepare` step that yields the
// item they race for), how to ask for the game's state and where its version and member list
// are, the broadcasts the checks watch, an optional leave and an optional HTTP stats probe. A
// check whose parts are absent is not judged; the flow never reads a payload field itself.
import { readPath } from "./path";
import type { ContractConnection, Exchange, Player, Reply } from "./contract";
import { ContractError } from "./contract";
import { connectionFromJson } from "./connection-json";
import { exchangeFromJson, leaveFromJson, obj, replyView, str } from "./json";
import { checkPath } from "./path";

export const CLASSES = ["accepted", "refused", "error"] as const;
/** accepted: the server did it; refused: it said no (not allowed, nothing pending…); error: it says it failed. */
export type RiskClass = (typeof CLASSES)[number];

/** What a request's templates see: `${player.id}`, `${game}`, `${round.token}`, `${round.n}`. */
export type RiskCtx = {
  player: Player;
  game: string;
  round: { n: number; token?: unknown };
};

/** Where a value sits in a reply or broadcast: a path into its view { event, data, args } ("data.version"). */
export type Path = string;

export interface StateRead {
  /** Path of the version (or sequence) number; absent: the lost-update count is not judged. */
  version?: Path;
  /** Path of the member list; absent: the stale-membership check is not judged. */
  members?: Path;
  /** Path of a member's id inside one list element, e.g. "user_id" (absent: the element is the id). */
  memberId?: string;
}

export interface RisksContract {
  name: string;
  /** One line: which server this contract describes. */
  describes: string;
  connection?: ContractConnection;
  /** Joining a game by id. Every check that plays in a game needs it. */
  join?: Exchange<RiskCtx, RiskClass>;
  /** A step before each race round (e.g. roll the dice); `token` reads the item raced for into ${round.token}. */
  prepare?: { exchange: Exchange<RiskCtx, RiskClass>; token?: Path };
  /** The mutation players race on; `exclusive`: of simultaneous acts on one item at most one may be accepted. */
  act?: Exchange<RiskCtx, RiskClass> & { exclusive: boolean };
  /** Asking for the game's state, and reading it (the reply's first argument). */
  state?: { request: Exchange<RiskCtx, RiskClass> } & StateRead;
  broadcasts?: {
    /** A state or version update to the room; `game`: the path of its game id (absent: every one counts). */
    state?: { event: string; game?: Path } & StateRead;
    /** A member left or was disconnected; `user` is the path of its id. */
    left?: { event: string; user: Path };
  };
  leave?: { event: string; args(ctx: RiskCtx): unknown[]; reply: "ack" | "none" };
  /** An HTTP probe of resource counts: a GET of `url` answering JSON; `fields` are dotted paths into it ("active_games"). */
  stats?: { url: string; fields: string[] };
}

/** The value at a dotted path, or undefined. */
export const at: (value: unknown, path: string) => unknown = readPath;

/** A reply's or broadcast's view, which contract paths read. */
export const view = (event: string | undefined, args: unknown[]) => replyView({ event, args, data: args[0] });

/** The version at `read.version` of a view as a number, or undefined (unreadable or not declared). */
export function readVersion(v: unknown, read: StateRead): number | undefined {
  if (!read.version) return undefined;
  const value = at(v, read.version);
  return typeof value === "number" && Number.isFinite(value) ? value : typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
}

/** The member ids at `read.members` of a view, or undefined when the list is not there (a mismatch). */
export function readMembers(v: unknown, read: StateRead): string[] | undefined {
  if (!read.members) return undefined;
  const list = at(v, read.members);
  if (!Array.isArray(list)) return undefined;
  const ids = list.map((m) => (read.memberId ? at(m, read.memberId) : m));
  return ids.every((id) => typeof id === "string" || typeof id === "number") ? ids.map(String) : undefined;
}

const record = (v: unknown): Record<string, unknown> | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** {ok: true, …} | {ok: false, error}: the reference server's acks. */
function okOrRefused(r: Reply): RiskClass | undefined {
  const d = record(r.data);
  if (d?.ok === true) return "accepted";
  if (d?.ok === false && typeof d.error === "string") return d.error === "VALIDATION_ERROR" ? "error" : "refused";
  return undefined;
}

/** Our reference server's /game namespace (src/target/game-engine.ts). */
export const referenceRisks: RisksContract = {
  name: "reference",
  describes: "the k6-socketio reference server's /game namespace",
  connection: { namespace: "/game", auth: (player) => ({ token: `user:${player.id}` }) },
  join: { event: "join_game", args: ({ game }) => [{ game_id: game }], classify: okOrRefused, expects: "an ack {ok: true, role, players} | {ok: false, error}" },
  prepare: {
    exchange: { event: "roll_dice", args: ({ game }) => [{ game_id: game }], classify: okOrRefused, expects: "an ack {ok: true, roll_id} | {ok: false, error}" },
    token: "data.roll_id",
  },
  act: {
    event: "submit_manual_outcome",
    args: ({ game, round }) => [{ game_id: game, roll_id: round.token ?? `${game}#none`, outcome: "single" }],
    classify: okOrRefused,
    expects: '{ok: true, version} | {ok: false, error: "NO_PENDING_ROLL" | "NOT_AUTHORIZED" | …}',
    exclusive: true,
  },
  state: {
    request: { event: "request_game_state", args: ({ game }) => [{ game_id: game }], classify: okOrRefused, expects: "an ack {ok: true, version, players} | {ok: false, error}" },
    version: "data.version",
    members: "data.players",
  },
  broadcasts: { state: { event: "game_state_update", game: "data.game_id", version: "data.version" }, left: { event: "user_disconnected", user: "data.user_id" } },
  leave: { event: "leave_game", args: ({ game }) => [{ game_id: game }], reply: "ack" },
};

function path(raw: unknown, where: string): Path | undefined {
  return raw === undefined ? undefined : checkPath(raw, where);
}

function plainPath(raw: unknown, where: string, example: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || raw === "" || raw.split(".").some((k) => k === "")) throw new ContractError(`${where} must be a dotted path such as "${example}"`);
  return raw;
}

function stateRead(o: Record<string, unknown>, where: string): StateRead {
  const out: StateRead = {};
  const version = path(o.version, `${where}.version`);
  const members = path(o.members, `${where}.members`);
  const memberId = plainPath(o.memberId, `${where}.memberId`, "user_id");
  if (version) out.version = version;
  if (members) out.members = members;
  if (memberId) out.memberId = memberId;
  return out;
}

const FIELDS = ["name", "describes", "connection", "join", "prepare", "act", "state", "broadcasts", "leave", "stats"];

/** A risks contract from JSON (docs/scenarios/risks.md). */
export function risksFromJson(raw: unknown, source: string): RisksContract {
  const o = obj(raw, source);
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) throw new ContractError(`${source}: ${k}: unknown field (known: ${FIELDS.join(", ")})`);
  const c: RisksContract = { name: str(o.name, `${source}: name`), describes: typeof o.describes === "string" ? o.describes : `the contract in ${source}` };
  const connection = connectionFromJson(o.connection, `${source}: connection`);
  if (connection) c.connection = connection;
  const ex = (raw: unknown, where: string) => exchangeFromJson<RiskCtx & Record<string, unknown>, RiskClass>(raw, `${source}: ${where}`, CLASSES) as unknown as Exchange<RiskCtx, RiskClass>;
  if (o.join !== undefined) c.join = ex(o.join, "join");
  if (o.prepare !== undefined) {
    const { token: rawToken, ...p } = obj(o.prepare, `${source}: prepare`);
    const token = path(rawToken, `${source}: prepare.token`);
    c.prepare = { exchange: ex(p, "prepare"), ...(token ? { token } : {}) };
  }
  if (o.act !== undefined) {
    const { exclusive, ...a } = obj(o.act, `${source}: act`);
    if (exclusive !== undefined && typeof exclusive !== "boolean") throw new ContractError(`${source}: act.exclusive must be true or false`);
    c.act = { ...ex(a, "act"), exclusive: exclusive === true };
  }
  if (o.state !== undefined) {
    const s = obj(o.state, `${source}: state`);
    c.state = { request: ex(s.request, "state.request"), ...stateRead(s, `${source}: state`) };
  }
  if (o.broadcasts !== undefined) {
    const b = obj(o.broadcasts, `${source}: broadcasts`);
    c.broadcasts = {};
    if (b.state !== undefined) {
      const s = obj(b.state, `${source}: broadcasts.state`);
      const game = path(s.game, `${source}: broadcasts.state.game`);
      c.broadcasts.state = { event: str(s.event, `${source}: broadcasts.state.event`), ...(game ? { game } : {}), ...stateRead(s, `${source}: broadcasts.state`) };
    }
    if (b.left !== undefined) {
      const l = obj(b.left, `${source}: broadcasts.left`);
      const user = path(l.user, `${source}: broadcasts.left.user`);
      if (!user) throw new ContractError(`${source}: broadcasts.left.user must be the path of the departed user's id, e.g. "data.user_id"`);
      c.broadcasts.left = { event: str(l.event, `${source}: broadcasts.left.event`), user };
    }
  }
  if (o.leave !== undefined) c.leave = leaveFromJson(o.leave, `${source}: leave`, "none");
  if (o.stats !== undefined) {
    const s = obj(o.stats, `${source}: stats`);
    const fields = s.fields;
    if (!Array.isArray(fields) || fields.length === 0) throw new ContractError(`${source}: stats.fields must list the JSON paths of resource counts, e.g. ["active_games"]`);
    if (typeof s.url !== "string" || !s.url.startsWith("/")) throw new ContractError(`${source}: stats.url must be a path on the target's origin, e.g. "/stats"`);
    c.stats = { url: s.url, fields: fields.map((f, i) => plainPath(f, `${source}: stats.fields[${i}]`, "active_games")!) };
  }
  return c;
}

export const risksPresets: Record<string, RisksContract> = { reference: referenceRisks };
