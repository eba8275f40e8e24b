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
    args = parser.parse_args()

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


if __name__ == "__main__":
    main()
