"""Runs an aiohttp app on 127.0.0.1 and prints "<label> listening on http://127.0.0.1:PORT" once
it accepts connections (the line the tests wait for). Shared by the mimic peers."""
import asyncio

from aiohttp import web


def serve(app, port, label):
    async def run():
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]
        print(f"{label} listening on http://127.0.0.1:{bound}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())
