"""A CHSH team game that speaks the way CHSH-Game was observed to (python-socketio).

    python test/peers/chsh_mimic.py --port 0 [--slow-confirm MS]

Our own small server, written from observed facts only, to test the `chsh-game` contract:
- connection_established {game_started, available_teams, …} is sent before the CONNECT reply;
- create_team {team_name} -> team_created, team_status_update {status:"created"}; join_team ->
  team_joined, then team_status_update {status:"full", members:[sid, sid]} to the team; errors are
  error {message} in English only ("Team name already exists or is active", "Team not found or
  invalid team name.", "Team is already full.", "Invalid answer submission data.", …);
- teams_updated goes to every socket on each change;
- start_game is ignored unless the socket sent dashboard_join; then game_start to each full team,
  game_started (no payload) to dashboards, new_question {round_id, round_number, item} to each player;
- submit_answer {round_id, item, answer} -> answer_confirmed {message:"Round N answer received"};
  once both answered: round_complete, then the next question at once;
- the game stays started until a dashboard sends restart_game (game_reset to teams,
  game_reset_complete to dashboards): a team formed while it is started gets its question at once;
- a member who leaves: player_left and team_status_update {status:"waiting_pair"} to the other.
Prints "listening on http://127.0.0.1:PORT" once it accepts connections.
"""
import argparse
import asyncio
import random

