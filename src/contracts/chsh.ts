// How a CHSH team game speaks: forming a team of two, the dashboard that starts the game (and
// resets the last run), the questions, the answers and their confirmation, the errors. The flow
// (src/scenarios/chsh.ts) never looks at a payload itself.
import type { ContractConnection, Exchange, Reply } from "./contract";
import { ContractError } from "./contract";
import { connectionFromJson } from "./connection-json";
import { exchangeFromJson, flatten, obj, replyView, str } from "./json";
import { checkPath, readPath } from "./path";
import { checkPattern, fill, matches, type Pattern } from "./pattern";

export interface ChshQuestion {
  roundId: unknown;
  roundNumber: number;
  item: string;
}

export type CreateClass = "created" | "taken" | "error";
export type JoinClass = "joined" | "not_found" | "full" | "error";

export interface ChshContract {
  name: string;
  describes: string;
  createTeam: Exchange<{ team: string }, CreateClass>;
  /** not_found: the creator's team does not exist yet (the joiner retries). */
  joinTeam: Exchange<{ team: string }, JoinClass>;
  /** The event telling a member its team is complete: true, false (not yet), undefined (a shape this contract does not know: a mismatch). */
  teamReady: { event: string; ready(args: unknown[]): boolean | undefined; expects: string };
  /** The event telling a member its partner left: no more questions will come. */
  partnerGone: { event: string; gone(args: unknown[]): boolean };
  leave: { event: string; args(ctx: { team: string }): unknown[] };
  question: { event: string; read(args: unknown[]): ChshQuestion | undefined; expects: string };
  answer: { event: string; args(q: ChshQuestion, answer: boolean): unknown[] };
  /** true: confirms this question's answer; false: another one's; undefined: not a confirmation this contract knows. */
  confirm: { event: string; confirms(args: unknown[], q: ChshQuestion): boolean | undefined; expects: string };
  roundComplete: string;
  /** The server's error event, and a short stable code for its payload (the `code` tag of chsh_errors). */
  error: { event: string; code(args: unknown[]): string };
  dashboard: {
    /** Sent first when the server honours start_game only from a registered dashboard; `awaits` is its reply event. */
    join?: { event: string; args: unknown[]; awaits: string };
    start: { event: string; args: unknown[] };
    /** What the dashboard receives once the game started. */
    started: string;
  };
  /** Clears the previous run's game state, from a dashboard, before this run (setup). */
  reset?: { event: string; args: unknown[]; done: string };
  connection?: ContractConnection;
}

const record = (v: unknown): Record<string, unknown> | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

function readQuestion(args: unknown[]): ChshQuestion | undefined {
  const q = record(args[0]);
  if (!q || (typeof q.round_id !== "string" && typeof q.round_id !== "number") || typeof q.round_number !== "number" || typeof q.item !== "string") return undefined;
  return { roundId: q.round_id, roundNumber: q.round_number, item: q.item };
}

const answerArgs = (q: ChshQuestion, answer: boolean): unknown[] => [{ round_id: q.roundId, item: q.item, answer }];

/**
 * create_team / join_team {team_name}, answered by team_created / team_joined or the error event,
 * whose code `codeOf` reads (undefined: an error this contract cannot read, a mismatch).
 */
function teamExchanges(codeOf: (args: unknown[]) => string | undefined, errors: string): Pick<ChshContract, "createTeam" | "joinTeam"> {
  return {
    createTeam: {
      event: "create_team",
      args: ({ team }) => [{ team_name: team }],
      reply: { events: ["team_created", "error"] },
      classify: (r: Reply) => {
        if (r.event === "team_created") return "created";
        const code = codeOf(r.args);
        return code === undefined ? undefined : code === "TEAM_NAME_TAKEN" ? "taken" : "error";
      },
      expects: `team_created, or error ${errors}`,
    },
    joinTeam: {
      event: "join_team",
      args: ({ team }) => [{ team_name: team }],
      reply: { events: ["team_joined", "error"] },
      classify: (r: Reply) => {
        if (r.event === "team_joined") return "joined";
        const code = codeOf(r.args);
        if (code === undefined) return undefined;
        return code === "TEAM_NOT_FOUND" ? "not_found" : code === "TEAM_FULL" ? "full" : "error";
      },
      expects: `team_joined, or error ${errors}`,
    },
  };
}


