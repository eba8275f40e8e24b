// Seed 004's CHSH team game. Two players per team: the first sends create_team, the second
// join_team. A dashboard's start_game starts rounds for every ready team (and for teams that
// become ready later). Each round sends each player its own item (A/B to the creator, X/Y to
// the joiner); both answer with submit_answer; round_complete follows and the next round starts.
//   create_team {team_name}  -> team_created {team_name} | error {code:"TEAM_NAME_TAKEN"}
//   join_team {team_name}    -> team_joined {team_name} | error {code:"TEAM_NOT_FOUND"|"TEAM_FULL"}
//                               and team_status_update {team_name, players, status} to the team
//   leave_team               -> team_status_update to whoever is left
//   start_game (dashboard)   -> game_start {started_at} to everyone
//   new_question             {team_name, round_id, round_number, item}
//   submit_answer {round_id, item, answer} -> answer_confirmed {round_id, item, answer}
//                               | error {code:"INVALID_ROUND"|"ALREADY_ANSWERED"|"NOT_IN_TEAM"}
//   round_complete           {round_id, round_number, items, answers, win} to the team
import type { Namespace, Socket } from "socket.io";
import type { TargetOptions } from "./options.ts";
import { emitError, type Random } from "./common.ts";

interface Team {
  name: string;
  members: string[]; // socket ids: [creator, joiner]
  round: Round | null;
  rounds: number;
}

interface Round {
  id: string;
  number: number;
  items: Record<string, string>; // socket id -> item
  answers: Record<string, boolean>;
}

export function serveChsh(nsp: Namespace, options: TargetOptions, random: Random): void {
  const teams = new Map<string, Team>();
  const teamOf = new Map<string, Team>();
  const slowConfirm = Number(options.faults.get("slow-confirm") ?? 0);
  let started = false;

  const room = (team: Team) => `team:${team.name}`;

  const startRound = (team: Team): void => {
    if (options.faults.has("no-questions") || team.members.length < 2) return;
    const number = team.rounds + 1;
    const [a, b] = team.members as [string, string];
    team.round = {
      id: `${team.name}#${number}`,
      number,
      items: { [a]: random() < 0.5 ? "A" : "B", [b]: random() < 0.5 ? "X" : "Y" },
      answers: {},
    };
    for (const sid of team.members) {
      nsp.to(sid).emit("new_question", { team_name: team.name, round_id: team.round.id, round_number: number, item: team.round.items[sid] });
    }
  };

  const status = (team: Team): void => {
    nsp.to(room(team)).emit("team_status_update", {
      team_name: team.name,
      players: team.members.length,
      status: team.members.length === 2 ? "ready" : "waiting_for_partner",
    });
  };

  const leave = (socket: Socket): void => {
    const team = teamOf.get(socket.id);
    if (!team) return;
    teamOf.delete(socket.id);
    void socket.leave(room(team));
    team.members = team.members.filter((m) => m !== socket.id);
    team.round = null;
    if (team.members.length === 0) teams.delete(team.name);
    else status(team);
  };

  nsp.on("connection", (socket: Socket) => {
    socket.emit("connection_established", { sid: socket.id });

    socket.on("create_team", (payload: unknown) => {
      const name = teamName(payload);
      if (!name) return emitError(socket, "VALIDATION_ERROR", "create_team needs {team_name: string}");
      if (teams.has(name)) return emitError(socket, "TEAM_NAME_TAKEN", `team name ${name} is already taken`);
      leave(socket);
      const team: Team = { name, members: [socket.id], round: null, rounds: 0 };
      teams.set(name, team);
      teamOf.set(socket.id, team);
      void socket.join(room(team));
      socket.emit("team_created", { team_name: name });
      status(team);
    });

    socket.on("join_team", (payload: unknown) => {
      const name = teamName(payload);
      if (!name) return emitError(socket, "VALIDATION_ERROR", "join_team needs {team_name: string}");
      const team = teams.get(name);
      if (!team) return emitError(socket, "TEAM_NOT_FOUND", `no team named ${name}`);
      if (team.members.length >= 2) return emitError(socket, "TEAM_FULL", `team ${name} already has two players`);
      leave(socket);
      team.members.push(socket.id);
      teamOf.set(socket.id, team);
      void socket.join(room(team));
      socket.emit("team_joined", { team_name: name });
      status(team);
      if (started) startRound(team);
    });

    socket.on("leave_team", () => leave(socket));

    socket.on("start_game", () => {
      started = true;
      nsp.emit("game_start", { started_at: Date.now() });
      for (const team of teams.values()) if (!team.round) startRound(team);
    });

    socket.on("submit_answer", (payload: unknown) => {
      const team = teamOf.get(socket.id);
      if (!team) return emitError(socket, "NOT_IN_TEAM", "submit_answer before joining a team");
      const { round_id, item, answer } = (payload ?? {}) as { round_id?: unknown; item?: unknown; answer?: unknown };
      const round = team.round;
      if (!round || round_id !== round.id || item !== round.items[socket.id] || typeof answer !== "boolean") {
        return emitError(socket, "INVALID_ROUND", `no open round ${String(round_id)} with item ${String(item)} for this player`);
      }
      if (socket.id in round.answers) return emitError(socket, "ALREADY_ANSWERED", `round ${round.id} already answered`);
      round.answers[socket.id] = answer;
      const confirm = () => socket.emit("answer_confirmed", { round_id: round.id, item, answer });
      if (slowConfirm > 0) setTimeout(confirm, slowConfirm);
      else confirm();
      if (Object.keys(round.answers).length < 2) return;
      const [a, b] = team.members as [string, string];
      // CHSH wins when a XOR b equals (x AND y), with x = item B and y = item Y.
      const win = (round.answers[a] !== round.answers[b]) === (round.items[a] === "B" && round.items[b] === "Y");
      team.rounds = round.number;
      team.round = null;
      nsp.to(room(team)).emit("round_complete", { round_id: round.id, round_number: round.number, items: Object.values(round.items), answers: Object.values(round.answers), win });
      startRound(team);
    });

    socket.on("disconnect", () => leave(socket));
  });
}

function teamName(payload: unknown): string | null {
  const name = (payload as { team_name?: unknown } | null)?.team_name;
  return typeof name === "string" && name.length > 0 && name.length <= 128 ? name : null;
}
