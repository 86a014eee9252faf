"""Room status: concurrent, live status only for started rooms, errors kept per room."""

from __future__ import annotations

import asyncio

import httpx

from tests.support.waiting import until
from vmrtray.api import ApiError, Client, ServerError
from vmrtray.core.status import fetch_statuses
from vmrtray.sim import DEMO_PUBLIC_KEY, Sim


async def test_status_of_started_idle_and_unknown_rooms(sim: Sim, api: Client) -> None:
    sim.state.set_meeting("100702", started=True, participants=5, live=True)
    await api.open_record("100702")
    statuses = await fetch_statuses(api, ["100701", "100702", "100703", "424242"])
    by_room = {s.room: s for s in statuses}
    assert by_room["100701"].started
    assert not by_room["100701"].recording
    assert by_room["100702"].recording
    assert by_room["100702"].streaming
    assert by_room["100702"].info is not None
    assert by_room["100702"].info.participants == 5
    assert not by_room["100703"].started
    assert isinstance(by_room["424242"].error, ApiError)
    assert [s.room for s in statuses] == ["100701", "100702", "100703", "424242"]


async def test_live_status_is_asked_only_for_started_rooms(sim: Sim, api: Client) -> None:
    sim.stats.reset()
    await fetch_statuses(api, ["100701", "100702", "100703"])
    assert sim.stats.requests["/api/getmeetinginfo"] == 3
    assert sim.stats.requests["/meeting/getLiveRecStatus"] == 1


async def test_concurrency_is_bounded_by_connections(sim: Sim) -> None:
    sim.state = type(sim.state)(rooms=40)
    sim.faults.latency_ms = 20
    async with Client(sim.url, "800", max_connections=4) as api:
        statuses = await fetch_statuses(api, [f"{100701 + i}" for i in range(40)], limit=4)
    assert len(statuses) == 40
    assert sim.stats.api_connections() <= 4


async def test_requests_in_flight_reach_the_limit_and_never_pass_it() -> None:
    """The limit is fetch_statuses' own, not the connection pool's (the client may open one per
    room): the first `limit` requests hang in the simulator, so exactly `limit` reach it and no
    other follows until they are answered; after, `limit` connections served the whole run (the
    pool opens one only when every open one is busy, so never more than `limit` were in flight)."""
    limit, rooms = 4, [f"{100701 + i}" for i in range(12)]
    async with Sim(rooms=len(rooms)) as sim, Client(sim.url, DEMO_PUBLIC_KEY, max_connections=len(rooms)) as api:

        def arrived() -> int:
            return sim.stats.requests["/api/getmeetinginfo"]

        sim.faults.queue("hang", count=limit, path="/api/getmeetinginfo")
        fetching = asyncio.ensure_future(fetch_statuses(api, rooms, limit=limit))
        await until(lambda: arrived() >= limit, f"{limit} requests in flight at once")
        async with httpx.AsyncClient() as other:  # a round trip through the service: what was sent has arrived
            await other.get(f"{sim.url}/_sim/info")
        assert arrived() == limit
        assert not fetching.done()
        sim.faults.release.set()
        statuses = await fetching
        sim.faults.release.clear()
        assert [s.room for s in statuses] == rooms
        assert sum(isinstance(s.error, ServerError) for s in statuses) == limit  # the released ones
        assert sim.stats.api_connections() == limit


async def test_status_json_never_carries_the_host_password(api: Client) -> None:
    (status,) = await fetch_statuses(api, ["100701"])
    assert "hostpwd" not in status.to_api()
    assert status.to_api()["guestpwd"] == "654321"
