"""Fixtures of the API tests: a small aiohttp server on loopback that answers exactly what
each test says (for answers the simulator does not give: a gateway's page, a firewall's JSON)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest_asyncio
from aiohttp import web

from vmrtray.api import Client
from vmrtray.sim import DEMO_PUBLIC_KEY

Answer = tuple[int, str, str | bytes]  # status, content type, body (text, or bytes as they are)
Serve = Callable[[Answer], None]


@pytest_asyncio.fixture
async def served() -> AsyncIterator[tuple[Client, Serve]]:
    answer: list[Answer] = [(200, "application/json", "{}")]

    async def handle(request: web.Request) -> web.Response:
        status, kind, body = answer[0]
        if isinstance(body, bytes):
            return web.Response(status=status, body=body, content_type=kind)
        return web.Response(status=status, text=body, content_type=kind)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]

    def serve(given: Answer) -> None:
        answer[0] = given

    try:
        async with Client(f"http://127.0.0.1:{port}", DEMO_PUBLIC_KEY) as api:
            yield api, serve
    finally:
        await runner.cleanup()