/** Our reference server (src/target): errors carry a code, confirmations the round id. */
export const referenceChsh: ChshContract = {
  name: "reference",
  describes: "the k6-socketio reference server",
  ...teamExchanges((args) => {
    const code = record(args[0])?.code;
    return typeof code === "string" ? code : undefined;
  }, '{code:"TEAM_NAME_TAKEN"|"TEAM_NOT_FOUND"|"TEAM_FULL"|…}'),
  teamReady: {
    event: "team_status_update",
    ready: (args) => (typeof record(args[0])?.players === "number" ? record(args[0])!.players === 2 : undefined),
    expects: "team_status_update {players: 2} once the team is complete",
  },
  partnerGone: { event: "team_status_update", gone: (args) => typeof record(args[0])?.players === "number" && (record(args[0])!.players as number) < 2 },
  leave: { event: "leave_team", args: ({ team }) => [{ team_name: team }] },
  question: { event: "new_question", read: readQuestion, expects: "new_question {round_id, round_number, item}" },
  answer: { event: "submit_answer", args: answerArgs },
  confirm: {
    event: "answer_confirmed",
    confirms: (args, q) => {
      const id = record(args[0])?.round_id;
      return id === undefined ? undefined : id === q.roundId;
    },
    expects: "answer_confirmed {round_id}",
  },
  roundComplete: "round_complete",
  error: { event: "error", code: (args) => String(record(args[0])?.code ?? "unknown") },
  dashboard: { start: { event: "start_game", args: [{}] }, started: "game_start" },
};

/** English error messages of CHSH-Game, as short codes for a low-cardinality tag. */
const CHSH_GAME_ERRORS: [RegExp, string][] = [
  [/already exists or is active/i, "TEAM_NAME_TAKEN"],
  [/team not found/i, "TEAM_NOT_FOUND"],
  [/already full/i, "TEAM_FULL"],
  [/invalid answer submission/i, "INVALID_ROUND"],
  [/already answered/i, "ALREADY_ANSWERED"],
  [/not in a team/i, "NOT_IN_TEAM"],
  [/other player missing/i, "PARTNER_MISSING"],
  [/paused/i, "PAUSED"],
  [/unauthorized/i, "UNAUTHORIZED"],
];

function chshGameCode(args: unknown[]): string {
  const message = record(args[0])?.message;
  if (typeof message !== "string") return "unknown";
  return CHSH_GAME_ERRORS.find(([re]) => re.test(message))?.[1] ?? "other";
}

/**
 * CHSH-Game (Flask-SocketIO): errors are only {message} in English; a team is complete when
 * team_status_update says status "full"; answer_confirmed is {message:"Round N answer received"};
 * start_game is honoured only after dashboard_join, and dashboards get game_started; the game
 * stays started between runs until a dashboard sends restart_game.
 */
export const chshGame: ChshContract = {
  name: "chsh-game",
  describes: "CHSH-Game (Flask-SocketIO)",
  ...teamExchanges((args) => {
    const code = chshGameCode(args);
    return code === "unknown" ? undefined : code;
  }, '{message:"Team name already exists or is active"|"Team not found or invalid team name."|"Team is already full."|…}'),
  teamReady: {
    event: "team_status_update",
    ready: (args) => (typeof record(args[0])?.status === "string" ? record(args[0])!.status === "full" : undefined),
    expects: 'team_status_update {status: "full", members: [sid, sid]} once the team is complete',
  },
  partnerGone: { event: "team_status_update", gone: (args) => record(args[0])?.status === "waiting_pair" },
  leave: { event: "leave_team", args: () => [{}] },
  question: { event: "new_question", read: readQuestion, expects: "new_question {round_id, round_number, item}" },
  answer: { event: "submit_answer", args: answerArgs },
  confirm: {
    event: "answer_confirmed",
    confirms: (args, q) => {
      const m = /^Round (\d+) answer received/.exec(String(record(args[0])?.message ?? ""));
      return m ? Number(m[1]) === q.roundNumber : undefined;
    },
    expects: 'answer_confirmed {message:"Round N answer received"}',
  },
  roundComplete: "round_complete",
  error: { event: "error", code: chshGameCode },
  dashboard: { join: { event: "dashboard_join", args: [], awaits: "dashboard_update" }, start: { event: "start_game", args: [] }, started: "game_started" },
  reset: { event: "restart_game", args: [], done: "game_reset_complete" },
};

export const chshPresets: Record<string, ChshContract> = { reference: referenceChsh, "chsh-game": chshGame };

