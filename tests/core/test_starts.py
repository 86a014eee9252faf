"""The coordinator follows a start of ours until the service settles it (issue 14, step 1):
bounded, and its end told once whoever sees it first (the toggle, a refresh)."""

from __future__ import annotations

import asyncio

from tests.core.test_coordinator import Recorder
from tests.support.clock import Clock
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.events import Busy, Kind
from vmrtray.sim import Sim

ROOM = "100701"


async def test_a_start_never_confirmed_is_given_up_once_and_still_told_if_it_starts_later(
    sim: Sim, api: Client
) -> None:
    clock = Clock()
    sim.state.clock = clock
    sim.state.find_room(ROOM)[1].start_delay = 600.0  # type: ignore[index]
    coord = Coordinator(api, [ROOM], interval_active=30, interval_idle=30, start_wait=0.0, give_up_after=0.0)
    rec = Recorder(coord)
    try:
        await rec.until(lambda: bool(rec.snapshots) and rec.last.rooms[0].available, "first refresh")
        outcome = await coord.start_recording(ROOM)
        assert outcome.unconfirmed
        assert outcome.watched
        assert rec.last.room(ROOM).busy == Busy.STARTING  # type: ignore[union-attr]
        await coord.refresh()  # past the bound: given up, once
        await coord.refresh()
        assert rec.kinds(ROOM).count(Kind.RECORDING_UNCONFIRMED) == 1
        gave_up = next(e for e in rec.events if e.kind == Kind.RECORDING_UNCONFIRMED)
        assert (gave_up.ours, gave_up.record_id) == (True, outcome.record_id)
        assert "未获确认" in gave_up.describe("zh")
        assert "not confirmed" in gave_up.describe("en")
        assert rec.last.room(ROOM).busy is None  # type: ignore[union-attr]

        clock.now += 600.0  # it did start, long after
        await coord.refresh()
        await coord.refresh()
        assert rec.kinds(ROOM).count(Kind.RECORDING_STARTED) == 1
        assert rec.last.room(ROOM).recording  # type: ignore[union-attr]
    finally:
        await coord.aclose()


async def test_a_start_seen_by_a_refresh_first_is_told_once(sim: Sim, api: Client) -> None:
    coord = Coordinator(api, [ROOM], interval_active=30, interval_idle=30)
    rec = Recorder(coord)
    try:
        await rec.until(lambda: bool(rec.snapshots) and rec.last.rooms[0].available, "first refresh")
        sim.faults.queue("hang", path="/meeting/getLiveRecStatus")  # the toggle's confirming is held
        toggling = asyncio.ensure_future(coord.start_recording(ROOM))
        await until(lambda: sim.stats.requests["/meeting/getLiveRecStatus"] > 0, "the confirmation asked")
        await coord.refresh()  # a refresh sees it recording first
        assert rec.last.room(ROOM).busy is None  # type: ignore[union-attr]  # settled: no longer "starting"
        sim.faults.release.set()  # the toggle's question fails now: its outcome adds nothing
        outcome = await toggling
        assert outcome.watched
        await coord.refresh()
        assert rec.kinds(ROOM).count(Kind.RECORDING_STARTED) == 1
        assert [e.ours for e in rec.events if e.kind == Kind.RECORDING_STARTED] == [True]
    finally:
        await coord.aclose()
