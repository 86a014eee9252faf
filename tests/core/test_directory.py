"""The room directory: asked once and shared, asked again when old or when told to."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.waiting import until
from vmrtray.api import AuthError, Client, VmrError
from vmrtray.core.directory import RoomDirectory, check_connection
from vmrtray.core.settings import Settings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim

ROOMS_PATH = "/subscribe/getmeeting"


def _asked(sim: Sim) -> int:
    return sim.stats.requests[ROOMS_PATH]


async def test_callers_share_one_request_and_then_the_kept_answer(sim: Sim, api: Client) -> None:
    directory = RoomDirectory(api, DEMO_ACCOUNT)
    assert directory.known == {}
    first = await asyncio.gather(*(directory.rooms() for _ in range(5)))  # the dialog, the tray, proposals…
    again = await directory.rooms()
    assert _asked(sim) == 1
    assert all(rooms == again for rooms in first)
    assert set(directory.known) == {room.sipkey for room in again}
    assert "100701" in directory.known


async def test_it_asks_again_when_what_it_has_is_old_or_when_told_to(sim: Sim, api: Client) -> None:
    now = [0.0]
    directory = RoomDirectory(api, DEMO_ACCOUNT, max_age=60, clock=lambda: now[0])
    await directory.rooms()
    now[0] = 59.0
    await directory.rooms()
    assert _asked(sim) == 1
    now[0] = 61.0
    await directory.rooms()
    assert _asked(sim) == 2
    await directory.rooms(fresh=True)
    assert _asked(sim) == 3


async def test_a_failure_reaches_every_caller_and_the_next_call_asks_again(sim: Sim, api: Client) -> None:
    directory = RoomDirectory(api, DEMO_ACCOUNT)
    sim.faults.queue("500", path=ROOMS_PATH)
    results = await asyncio.gather(directory.rooms(), directory.rooms(), return_exceptions=True)
    assert all(isinstance(r, VmrError) for r in results)
    assert _asked(sim) == 1
    assert [r.sipkey for r in await directory.rooms()]  # not stuck on the failure
    assert _asked(sim) == 2


async def test_a_failure_nobody_waited_for_is_not_handed_to_the_next_caller(sim: Sim, api: Client) -> None:
    """The only caller went away (its dialog closed) while the request failed: the next one asks anew."""
    directory = RoomDirectory(api, DEMO_ACCOUNT)
    sim.faults.latency_ms = 200
    sim.faults.queue("500", path=ROOMS_PATH)
    caller = asyncio.ensure_future(directory.rooms())
    await until(lambda: _asked(sim) == 1, "the request reached the service")
    caller.cancel()
    asking = directory._asking  # white box: the shared request, which goes on without its caller
    assert asking is not None
    await until(asking.done, "the shared request failed")
    sim.faults.latency_ms = 0
    assert [r.sipkey for r in await directory.rooms()]  # the service is fine now: not the old failure
    assert _asked(sim) == 2


async def test_check_connection_proves_server_key_and_account(sim: Sim) -> None:
    settings = Settings(server=sim.url, account=DEMO_ACCOUNT)
    rooms = await check_connection(settings, DEMO_PUBLIC_KEY)
    assert "100701" in {room.sipkey for room in rooms}
    with pytest.raises(AuthError):
        await check_connection(settings, "not-the-key")
