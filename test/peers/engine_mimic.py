"""A game engine shaped like seed 003's (python-socketio), to test the risks contract.

    python test/peers/engine_mimic.py --port 0 [--jwt-secret S] [--ping-interval S --ping-timeout S]
                                      [--fault race|no-authz|no-recovery|stale-rooms|leak]

Our own small server, written from the seed's description only:
- CONNECT with an HS256 JWT (claim "user_id") in auth {"token"} or in the "access_token" cookie,
  signed with --jwt-secret (default "mimic-secret"); anything else is refused "unauthorized".
  A connected socket gets `connected {user_id}`.
- Replies are events, never acks; errors are `error {message}`:
  join_game {game_id}            -> `game_joined {game_id, role, players}`; `user_joined` to the room
  leave_game {game_id}           -> `game_left {game_id}`
  request_game_state {game_id}   -> `game_state {game_id, version, players}` | error "Game not found"
  roll_dice {game_id}            -> `dice_rolled {game_id, roll_id}` to the roller and the room
  submit_manual_outcome {game_id, roll_id, outcome}
                                 -> `outcome_accepted {game_id, roll_id, version}` to the sender and
                                    `game_state_update {game_id, version, players}` to the room
                                  | `outcome_rejected {message: "No pending dice roll"}`
  Only the game's players may roll or submit (else error "Not authorized"). A disconnect removes
  the user from its games and tells each room `user_disconnected {user_id}`; a game nobody is in
  is deleted. GET /stats -> {active_games, sessions, rooms}.
Faults (seed 003's risk areas):
  race         submissions are checked, then awaited, then applied with no lock: two are accepted
               for one roll, and the version is read, awaited and written back (lost updates)
  no-authz     anyone may roll and submit in any game
  no-recovery  game state is served only to the sockets that joined it: after a reconnect the
               player gets error "Game not found"
  stale-rooms  leave_game answers but leaves nothing; a disconnect keeps the user in the player list
  leak         games and sessions are never removed
Prints "engine mimic listening on http://127.0.0.1:PORT" once it accepts connections.
"""
import argparse
import asyncio
from http.cookies import SimpleCookie

import socketio
from aiohttp import web
from peer_jwt import verify_hs256
from peer_serve import serve


def verify_jwt(token, secret):
    """The user id of a valid HS256 token (claim "user_id"), else None."""
    user = (verify_hs256(token, secret) or {}).get("user_id")
    return user if isinstance(user, str) and user else None


