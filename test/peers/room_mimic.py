"""Game rooms behind an HTTP login session, the way Flask-SocketIO game servers with a login page
work (python-socketio). Our own small server, to test the `cookie-session` game-room contract.

    python test/peers/room_mimic.py --port 0

- GET /api/csrf -> {"csrf_token"}; POST /api/login {"username", "password": "pw"} with the
  X-CSRFToken header -> the `session` cookie (401 on a wrong password, 400 without the token);
- POST /api/games {"max_players"} (logged in) -> {"game_code"}: the server picks the code;
- POST /api/games/<code>/join (logged in) -> the room goes into the session (404 unknown, 409 full);
- the socket CONNECT is refused without the session cookie; a player is its session's username;
- the room events of the seed's game rooms: join_game_room -> player_joined {player_id,
  player_count}; choice_submitted -> player_chose {player_id, turn_number, all_submitted,
  waiting_for, sent_at}; request_presence -> presence_update; typing -> player_typing to the
  others; ping -> pong; reconnect -> reconnect_sync {turn_number, waiting_for} and
  player_reconnected; a disconnect -> player_disconnected. Acting in a room not in one's session
  is error {code: "NOT_IN_GAME"}.
Prints "listening on http://127.0.0.1:PORT" once it accepts connections.

    python test/peers/room_mimic.py --port 0 --dialect seed [--fault lost-fanout|no-sync|presence-stale]

speaks the seed's game rooms in words of its own, none of them ours, so that only a contract
file fits it (test/fixtures/game-room-seed.json; docs/scenarios/game-room.md):
- GET /api/session sets the `csrf_token` cookie; POST /api/auth/login {"name", "secret": "pw"}
  with the X-CSRF-Token header equal to it -> the `sid` cookie (400 without the token);
- POST /api/rooms {"capacity"} (logged in) -> {"data": {"room": {"code"}}}: the server picks codes;
- POST /api/rooms/join {"room_code"} -> {"seat": {"ticket"}} and a NEW `sid` cookie (the old one
  stops working, as a re-signed session cookie would); 400 without room_code, 404 unknown room;
- enter_room {room, ticket} -> member_entered {member: {id}, headcount} to the room (and as the ack);
  submit_move {room, move, at} -> move_made {by: {id}, round, everyone_done, clock: {sent}};
  who_is_here -> roster {online: {count, ids}}; composing -> member_composing {who} to the others;
  heartbeat -> heartbeat_ack {t}; resume {room} -> resume_state {state: {round, pending}} and
  member_back {who} to the others; a disconnect -> member_left {who}; refusals are
  problem {error: {kind, text}}.
Faults: lost-fanout (round 2's first move is not sent to one member), no-sync (resume gets no
resume_state), presence-stale (roster counts one member fewer than the room has).
"""
import argparse
import secrets
import string
from datetime import datetime, timezone