import socketio
from aiohttp import web
from peer_serve import serve


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--slow-confirm", type=int, default=0, help="ms before each answer_confirmed")
    args = parser.parse_args()

    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*", ping_interval=5, ping_timeout=30)
    app = web.Application()
    sio.attach(app)
    state = {"started": False, "round_id": 0}
    teams = {}  # name -> {"members": [sid], "round": None | {...}, "number": 0}
    team_of = {}
    dashboards = set()

    def team_list():
        return [{"team_name": n, "team_id": i + 1, "is_active": True} for i, (n, t) in enumerate(teams.items()) if len(t["members"]) == 1]

    async def error(sid, message):
        await sio.emit("error", {"message": message}, to=sid)

    async def teams_updated():
        await sio.emit("teams_updated", {"teams": team_list(), "game_started": state["started"]})

    async def start_round(name):
        team = teams[name]
        # Read once, before any await: other teams' rounds start meanwhile.
        state["round_id"] += 1
        team["number"] += 1
        round_id, number, members = state["round_id"], team["number"], list(team["members"])
        items = {members[0]: random.choice("AB"), members[1]: random.choice("XY")}
        team["round"] = {"id": round_id, "items": items, "answers": {}}
        for sid in members:
            await sio.emit("new_question", {"round_id": round_id, "round_number": number, "item": items[sid]}, to=sid)

    async def leave(sid, farewell):
        name = team_of.pop(sid, None)
        if not name or name not in teams:
            return
        team = teams[name]
        team["members"] = [m for m in team["members"] if m != sid]
        team["round"] = None
        await sio.leave_room(sid, name)
        if farewell:
            await sio.emit("left_team_success", {"message": "You have left the team."}, to=sid)
        if team["members"]:
            await sio.emit("player_left", {"message": "A team member has left."}, room=name)
            await sio.emit("team_status_update", {"team_name": name, "status": "waiting_pair", "members": team["members"], "game_started": state["started"], "disable_input": True}, room=name)
        else:
            teams.pop(name, None)
        await teams_updated()

    @sio.event
    async def connect(sid, environ, auth):
        await sio.emit("connection_established", {"game_started": state["started"], "available_teams": team_list(), "game_mode": "simplified", "game_theme": "food"}, to=sid)

    @sio.event
    async def disconnect(sid, *_):
        dashboards.discard(sid)
        await leave(sid, False)

    @sio.event
    async def create_team(sid, data):
        name = (data or {}).get("team_name") if isinstance(data, dict) else None
        if not name:
            return await error(sid, "Team name is required")
        if name in teams:
            return await error(sid, "Team name already exists or is active")
        teams[name] = {"members": [sid], "round": None, "number": 0}
        team_of[sid] = name
        await sio.enter_room(sid, name)
        await sio.emit("team_created", {"team_name": name, "team_id": len(teams), "message": "Team created. Waiting for another player.", "game_started": state["started"], "player_slot": 1}, to=sid)
        await sio.emit("team_status_update", {"status": "created"}, to=sid)
        await teams_updated()

    @sio.event
    async def join_team(sid, data):
        name = (data or {}).get("team_name") if isinstance(data, dict) else None
        team = teams.get(name)
        if not team:
            return await error(sid, "Team not found or invalid team name.")
        if len(team["members"]) >= 2:
            return await error(sid, "Team is already full.")
        team["members"].append(sid)
        team_of[sid] = name
        start_now = state["started"]  # decided before any await: start_game may run meanwhile
        await sio.enter_room(sid, name)
        await sio.emit("team_joined", {"team_name": name, "message": f"You joined team {name}.", "game_started": state["started"], "team_status": "full", "player_slot": 2}, to=sid)
        await sio.emit("team_status_update", {"team_name": name, "status": "full", "members": team["members"], "game_started": state["started"], "disable_input": False}, room=name)
        await teams_updated()
        if start_now:
            await start_round(name)

    @sio.event
    async def leave_team(sid, *_):
        await leave(sid, True)

    @sio.event
    async def dashboard_join(sid, *_):
        dashboards.add(sid)
        await sio.emit("dashboard_update", {"teams": [], "game_state": {"started": state["started"]}}, to=sid)

    @sio.event
    async def start_game(sid, *_):
        if sid not in dashboards:
            return  # silently ignored, as observed
        state["started"] = True
        full = [n for n, t in teams.items() if len(t["members"]) == 2]
        for name in full:
            await sio.emit("game_start", {"game_started": True}, room=name)
        for d in dashboards:
            await sio.emit("game_started", to=d)
        await sio.emit("game_state_changed", {"game_started": True})
        for name in full:
            await start_round(name)

    @sio.event
    async def restart_game(sid, *_):
        if sid not in dashboards:
            await error(sid, "Unauthorized: Not a dashboard client")
            return await sio.emit("game_reset_complete", to=sid)
        state["started"] = False
        for name, team in teams.items():
            team["round"] = None
            team["number"] = 0
            await sio.emit("game_reset", room=name)
        await sio.emit("game_state_changed", {"game_started": False})
        for d in dashboards:
            await sio.emit("game_reset_complete", to=d)

    @sio.event
    async def submit_answer(sid, data):
        name = team_of.get(sid)
        team = teams.get(name)
        if not team:
            return await error(sid, "You are not in a team or session expired.")
        if len(team["members"]) < 2:
            return await error(sid, "Team not valid or other player missing.")
        rnd = team["round"]
        if not isinstance(data, dict) or rnd is None or data.get("round_id") != rnd["id"]:
            return await error(sid, "Invalid answer submission data.")
        if sid in rnd["answers"]:
            return await error(sid, "You have already answered this round.")
        rnd["answers"][sid] = bool(data.get("answer"))
        number = team["number"]
        # Decided before any await: handlers of the two answers interleave at awaits.
        completes = len(rnd["answers"]) == 2
        if args.slow_confirm:
            await asyncio.sleep(args.slow_confirm / 1000)
        await sio.emit("answer_confirmed", {"message": f"Round {number} answer received"}, to=sid)
        if completes and team["round"] is rnd:
            p1, p2 = team["members"]
            details = {"p1_item": rnd["items"][p1], "p2_item": rnd["items"][p2], "p1_answer": rnd["answers"][p1], "p2_answer": rnd["answers"][p2]}
            await sio.emit("round_complete", {"team_name": name, "round_number": number, "last_round_details": details}, room=name)
            await start_round(name)

    serve(app, args.port, "chsh mimic")


if __name__ == "__main__":
    main()
