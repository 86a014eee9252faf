"""A stop the coordinator did not see in memory is still followed (issue 14 review): the
catalog's recordings not known to have stopped are compared with the rooms at each refresh,
so one started and stopped between two refreshes, or stopped while nothing ran, is told
stopped (after it is written down), its files asked for and told ready; a recorder still
joining, or a start refused with a failedReason, is not taken for a stop. A room that
stops and starts again between two refreshes tells both. Coordinator, FilesWatch and
catalog against the simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest_asyncio

from vmrtray.api import Client
from vmrtray.core.catalog import Catalog, Source
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.events import Event, Kind, Snapshot
from vmrtray.core.making import FilesWatch, Ready
from vmrtray.sim import Sim

ROOM = "100701"


class Told:
    """Listens to a coordinator: its events, and whether the catalog had the stop when told."""

    def __init__(self, coordinator: Coordinator, catalog: Catalog) -> None:
        self.events: list[Event] = []
        self.written_when_told: dict[str, bool] = {}
        self.snapshots = 0
        self.catalog = catalog
        self._changed = asyncio.Event()
        coordinator.add_listener(self)

    def __call__(self, snapshot: Snapshot, events: list[Event]) -> None:
        self.snapshots += 1
        for event in events:
            if event.kind == Kind.RECORDING_STOPPED:
                entry = next(e for e in self.catalog.entries() if e.record_id == event.record_id)
                self.written_when_told[event.record_id] = entry.stopped_at is not None
        self.events += events
        self._changed.set()

    def of(self, record_id: str) -> list[Kind]:
        return [e.kind for e in self.events if e.record_id == record_id]

    async def until(self, condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(15):  # a guard against a hang, not a measurement
            while not condition():
                self._changed.clear()
                await self._changed.wait()


class Parts:
    def __init__(self, api: Client, catalog: Catalog, join_grace: float | None) -> None:
        self.catalog = catalog
        self.making = FilesWatch(api, catalog, first_check=0.0)
        grace = {} if join_grace is None else {"join_grace": join_grace}
        self.coordinator = Coordinator(
            api,
            [ROOM],
            interval_active=3600,
            interval_idle=3600,
            record_stopped=self.making.stopped,
            recordings=self.making,
            **grace,  # type: ignore[arg-type]
        )
        self.told = Told(self.coordinator, catalog)

    async def started(self) -> None:
        await self.told.until(lambda: self.told.snapshots > 0)  # the first look, a baseline

    async def elsewhere(self, api: Client) -> str:
        """A recording started by another process on this computer (written down as vmrctl
        does), the service answering at once."""
        record_id = await api.open_record(ROOM)
        self.catalog.add(record_id, room=ROOM, source=Source.OPENED)
        return record_id


@pytest_asyncio.fixture
async def parts_of(api: Client, tmp_path: Path) -> AsyncIterator[Callable[..., Parts]]:
    made: list[Parts] = []

    def make(join_grace: float | None = None) -> Parts:
        made.append(Parts(api, Catalog(tmp_path / "catalog.sqlite3"), join_grace))
        return made[-1]

    yield make
    for parts in made:
        await parts.coordinator.aclose()
        await parts.making.poller.aclose()


async def test_a_recording_started_and_stopped_between_two_refreshes_is_followed(
    sim: Sim, api: Client, parts_of: Callable[..., Parts]
) -> None:
    sim.state.set_meeting(ROOM, started=True)
    parts = parts_of(join_grace=0.0)
    await parts.started()
    record_id = await parts.elsewhere(api)
    await api.close_record(ROOM)  # by someone else: nothing written down here

    await parts.coordinator.refresh()
    assert parts.told.of(record_id) == [Kind.RECORDING_STOPPED]
    assert parts.told.written_when_told == {record_id: True}  # in the catalog before it was told
    (ready,) = await parts.making.check()
    assert isinstance(ready, Ready)
    assert (ready.record_id, ready.room) == (record_id, ROOM)
    await parts.coordinator.refresh()
    assert parts.told.of(record_id) == [Kind.RECORDING_STOPPED]  # once


async def test_a_recording_stopped_while_nothing_ran_is_followed_at_the_first_look(
    sim: Sim, api: Client, parts_of: Callable[..., Parts]
) -> None:
    sim.state.set_meeting(ROOM, started=True)
    first = parts_of()
    await first.started()
    record_id = await first.elsewhere(api)
    await first.coordinator.refresh()
    assert first.told.of(record_id) == [Kind.RECORDING_STARTED]
    await first.coordinator.aclose()  # as a quit or a kill: nothing more of it
    await api.close_record(ROOM)

    again = parts_of()  # a start later, within the grace for a joining recorder: it was seen recording
    await again.started()
    await again.told.until(lambda: again.told.of(record_id) == [Kind.RECORDING_STOPPED])
    (ready,) = await again.making.check()
    assert isinstance(ready, Ready)
    assert ready.record_id == record_id


async def test_a_recorder_still_joining_or_a_refused_start_is_not_a_stop(
    sim: Sim, api: Client, parts_of: Callable[..., Parts]
) -> None:
    room = sim.state.set_meeting(ROOM, started=True)
    room.start_delay = 3600.0  # `record: false` with the new recordId for an hour of the simulator
    parts = parts_of()
    await parts.started()
    joining = await parts.elsewhere(api)
    await parts.coordinator.refresh()
    assert parts.told.of(joining) == []
    assert [e.being_made for e in parts.catalog.entries()] == [False]
    assert await parts.making.open_records([ROOM]) != []  # still compared at each refresh

    await api.close_record(ROOM)
    room.start_delay, room.record_fails = 0.0, "no storage left"
    refused = await parts.elsewhere(api)
    await parts.coordinator.refresh()
    assert Kind.RECORDING_STOPPED not in parts.told.of(refused)
    assert parts.told.of(joining) == [Kind.RECORDING_STOPPED]  # the room's last recording is another now
    assert [r for r, *_ in parts.catalog.being_made()] == [joining]  # the refused one's files are never asked for
    assert await parts.making.open_records([ROOM]) == []  # nor is it compared again


async def test_a_room_that_stops_and_starts_again_between_two_refreshes_tells_both(
    sim: Sim, api: Client, parts_of: Callable[..., Parts]
) -> None:
    sim.state.set_meeting(ROOM, started=True)
    parts = parts_of()
    await parts.started()
    one = await parts.elsewhere(api)
    await parts.coordinator.refresh()
    await api.close_record(ROOM)
    two = await parts.elsewhere(api)
    await parts.coordinator.refresh()
    told = [(e.kind, e.record_id) for e in parts.told.events if e.record_id]
    assert told == [
        (Kind.RECORDING_STARTED, one),
        (Kind.RECORDING_STOPPED, one),
        (Kind.RECORDING_STARTED, two),
    ]
    assert [r for r, *_ in parts.catalog.being_made()] == [one]  # the first one's files are asked for


async def test_a_recorder_slower_than_the_grace_is_taken_back_from_stopped_and_its_real_stop_told(
    sim: Sim, api: Client, parts_of: Callable[..., Parts]
) -> None:
    room = sim.state.set_meeting(ROOM, started=True)
    room.start_delay = 90.0  # `record: false` with the new recordId for 90 s of the simulator's clock
    now = [1_800_000_000.0]
    sim.state.clock = lambda: now[0]
    parts = parts_of(join_grace=0.0)  # as a recorder that joins after the grace has run out
    await parts.started()
    record_id = await parts.elsewhere(api)
    await parts.coordinator.refresh()
    assert parts.told.of(record_id) == [Kind.RECORDING_STOPPED]  # what a status cannot tell apart

    now[0] += 91  # the recorder has joined: the service says it records
    await parts.coordinator.refresh()
    assert parts.told.of(record_id) == [Kind.RECORDING_STOPPED, Kind.RECORDING_STARTED]
    assert [e.being_made for e in parts.catalog.entries()] == [False]  # its files are not asked for now

    await api.close_record(ROOM)
    await parts.coordinator.refresh()
    kinds = [Kind.RECORDING_STOPPED, Kind.RECORDING_STARTED, Kind.RECORDING_STOPPED]
    assert parts.told.of(record_id) == kinds  # the real stop is told
    assert [r for r, *_ in parts.catalog.being_made()] == [record_id]
