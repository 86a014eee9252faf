"""A stopped recording's files are listed only once made: asked again with a backoff until
they are, told as ready, given up after 48 hours; the schedule survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core.catalog import Catalog, Source
from vmrtray.core.making import FIRST_CHECK, GIVE_UP, FilesWatch, Made, Ready, Unlisted, pause_after
from vmrtray.sim import Sim


class Clock:
    """One clock for the simulator and the watch, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _asked(sim: Sim) -> int:
    return int(sim.stats.requests.get("/meeting/getRecords", 0))


async def _stopped_recording(sim: Sim, api: Client, clock: Clock, files_delay: float) -> str:
    sim.state.clock = clock
    sim.state.files_delay = files_delay
    room = sim.state.set_meeting("100701", started=True)
    room.file_size, room.files_per_recording = 5 * 1024 * 1024, 2
    record_id = await api.open_record("100701")
    await api.close_record("100701")
    return record_id


async def test_files_listed_late_are_asked_for_with_a_backoff_then_ready(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    clock = Clock()
    record_id = await _stopped_recording(sim, api, clock, files_delay=100)
    watch = FilesWatch(api, Catalog(tmp_path / "catalog.sqlite3"), clock=clock)
    watch.catalog.add(record_id, room="100701", source=Source.OPENED)
    await watch.stopped(record_id, datetime.fromtimestamp(clock.now, UTC))
    asked = _asked(sim)
    assert await watch.check() == []
    assert _asked(sim) == asked  # not due yet: nothing asked
    clock.now += FIRST_CHECK
    assert await watch.check() == []  # asked: still being made
    assert _asked(sim) == asked + 1
    assert [e.being_made for e in watch.catalog.entries()] == [True]
    clock.now += pause_after(1) - 1
    assert await watch.check() == []
    assert _asked(sim) == asked + 1  # the backoff holds
    clock.now += 100
    (ready,) = await watch.check()
    assert isinstance(ready, Ready)
    assert (ready.record_id, ready.files, ready.size) == (record_id, 2, 10 * 1024 * 1024)
    assert ready.describe() == f"Recording of {ready.room_name} is ready: 2 files, 10.0 MiB"
    assert ready.describe("zh") == f"{ready.room_name} 的录制已就绪：2 个文件，10.0 MiB"
    assert [e.being_made for e in watch.catalog.entries()] == [False]
    clock.now += 3600
    assert await watch.check() == []  # listed: never asked again
    assert _asked(sim) == asked + 2


async def test_a_restart_goes_on_with_the_schedule(sim: Sim, api: Client, tmp_path: Path) -> None:
    clock = Clock()
    record_id = await _stopped_recording(sim, api, clock, files_delay=50)
    path = tmp_path / "catalog.sqlite3"
    first = FilesWatch(api, Catalog(path), clock=clock)
    first.catalog.add(record_id, room="100701", source=Source.OPENED)
    await first.stopped(record_id, datetime.fromtimestamp(clock.now, UTC))
    first.catalog.close()  # the app quits while the files are made
    clock.now += 60
    again = FilesWatch(api, Catalog(path), clock=clock)
    made = await again.check()
    assert [m.record_id for m in made] == [record_id]


async def test_a_recording_never_listed_is_given_up_after_48_hours(sim: Sim, api: Client, tmp_path: Path) -> None:
    clock = Clock()
    record_id = await _stopped_recording(sim, api, clock, files_delay=10 * GIVE_UP)
    watch = FilesWatch(api, Catalog(tmp_path / "catalog.sqlite3"), clock=clock)
    watch.catalog.add(record_id, room="100701", source=Source.OPENED)
    await watch.stopped(record_id, datetime.fromtimestamp(clock.now, UTC))
    made: list[Made] = []
    while not made:
        clock.now += 600
        made = await watch.check()
    assert made == [Unlisted(record_id)]
    assert clock.now - 1_800_000_000.0 >= GIVE_UP
    assert made[0].describe() == (
        f"Recording {record_id} was still not listed 48 hours after it stopped: most likely deleted"
    )
    assert watch.catalog.being_made() == []


async def test_check_now_asks_at_once_through_the_loop(sim: Sim, api: Client, tmp_path: Path) -> None:
    clock = Clock()
    record_id = await _stopped_recording(sim, api, clock, files_delay=0)
    watch = FilesWatch(api, Catalog(tmp_path / "catalog.sqlite3"), clock=clock)
    watch.catalog.add(record_id, room="100701", source=Source.OPENED)
    await watch.stopped(record_id, datetime.fromtimestamp(clock.now, UTC))
    heard: list[Made] = []
    remove = watch.add_listener(heard.extend)
    try:
        await watch.check_now(record_id)
        await until(lambda: heard, "the ready recording told to the listener")
    finally:
        remove()
        await watch.poller.aclose()
    assert [m.record_id for m in heard] == [record_id]