import socketio
from aiohttp import web
from peer_serve import serve


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dialect", choices=["ours", "seed"], default="ours")
    parser.add_argument("--fault", action="append", default=[], choices=["lost-fanout", "no-sync", "presence-stale"])
    args = parser.parse_args()
    if args.dialect == "seed":
        return seed_dialect(args.port, set(args.fault))

    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app)
    csrf_tokens = set()
    sessions = {}  # cookie -> {"user": str, "game": str | None}
    games = {}  # code -> {"max": int, "members": {user: {"online": bool, "sid": str | None}}, "turn": int, "choices": set()}
    sid_session = {}
    now = lambda: datetime.now(timezone.utc).isoformat()

    def session_of(request):
        return sessions.get(request.cookies.get("session", ""))

    def refuse(status, code, message):
        return web.json_response({"code": code, "message": message}, status=status)

    async def csrf(request):
        token = secrets.token_hex(8)
        csrf_tokens.add(token)
        return web.json_response({"csrf_token": token})

    async def login(request):
        if request.headers.get("X-CSRFToken") not in csrf_tokens:
            return refuse(400, "CSRF", "CSRF token missing or invalid")
        body = await request.json()
        if body.get("password") != "pw":
            return refuse(401, "AUTH", "bad credentials")
        cookie = secrets.token_hex(12)
        sessions[cookie] = {"user": str(body.get("username")), "game": None}
        response = web.json_response({"user": body.get("username")})
        response.set_cookie("session", cookie, httponly=True)
        return response

    async def create_game(request):
        if not session_of(request):
            return refuse(401, "AUTH_REQUIRED", "log in first")
        body = await request.json()
        code = "".join(secrets.choice(string.ascii_uppercase) for _ in range(6))
        games[code] = {"max": int(body.get("max_players", 4)), "members": {}, "turn": 1, "choices": set()}
        return web.json_response({"game_code": code, "max_players": games[code]["max"]})

    async def enter_game(request):
        s = session_of(request)
        if not s:
            return refuse(401, "AUTH_REQUIRED", "log in first")
        game = games.get(request.match_info["code"])
        if not game:
            return refuse(404, "INVALID_GAME", "no such game")
        if s["user"] not in game["members"] and len(game["members"]) >= game["max"]:
            return refuse(409, "GAME_FULL", "the game is full")
        s["game"] = request.match_info["code"]
        return web.json_response({"game_code": s["game"]})

    app.router.add_get("/api/csrf", csrf)
    app.router.add_post("/api/login", login)
    app.router.add_post("/api/games", create_game)
    app.router.add_post("/api/games/{code}/join", enter_game)

    async def error(sid, code, message):
        await sio.emit("error", {"code": code, "message": message}, to=sid)

    async def member(sid, payload):
        s = sid_session.get(sid)
        code = payload.get("game_code") if isinstance(payload, dict) else None
        if not s or s["game"] != code or code not in games:
            await error(sid, "NOT_IN_GAME", f"not in game {code}")
            return None, None
        return s["user"], games[code]

    def waiting_for(game):
        return [u for u in game["members"] if u not in game["choices"]]

    @sio.event
    async def connect(sid, environ, auth):
        cookies = dict(c.strip().split("=", 1) for c in environ.get("HTTP_COOKIE", "").split(";") if "=" in c)
        s = sessions.get(cookies.get("session", ""))
        if not s:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized", {"reason": "log in first"})
        sid_session[sid] = s

    @sio.event
    async def join_game_room(sid, payload):
        user, game = await member(sid, payload)
        if not game:
            return
        game["members"][user] = {"online": True, "sid": sid}
        await sio.enter_room(sid, payload["game_code"])
        await sio.emit("player_joined", {"player_id": user, "player_name": user, "player_count": len(game["members"]), "timestamp": now()}, room=payload["game_code"])

    @sio.event
    async def choice_submitted(sid, payload):
        user, game = await member(sid, payload)
        if not game:
            return
        if user in game["choices"]:
            return await error(sid, "ALREADY_CHOSE", "already chose")
        game["choices"].add(user)
        everyone = len(game["choices"]) >= len(game["members"])
        turn, left = game["turn"], waiting_for(game)
        if everyone:
            game["turn"] += 1
            game["choices"] = set()
        await sio.emit("player_chose", {"player_id": user, "player_name": user, "choices_submitted": len(game["members"]) - len(left), "total_players": len(game["members"]),
                                        "all_submitted": everyone, "waiting_for": left, "turn_number": turn, "sent_at": payload.get("sent_at"), "timestamp": now()}, room=payload["game_code"])

    @sio.event
    async def request_presence(sid, payload):
        user, game = await member(sid, payload)
        if not game:
            return
        players = [{"player_id": u, "player_name": u, "online": m["online"]} for u, m in game["members"].items()]
        await sio.emit("presence_update", {"online_players": [p["player_id"] for p in players if p["online"]], "total_players": len(players), "players": players}, to=sid)

    @sio.event
    async def typing(sid, payload):
        user, game = await member(sid, payload)
        if game:
            await sio.emit("player_typing", {"player_id": user, "player_name": user, "is_typing": payload.get("is_typing") is True}, room=payload["game_code"], skip_sid=sid)

    @sio.event
    async def ping(sid, payload):
        await sio.emit("pong", {"sent_at": (payload or {}).get("sent_at"), "timestamp": now()}, to=sid)

    @sio.on("reconnect")
    async def on_reconnect(sid, payload):
        user, game = await member(sid, payload)
        if not game:
            return
        game["members"][user] = {"online": True, "sid": sid}
        await sio.enter_room(sid, payload["game_code"])
        await sio.emit("reconnect_sync", {"game_code": payload["game_code"], "game_started": True, "turn_number": game["turn"], "choices_submitted": len(game["choices"]), "waiting_for": waiting_for(game)}, to=sid)
        await sio.emit("player_reconnected", {"player_id": user, "player_name": user, "timestamp": now()}, room=payload["game_code"], skip_sid=sid)

    @sio.event
    async def disconnect(sid, *_):
        s = sid_session.pop(sid, None)
        game = games.get(s["game"]) if s else None
        if game and s["user"] in game["members"] and game["members"][s["user"]]["sid"] == sid:
            game["members"][s["user"]] = {"online": False, "sid": None}
            await sio.emit("player_disconnected", {"player_id": s["user"], "player_name": s["user"], "timestamp": now()}, room=s["game"])

    serve(app, args.port, "room mimic")