class Game:
    def __init__(self):
        self.players = []  # user ids, in joining order
        self.sids = set()  # sockets that joined in their session
        self.version = 0
        self.pending_roll = None
        self.rolls = 0
        self.lock = asyncio.Lock()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--jwt-secret", default="mimic-secret")
    parser.add_argument("--ping-interval", type=float, default=25)
    parser.add_argument("--ping-timeout", type=float, default=20)
    parser.add_argument("--fault", choices=["race", "no-authz", "no-recovery", "stale-rooms", "leak"])
    args = parser.parse_args()
    fault = args.fault

    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*", ping_interval=args.ping_interval, ping_timeout=args.ping_timeout)
    app = web.Application()
    sio.attach(app)

    sessions = {}  # sid -> user id
    games = {}  # game id -> Game

    async def stats(_request):
        rooms = sum(1 for g in games if sio.manager.rooms.get("/", {}).get(g))
        return web.json_response({"active_games": len(games), "sessions": len(sessions), "rooms": rooms})

    app.router.add_get("/stats", stats)

    async def fail(sid, message):
        await sio.emit("error", {"message": message}, to=sid)

    def game_of(data):
        gid = data.get("game_id") if isinstance(data, dict) else None
        return gid if isinstance(gid, str) and gid else None

    def forget(gid, user, sid):
        game = games.get(gid)
        if game is None:
            return
        game.sids.discard(sid)
        if user in game.players:
            game.players.remove(user)
        if not game.players and fault != "leak":
            del games[gid]

    @sio.event
    async def connect(sid, environ, auth):
        token = (auth or {}).get("token") if isinstance(auth, dict) else None
        if not token:
            cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
            token = cookie["access_token"].value if "access_token" in cookie else None
        user = verify_jwt(token or "", args.jwt_secret)
        if user is None:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized")
        sessions[sid] = user
        await sio.emit("connected", {"user_id": user}, to=sid)

    @sio.event
    async def disconnect(sid, *_):
        user = sessions.get(sid) if fault == "leak" else sessions.pop(sid, None)
        if user is None:
            return
        for gid, game in list(games.items()):
            if sid in game.sids or user in game.players:
                await sio.emit("user_disconnected", {"user_id": user, "game_id": gid}, room=gid, skip_sid=sid)
                if fault == "stale-rooms":
                    game.sids.discard(sid)
                else:
                    forget(gid, user, sid)

    @sio.event
    async def join_game(sid, data):
        gid = game_of(data)
        if gid is None:
            return await fail(sid, "Missing game_id")
        user = sessions[sid]
        game = games.setdefault(gid, Game())
        if user not in game.players:
            game.players.append(user)
        game.sids.add(sid)
        await sio.enter_room(sid, gid)
        role = ["home", "away"][game.players.index(user)] if game.players.index(user) < 2 else "spectator"
        await sio.emit("game_joined", {"game_id": gid, "role": role, "players": list(game.players)}, to=sid)
        await sio.emit("user_joined", {"game_id": gid, "user_id": user}, room=gid, skip_sid=sid)

    @sio.event
    async def leave_game(sid, data):
        gid = game_of(data)
        if gid is None:
            return await fail(sid, "Missing game_id")
        if fault != "stale-rooms":
            await sio.leave_room(sid, gid)
            forget(gid, sessions[sid], sid)
        await sio.emit("game_left", {"game_id": gid}, to=sid)

    @sio.event
    async def request_game_state(sid, data):
        gid = game_of(data)
        game = games.get(gid) if gid else None
        if game is None or (fault == "no-recovery" and sid not in game.sids):
            return await fail(sid, "Game not found")
        await sio.emit("game_state", {"game_id": gid, "version": game.version, "players": list(game.players)}, to=sid)

    def authorized(sid, game):
        return fault == "no-authz" or sessions.get(sid) in game.players

    async def playing(sid, data):
        """The game a player acts in, or None once the error is sent (no such game, not one of its players)."""
        gid = game_of(data)
        game = games.get(gid) if gid else None
        if game is None:
            await fail(sid, "Game not found")
        elif not authorized(sid, game):
            await fail(sid, "Not authorized")
        else:
            return gid, game
        return None

    @sio.event
    async def roll_dice(sid, data):
        found = await playing(sid, data)
        if found is None:
            return
        gid, game = found
        game.rolls += 1
        game.pending_roll = f"{gid}#{game.rolls}"
        rolled = {"game_id": gid, "roll_id": game.pending_roll}
        await sio.emit("dice_rolled", rolled, to=sid)
        await sio.emit("dice_rolled", rolled, room=gid, skip_sid=sid)

    async def resolve(sid, gid, game, roll_id):
        if game.pending_roll is None or game.pending_roll != roll_id:
            return await sio.emit("outcome_rejected", {"message": "No pending dice roll"}, to=sid)
        if fault == "race":
            # The seed's bug: check, await the database, then consume and write back, with no lock.
            await asyncio.sleep(0.02)
            game.pending_roll = None
            version = game.version
            await asyncio.sleep(0.01)
            game.version = version + 1
        else:
            game.pending_roll = None
            game.version += 1
        await sio.emit("outcome_accepted", {"game_id": gid, "roll_id": roll_id, "version": game.version}, to=sid)
        await sio.emit("game_state_update", {"game_id": gid, "version": game.version, "players": list(game.players)}, room=gid)

    @sio.event
    async def submit_manual_outcome(sid, data):
        found = await playing(sid, data)
        if found is None:
            return
        gid, game = found
        roll_id = data.get("roll_id")
        if fault == "race":
            return await resolve(sid, gid, game, roll_id)
        async with game.lock:
            await resolve(sid, gid, game, roll_id)

    serve(app, args.port, "engine mimic")


if __name__ == "__main__":
    main()
