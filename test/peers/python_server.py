"""Conformance peer events (see src/target/conformance.ts) on python-socketio servers.

    python test/peers/python_server.py --kind aiohttp|asgi|flask --port 0 [--ping-interval S --ping-timeout S]

Prints "listening on http://127.0.0.1:PORT" once it accepts connections. Namespaces: "/" and
"/custom" (auth {"token": "custom-secret"}, else refused "unauthorized" with data {"reason"}).
python-socketio has no connection state recovery and no hook to stop its pings: the checklist
reports those items as not supported by the server. `freeze {seconds}` (aiohttp and ASGI) blocks
the server's event loop, so its pings stop: what a client sees of a hung server.
"""
import argparse
import socket as pysocket
import sys

CUSTOM_TOKEN = "custom-secret"
PINGS = {}  # ping_interval / ping_timeout (seconds) from the command line, when given


def free_port():
    with pysocket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def refuse(auth):
    token = (auth or {}).get("token")
    if token != CUSTOM_TOKEN:
        return {"reason": "missing token" if token is None else "invalid token"}
    return None


def serve_async_events(sio):
    """The peer events on a python-socketio AsyncServer, whatever runs it (aiohttp or ASGI)."""
    import asyncio

    import socketio

    for ns in ("/", "/custom"):

        @sio.on("connect", namespace=ns)
        async def connect(sid, environ, auth, ns=ns):
            if ns == "/custom":
                reason = refuse(auth)
                if reason:
                    raise socketio.exceptions.ConnectionRefusedError("unauthorized", reason)

        @sio.on("echo", namespace=ns)
        async def echo(sid, *args):
            return tuple(args)

        @sio.on("ask", namespace=ns)
        async def ask(sid, question, ns=ns):
            answer = await sio.call("question", question, to=sid, namespace=ns, timeout=5)
            await sio.emit("answered", answer, to=sid, namespace=ns)

        @sio.on("kick_me", namespace=ns)
        async def kick_me(sid, *_, ns=ns):
            await sio.disconnect(sid, namespace=ns)

        @sio.on("drop_me", namespace=ns)
        async def drop_me(sid, *_, ns=ns):
            await sio.eio.disconnect(sio.manager.eio_sid_from_sid(sid, ns))

        @sio.on("freeze", namespace=ns)
        async def freeze(sid, seconds=5):
            import time

            time.sleep(min(10.0, float(seconds)))  # blocking on purpose: nothing runs, no ping goes out

        @sio.on("burst", namespace=ns)
        async def burst(sid, payload, ns=ns):
            count = min(50, int((payload or {}).get("count", 0)))
            interval = int((payload or {}).get("interval_ms", 50)) / 1000

            async def send():
                for n in range(1, count + 1):
                    await asyncio.sleep(interval)
                    await sio.emit("burst_item", {"n": n}, to=sid, namespace=ns)

            sio.start_background_task(send)


def run_aiohttp(port):
    import socketio
    from aiohttp import web

    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*", **PINGS)
    app = web.Application()
    sio.attach(app)
    serve_async_events(sio)

    from peer_serve import serve

    serve(app, port, "python-socketio AsyncServer (aiohttp)")


def run_asgi(port):
    import asyncio

    import socketio
    import uvicorn

    sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*", **PINGS)
    serve_async_events(sio)
    bound = port or free_port()
    server = uvicorn.Server(uvicorn.Config(socketio.ASGIApp(sio), host="127.0.0.1", port=bound, log_level="warning", lifespan="off"))

    async def run():
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                return await task
            await asyncio.sleep(0.05)
        print(f"python-socketio AsyncServer (ASGI, uvicorn) listening on http://127.0.0.1:{bound}", flush=True)
        await task

    asyncio.run(run())


def run_flask(port):
    from flask import Flask, request
    from flask_socketio import ConnectionRefusedError, SocketIO, disconnect

    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="threading", cors_allowed_origins="*")

    for ns in ("/", "/custom"):

        def connect(auth=None, ns=ns):
            if ns == "/custom":
                reason = refuse(auth)
                if reason:
                    raise ConnectionRefusedError("unauthorized", reason)

        socketio.on_event("connect", connect, namespace=ns)

        def echo(*args):
            return tuple(args)

        socketio.on_event("echo", echo, namespace=ns)

        def ask(question, ns=ns):
            sid = request.sid

            def answered(answer):
                socketio.emit("answered", answer, to=sid, namespace=ns)

            socketio.emit("question", question, to=sid, namespace=ns, callback=answered)

        socketio.on_event("ask", ask, namespace=ns)

        def kick_me(*_):
            disconnect()

        socketio.on_event("kick_me", kick_me, namespace=ns)

        def drop_me(*_, ns=ns):
            server = socketio.server
            server.eio.disconnect(server.manager.eio_sid_from_sid(request.sid, ns))

        socketio.on_event("drop_me", drop_me, namespace=ns)

        def burst(payload, ns=ns):
            sid = request.sid
            count = min(50, int((payload or {}).get("count", 0)))
            interval = int((payload or {}).get("interval_ms", 50)) / 1000

            def send():
                for n in range(1, count + 1):
                    socketio.sleep(interval)
                    socketio.emit("burst_item", {"n": n}, to=sid, namespace=ns)

            socketio.start_background_task(send)

        socketio.on_event("burst", burst, namespace=ns)

    bound = port or free_port()
    print(f"Flask-SocketIO (threading) listening on http://127.0.0.1:{bound}", flush=True)
    socketio.run(app, host="127.0.0.1", port=bound, allow_unsafe_werkzeug=True, log_output=False)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    runners = {"aiohttp": run_aiohttp, "asgi": run_asgi, "flask": run_flask}
    parser.add_argument("--kind", choices=list(runners), required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ping-interval", type=float)
    parser.add_argument("--ping-timeout", type=float)
    args = parser.parse_args()
    if args.ping_interval is not None:
        PINGS["ping_interval"] = args.ping_interval
    if args.ping_timeout is not None:
        PINGS["ping_timeout"] = args.ping_timeout
    sys.stdout.reconfigure(line_buffering=True)
    runners[args.kind](args.port)
