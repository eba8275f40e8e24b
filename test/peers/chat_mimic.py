"""A chat service shaped like seed 002's (python-socketio), to test the chat contract.

    python test/peers/chat_mimic.py --port 0 [--jwt-secret S] [--rate-limit N]
                                    [--fault room-name|namespace|reconnect-race]

Our own small server, written from the seed's description only:
- CONNECT auth {"token": <HS256 JWT>} signed with --jwt-secret (default "mimic-secret"); its
  "sub" is the user id. No token or a bad one: the CONNECT is refused.
- join_conversation {conversation_id} -> the socket enters room "conversation:<id>", gets
  joined_conversation {conversation_id, user_id}, and the ack {"success": true}.
- send_message {conversation_id, content} -> ack {"success": true, "message": {...}} and
  new_message {id, conversation_id, sender_id, content, created_at (ISO, UTC)} to the whole room
  (the sender too); {"success": false, "error": "not_a_member" | "rate_limited", "detail"} when refused.
- leave_conversation {conversation_id} -> ack {"success": true}.
--rate-limit N: a user may send N messages per minute; the rest are refused as rate_limited.
Faults (seed 002's hypotheses):
  room-name       joins are acked and confirmed in "conversation:<id>", broadcasts go to "conv_<id>"
  namespace       broadcasts go to namespace /chat, where nobody is
  reconnect-race  when a socket disconnects, its user's rooms are cleaned up late, by user id, once
                  the user has reconnected and rejoined: its new socket is removed again, silently
Prints "chat mimic listening on http://127.0.0.1:PORT" once it accepts connections.
"""
import argparse
import asyncio
import datetime
import time
import uuid

import socketio
from aiohttp import web
from peer_jwt import verify_hs256
from peer_serve import serve

RACE_WAIT_S = 3.0


def verify_jwt(token, secret):
    """The claims of a valid HS256 token whose "sub" is the user id, else None."""
    claims = verify_hs256(token, secret)
    return claims if claims and isinstance(claims.get("sub"), str) else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--jwt-secret", default="mimic-secret")
    parser.add_argument("--rate-limit", type=int, default=0)
    parser.add_argument("--fault", choices=["room-name", "namespace", "reconnect-race"])
    args = parser.parse_args()

    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app)

    users = {}  # sid -> user id
    current = {}  # user id -> its latest sid
    rooms_of = {}  # user id -> conversation ids joined
    sends = {}  # user id -> send times within the last minute
    rejoined = {}  # user id -> set when it joins a conversation (the race fault waits for it)

    @sio.event
    async def connect(sid, environ, auth):
        claims = verify_jwt((auth or {}).get("token", ""), args.jwt_secret)
        if claims is None:
            raise socketio.exceptions.ConnectionRefusedError("invalid or missing token")
        users[sid] = claims["sub"]
        current[claims["sub"]] = sid

    @sio.event
    async def disconnect(sid, *_):
        user = users.pop(sid, None)
        if user is None or args.fault != "reconnect-race":
            return

        async def cleanup():
            # The bug: the old socket's cleanup runs late (here: once the user has rejoined, so the
            # race is lost every time) and removes the user, by id, from its rooms: that is the
            # user's new socket now, which stays connected and acked but receives nothing more.
            rejoined.setdefault(user, asyncio.Event()).clear()
            try:
                await asyncio.wait_for(rejoined[user].wait(), RACE_WAIT_S)
            except asyncio.TimeoutError:
                pass
            await asyncio.sleep(0.1)
            for conv in rooms_of.get(user, set()):
                await sio.leave_room(current.get(user, sid), f"conversation:{conv}")

        asyncio.ensure_future(cleanup())

    @sio.event
    async def join_conversation(sid, data):
        conv = (data or {}).get("conversation_id") if isinstance(data, dict) else None
        if not isinstance(conv, str) or not conv:
            return {"success": False, "error": "invalid_request", "detail": "conversation_id is required"}
        user = users[sid]
        await sio.enter_room(sid, f"conversation:{conv}")
        rooms_of.setdefault(user, set()).add(conv)
        rejoined.setdefault(user, asyncio.Event()).set()
        await sio.emit("joined_conversation", {"conversation_id": conv, "user_id": user}, to=sid)
        return {"success": True}

    @sio.event
    async def leave_conversation(sid, data):
        conv = (data or {}).get("conversation_id") if isinstance(data, dict) else None
        if isinstance(conv, str):
            await sio.leave_room(sid, f"conversation:{conv}")
            rooms_of.get(users.get(sid), set()).discard(conv)
        return {"success": True}

    @sio.event
    async def send_message(sid, data):
        if not isinstance(data, dict) or not isinstance(data.get("conversation_id"), str) or not isinstance(data.get("content"), str):
            return {"success": False, "error": "invalid_request", "detail": "conversation_id and content are required"}
        conv = data["conversation_id"]
        user = users[sid]
        if f"conversation:{conv}" not in sio.rooms(sid):
            return {"success": False, "error": "not_a_member", "detail": f"join conversation {conv} first"}
        if args.rate_limit > 0:
            now = time.monotonic()
            recent = [t for t in sends.get(user, []) if now - t < 60]
            if len(recent) >= args.rate_limit:
                sends[user] = recent
                return {"success": False, "error": "rate_limited", "detail": f"at most {args.rate_limit} messages per minute"}
            sends[user] = recent + [now]
        message = {
            "id": str(uuid.uuid4()),
            "conversation_id": conv,
            "sender_id": user,
            "content": data["content"],
            "created_at": datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None).isoformat(),
        }
        if args.fault == "room-name":
            await sio.emit("new_message", message, room=f"conv_{conv}")
        elif args.fault == "namespace":
            await sio.emit("new_message", message, room=f"conversation:{conv}", namespace="/chat")
        else:
            await sio.emit("new_message", message, room=f"conversation:{conv}")
        return {"success": True, "message": message}

    @sio.on("connect", namespace="/chat")
    async def chat_connect(sid, environ, auth):
        return None

    serve(app, args.port, "chat mimic")


if __name__ == "__main__":
    main()