/** A CHSH contract from JSON (docs/scenarios/chsh.md, "Contract"). */
export function chshFromJson(raw: unknown, source: string): ChshContract {
  const o = obj(raw, source);
  const at = (k: string) => `${source}: ${k}`;
  const eventOf = (k: string): Record<string, unknown> & { event: string } => {
    const x = obj(o[k], at(k));
    return { ...x, event: str(x.event, at(`${k}.event`)) };
  };
  const pattern = (v: unknown, where: string): Pattern => {
    try {
      checkPattern(v, where);
    } catch (err) {
      throw new ContractError(err instanceof Error ? err.message : String(err));
    }
    return v as Pattern;
  };
  const argsOf = (x: Record<string, unknown>, where: string): unknown[] => {
    const a = x.args ?? [];
    if (!Array.isArray(a)) throw new ContractError(`${where}.args must be an array of the event's arguments`);
    return a;
  };
  const view = (args: unknown[]) => replyView({ event: undefined, args, data: args[0] });
  /** true when `yes` matches, false when `no` matches, undefined (a mismatch) otherwise. */
  const judge = (args: unknown[], yes: Pattern, no: Pattern | undefined, vars: Record<string, unknown> = {}): boolean | undefined => {
    const v = view(args);
    if (matches(v, fill(yes, vars) as Pattern)) return true;
    if (no !== undefined && matches(v, fill(no, vars) as Pattern)) return false;
    return undefined;
  };

  const ready = eventOf("teamReady");
  const readyWhen = pattern(ready.ready, at("teamReady.ready"));
  const notYet = ready.notYet === undefined ? undefined : pattern(ready.notYet, at("teamReady.notYet"));
  const gone = eventOf("partnerGone");
  const goneWhen = pattern(gone.when, at("partnerGone.when"));
  const leave = eventOf("leave");
  const leaveArgs = argsOf(leave, at("leave"));
  const q = eventOf("question");
  const paths = { roundId: checkPath(q.roundId, at("question.roundId")), roundNumber: checkPath(q.roundNumber, at("question.roundNumber")), item: checkPath(q.item, at("question.item")) };
  const answer = eventOf("answer");
  const answerArgs = argsOf(answer, at("answer"));
  const confirm = eventOf("confirm");
  const confirms = pattern(confirm.confirms, at("confirm.confirms"));
  const confirmShape = pattern(confirm.shape ?? confirm.confirms, at("confirm.shape"));
  const error = eventOf("error");
  const codePath = error.code === undefined ? undefined : checkPath(error.code, at("error.code"));
  const codes = Object.entries(error.codes === undefined ? {} : obj(error.codes, at("error.codes"))).map(([code, p]) => [code, pattern(p, at(`error.codes.${code}`))] as const);
  const codeOf = (args: unknown[]): string => {
    const v = view(args);
    for (const [code, p] of codes) if (matches(v, p)) return code;
    const c = codePath ? readPath(v, codePath) : undefined;
    return typeof c === "string" && /^[\w.-]{1,40}$/.test(c) ? c : codes.length > 0 || codePath ? "other" : "unknown";
  };
  const dash = obj(o.dashboard, at("dashboard"));
  const start = obj(dash.start, at("dashboard.start"));
  const join = dash.join === undefined ? undefined : obj(dash.join, at("dashboard.join"));
  const reset = o.reset === undefined ? undefined : obj(o.reset, at("reset"));
  const questionVars = (question: ChshQuestion) => ({ "question.roundId": question.roundId, "question.roundNumber": question.roundNumber, "question.item": question.item });
  const connection = connectionFromJson(o.connection, at("connection"));
  return {
    name: str(o.name, at("name")),
    describes: typeof o.describes === "string" ? o.describes : `the contract in ${source}`,
    createTeam: exchangeFromJson<{ team: string }, CreateClass>(o.createTeam, at("createTeam"), ["created", "taken", "error"]),
    joinTeam: exchangeFromJson<{ team: string }, JoinClass>(o.joinTeam, at("joinTeam"), ["joined", "not_found", "full", "error"]),
    teamReady: { event: ready.event, ready: (args) => judge(args, readyWhen, notYet), expects: `${ready.event} ${JSON.stringify(readyWhen)} once the team is complete${notYet ? `, ${JSON.stringify(notYet)} before` : ""}` },
    partnerGone: { event: gone.event, gone: (args) => matches(view(args), goneWhen) },
    leave: { event: leave.event, args: (ctx) => fill(leaveArgs, flatten(ctx)) as unknown[] },
    question: {
      event: q.event,
      read: (args) => {
        const v = view(args);
        const roundId = readPath(v, paths.roundId);
        const roundNumber = readPath(v, paths.roundNumber);
        const item = readPath(v, paths.item);
        if ((typeof roundId !== "string" && typeof roundId !== "number") || typeof roundNumber !== "number" || typeof item !== "string") return undefined;
        return { roundId, roundNumber, item };
      },
      expects: `${q.event} with a round id at ${paths.roundId}, a round number at ${paths.roundNumber} and an item at ${paths.item}`,
    },
    answer: { event: answer.event, args: (question, a) => fill(answerArgs, { ...questionVars(question), answer: a }) as unknown[] },
    confirm: {
      event: confirm.event,
      confirms: (args, question) => {
        if (matches(view(args), fill(confirms, questionVars(question)) as Pattern)) return true;
        // Shaped like a confirmation, but of another question: the partner's, or a late one.
        return matches(view(args), confirmShape) && confirm.shape !== undefined ? false : undefined;
      },
      expects: `${confirm.event} ${JSON.stringify(confirms)}`,
    },
    roundComplete: str(o.roundComplete, at("roundComplete")),
    error: { event: error.event, code: codeOf },
    dashboard: {
      ...(join ? { join: { event: str(join.event, at("dashboard.join.event")), args: argsOf(join, at("dashboard.join")), awaits: str(join.awaits, at("dashboard.join.awaits")) } } : {}),
      start: { event: str(start.event, at("dashboard.start.event")), args: argsOf(start, at("dashboard.start")) },
      started: str(dash.started, at("dashboard.started")),
    },
    ...(reset ? { reset: { event: str(reset.event, at("reset.event")), args: argsOf(reset, at("reset")), done: str(reset.done, at("reset.done")) } } : {}),
    ...(connection ? { connection } : {}),
  };
}
