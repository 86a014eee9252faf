"""Digits from a file server are ASCII digits (issue 15, point 10): `str.isdigit` is True for
"١٢٣" and full-width "１２３", and `int()` reads them, so a CRC-64 header of such digits was
taken as a checksum to compare the bytes against. Now it is no checksum at all (as a header
that is not a number), over a real HTTP answer on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import web

from vmrtray.core.downloads import new_file_session
from vmrtray.core.transfer import CRC_HEADER, expected_crc


@pytest_asyncio.fixture
async def store() -> AsyncIterator[str]:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=b"x", headers={CRC_HEADER: request.query["crc"]})

    app = web.Application()
    app.router.add_get("/object", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/object"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(("header", "crc"), [("123", 123), ("١٢٣", None), ("１２３", None), ("12a", None)])
async def test_a_crc_header_counts_only_in_ascii_digits(store: str, header: str, crc: int | None) -> None:
    async with new_file_session() as http, http.get(store, params={"crc": header}) as response:
        assert expected_crc(response) == crc