def seed_dialect(port, faults):
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app)
    sessions = {}  # sid cookie -> {"user": str, "room": str | None}
    rooms = {}  # code -> {"capacity", "members": {user: sid | None}, "round", "moves": set(), "tickets": {user: ticket}, "skipped": bool}
    sid_user = {}  # socket sid -> the session dict

    def fail(status, text):
        return web.json_response({"error": text}, status=status)

    async def session(request):
        response = web.json_response({"ok": True})
        response.set_cookie("csrf_token", secrets.token_hex(8))
        return response

    async def login(request):
        token = request.headers.get("X-CSRF-Token")
        if not token or token != request.cookies.get("csrf_token"):
            return fail(400, "csrf token missing or invalid")
        body = await request.json()
        if body.get("secret") != "pw":
            return fail(401, "wrong secret")
        cookie = secrets.token_hex(12)
        sessions[cookie] = {"user": str(body.get("name")), "room": None}
        response = web.json_response({"welcome": body.get("name")})
        response.set_cookie("sid", cookie)
        return response

    async def make_room(request):
        if request.cookies.get("sid") not in sessions:
            return fail(401, "log in first")
        body = await request.json()
        code = "".join(secrets.choice(string.ascii_uppercase) for _ in range(5))
        rooms[code] = {"capacity": int(body.get("capacity", 4)), "members": {}, "round": 1, "moves": set(), "tickets": {}, "skipped": False}
        return web.json_response({"data": {"room": {"code": code}}})

    async def join_room(request):
        old = request.cookies.get("sid")
        s = sessions.get(old)
        if not s:
            return fail(401, "log in first")
        body = await request.json()
        code = body.get("room_code") if isinstance(body, dict) else None
        if not code:
            return fail(400, "room_code required")
        room = rooms.get(code)
        if not room:
            return fail(404, "no such room")
        if s["user"] not in room["tickets"] and len(room["tickets"]) >= room["capacity"]:
            return fail(409, "room is full")
        room["tickets"].setdefault(s["user"], secrets.token_hex(6))
        s["room"] = code
        # A re-signed session: a new cookie, the old one no longer opens anything.
        cookie = secrets.token_hex(12)
        sessions[cookie] = sessions.pop(old)
        response = web.json_response({"seat": {"ticket": room["tickets"][s["user"]]}})
        response.set_cookie("sid", cookie)
        return response

    app.router.add_get("/api/session", session)
    app.router.add_post("/api/auth/login", login)
    app.router.add_post("/api/rooms", make_room)
    app.router.add_post("/api/rooms/join", join_room)

    async def problem(sid, kind, text):
        await sio.emit("problem", {"error": {"kind": kind, "text": text}}, to=sid)

    async def seated(sid, payload):
        s = sid_user.get(sid)
        code = payload.get("room") if isinstance(payload, dict) else None
        if not s or s["room"] != code or code not in rooms:
            await problem(sid, "NOT_SEATED", f"not seated in {code}")
            return None, None
        return s["user"], rooms[code]

    def pending(room):
        return [u for u in room["members"] if u not in room["moves"]]

    @sio.event
    async def connect(sid, environ, auth):
        cookies = dict(c.strip().split("=", 1) for c in environ.get("HTTP_COOKIE", "").split(";") if "=" in c)
        s = sessions.get(cookies.get("sid", ""))
        if not s:
            raise socketio.exceptions.ConnectionRefusedError("log in first")
        sid_user[sid] = s

    @sio.event
    async def enter_room(sid, payload):
        user, room = await seated(sid, payload)
        if not room:
            return
        if payload.get("ticket") != room["tickets"].get(user):
            return await problem(sid, "BAD_TICKET", "no ticket for this seat")
        room["members"][user] = sid
        await sio.enter_room(sid, payload["room"])
        news = {"member": {"id": user}, "headcount": len(room["members"])}
        await sio.emit("member_entered", news, room=payload["room"])
        return news  # the ack too, for a client that asks for one

    @sio.event
    async def submit_move(sid, payload):
        user, room = await seated(sid, payload)
        if not room:
            return
        if user in room["moves"]:
            return await problem(sid, "ALREADY_MOVED", "one move per round")
        room["moves"].add(user)
        done = len(room["moves"]) >= len(room["members"])
        news = {"by": {"id": user}, "round": room["round"], "everyone_done": done, "clock": {"sent": payload.get("at")}}
        if done:
            room["round"] += 1
            room["moves"] = set()
        skip = None
        if "lost-fanout" in faults and news["round"] == 2 and not done and not room["skipped"]:
            room["skipped"] = True
            skip = next((s for u, s in room["members"].items() if u != user and s), None)
        if skip is None:
            await sio.emit("move_made", news, room=payload["room"])
        else:
            for s in [s for s in room["members"].values() if s and s != skip]:
                await sio.emit("move_made", news, to=s)

    @sio.event
    async def who_is_here(sid, payload):
        user, room = await seated(sid, payload)
        if not room:
            return
        ids = [u for u, s in room["members"].items() if s]
        count = len(ids) - 1 if "presence-stale" in faults else len(ids)
        await sio.emit("roster", {"online": {"count": count, "ids": ids}}, to=sid)

    @sio.event
    async def composing(sid, payload):
        user, room = await seated(sid, payload)
        if room:
            await sio.emit("member_composing", {"who": user}, room=payload["room"], skip_sid=sid)

    @sio.event
    async def heartbeat(sid, *_):
        await sio.emit("heartbeat_ack", {"t": datetime.now(timezone.utc).timestamp()}, to=sid)

    @sio.event
    async def resume(sid, payload):
        user, room = await seated(sid, payload)
        if not room:
            return
        room["members"][user] = sid
        await sio.enter_room(sid, payload["room"])
        if "no-sync" not in faults:
            await sio.emit("resume_state", {"state": {"round": room["round"], "pending": pending(room)}}, to=sid)
        await sio.emit("member_back", {"who": user}, room=payload["room"], skip_sid=sid)

    @sio.event
    async def disconnect(sid, *_):
        s = sid_user.pop(sid, None)
        room = rooms.get(s["room"]) if s else None
        if room and room["members"].get(s["user"]) == sid:
            room["members"][s["user"]] = None
            await sio.emit("member_left", {"who": s["user"]}, room=s["room"])

    serve(app, port, "room mimic (seed dialect)")


if __name__ == "__main__":
    main()
