"""Stopping the simulator: a request held by the service's pace is let go, not cut off."""

from __future__ import annotations

import asyncio

import httpx

from tests.support.waiting import GUARD, until
from vmrtray.sim import Sim

PATH = "/api/getmeetinginfo"


async def test_stop_lets_a_delayed_request_through_with_its_answer(sim: Sim) -> None:
    # Held far longer than the guard: only the release on stop can let it go. A delay that
    # ignored the release was cut when the server's shutdown timeout ran out (no answer).
    sim.faults.latency_ms = 60_000
    async with httpx.AsyncClient(base_url=sim.url, timeout=GUARD) as http:
        held = asyncio.create_task(http.get(PATH, params={"addr": "100701"}))
        await until(lambda: sim.stats.requests[PATH] == 1, "the request reached the service")
        await asyncio.wait_for(sim.stop(), GUARD)
        answer = await asyncio.wait_for(held, GUARD)
    assert answer.status_code == 200
    assert answer.json()["alias"] == "100701"
