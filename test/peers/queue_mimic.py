"""A matchmaking queue that speaks and fails the way baloot-ai's was observed to (python-socketio).

    python test/peers/queue_mimic.py --port 0 [--no-rate-limit] [--slow-ack MS] [--drop-dead] [--require-login]

Our own small server, written from observed facts only, to test the `baloot-ai` contract:
- every reply is an ack: queue_join {playerName} -> {"success": true, "queueSize", "avgWait"}, or
  {"success": false, "error": "Too many requests. Please wait." | "Already in queue" | "Invalid request format"};
  queue_leave -> {"success": true|false};
- a player is its socket (the payload only names it); tables of 4 in arrival order, formed inside
  the join that completes them; match_found {roomId, yourIndex, gameState, avgElo} goes to each
  seated socket, before the completing join's ack;
- 5 joins per socket per clock minute (int(time.time() // 60)); every object join counts, a
  limited join leaves the queue as it was;
- the fault: a socket that disconnects while queued stays queued. The join that completes a table
  with such a player fails inside the server: no ack for it, no match_found for anyone, and the
  four are gone from the queue. --drop-dead removes players on disconnect (a fixed server).
--require-login: the CONNECT is refused without the session cookie of an HTTP login, the way
Flask-SocketIO servers with a login page work: GET /api/csrf -> {"csrf_token"} (and a cookie), then
POST /api/login {"username", "password": "pw"} with the X-CSRFToken header -> the session cookie.
Prints "listening on http://127.0.0.1:PORT" once it accepts connections.
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid

import socketio
from aiohttp import web
from peer_serve import serve

RATE_LIMIT = 5


def verified_jwt(token, secret):
    """The claims of an HS256 JWT signed with `secret` and not expired, else None."""
    if not isinstance(token, str) or token.count(".") != 2:
        return None
    head, body, sig = token.split(".")
    expected = base64.urlsafe_b64encode(hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    if not hmac.compare_digest(expected, sig):
        return None
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return claims if claims.get("exp", 0) > time.time() else None
TABLE = 4


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-rate-limit", action="store_true")
    parser.add_argument("--slow-ack", type=int, default=0, help="ms before each queue_join ack")
    parser.add_argument("--drop-dead", action="store_true", help="remove a queued player when it disconnects")
    parser.add_argument("--require-login", action="store_true", help="refuse CONNECT without the session cookie of POST /api/login")
    parser.add_argument("--require-jwt", metavar="SECRET", help="refuse CONNECT without an HS256 JWT signed with SECRET in auth.token; a join must name the token's sub")
    args = parser.parse_args()

    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app)
    queue = []  # [(sid, name, joined_at)]
    alive = set()
    joins = {}  # (sid, minute) -> count

    sessions = set()
    csrf_tokens = set()

    async def csrf(request):
        token = secrets.token_hex(8)
        csrf_tokens.add(token)
        response = web.json_response({"csrf_token": token})
        response.set_cookie("csrf_token", token)
        return response

    async def login(request):
        if request.headers.get("X-CSRFToken") not in csrf_tokens:
            return web.json_response({"error": "CSRF token missing or invalid"}, status=400)
        body = await request.json()
        if body.get("password") != "pw":
            return web.json_response({"error": "bad credentials"}, status=401)
        session = secrets.token_hex(12)
        sessions.add(session)
        response = web.json_response({"user": body.get("username")})
        response.set_cookie("session", session, httponly=True)
        return response

    app.router.add_get("/api/csrf", csrf)
    app.router.add_post("/api/login", login)

    identity = {}  # sid -> the JWT's sub

    @sio.event
    async def connect(sid, environ, auth):
        if args.require_jwt:
            claims = verified_jwt((auth or {}).get("token"), args.require_jwt)
            if claims is None:
                raise socketio.exceptions.ConnectionRefusedError("unauthorized", {"reason": "a valid token is required"})
            identity[sid] = claims.get("sub")
        if args.require_login:
            cookies = dict(c.strip().split("=", 1) for c in environ.get("HTTP_COOKIE", "").split(";") if "=" in c)
            if cookies.get("session") not in sessions:
                raise socketio.exceptions.ConnectionRefusedError("unauthorized", {"reason": "log in first"})
        alive.add(sid)

    @sio.event
    async def disconnect(sid, *_):
        alive.discard(sid)
        if args.drop_dead:
            queue[:] = [q for q in queue if q[0] != sid]

    def status():
        now = time.time()
        waits = [now - q[2] for q in queue]
        return {"success": True, "queueSize": len(queue), "avgWait": sum(waits) / len(waits) if waits else 0.0}

    async def seat_tables():
        while len(queue) >= TABLE:
            table = queue[:TABLE]
            del queue[:TABLE]
            room = uuid.uuid4().hex[:8]
            for seat in table:
                if seat[0] not in alive:
                    # The observed crash: the room cannot take a socket that is gone.
                    raise KeyError(seat[0])
            players = [{"id": s[0], "name": s[1], "index": i} for i, s in enumerate(table)]
            for i, s in enumerate(table):
                await sio.emit("match_found", {"roomId": room, "yourIndex": i, "gameState": {"roomId": room, "players": players}, "avgElo": 1000.0}, to=s[0])

    @sio.event
    async def queue_join(sid, data):
        if args.slow_ack:
            await asyncio.sleep(args.slow_ack / 1000)
        if not isinstance(data, dict):
            return {"success": False, "error": "Invalid request format"}
        if args.require_jwt and data.get("playerName") != identity.get(sid):
            return {"success": False, "error": "Invalid request format: playerName is not the token's user"}
        key = (sid, int(time.time() // 60))
        joins[key] = joins.get(key, 0) + 1
        if joins[key] > RATE_LIMIT and not args.no_rate_limit:
            return {"success": False, "error": "Too many requests. Please wait."}
        if any(q[0] == sid for q in queue):
            return {"success": False, "error": "Already in queue"}
        queue.append((sid, str(data.get("playerName", "Guest")), time.time()))
        await seat_tables()  # raises on a dead player: python-socketio then sends no ack
        return status()

    @sio.event
    async def queue_leave(sid, data):
        before = len(queue)
        queue[:] = [q for q in queue if q[0] != sid]
        return {"success": len(queue) < before}

    serve(app, args.port, "queue mimic")


if __name__ == "__main__":
    main()
