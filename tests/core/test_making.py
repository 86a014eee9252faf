"""A stopped recording's files are listed only once made: asked again with a backoff until
they are, told as ready (once, whoever listed them: this watch, another process, the
queue), given up after 48 hours; the schedule survives a restart; "Check now" asks without
moving the schedule."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.clock import Clock
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core import recordings
from vmrtray.core.autofetch import AutoDownload
from vmrtray.core.catalog import Catalog, Source
from vmrtray.core.download_queue import DownloadQueue, State
from vmrtray.core.downloads import new_file_session
from vmrtray.core.making import FIRST_CHECK, GIVE_UP, FilesWatch, Made, Ready, Unlisted, pause_after
from vmrtray.core.settings import AutoFetch
from vmrtray.sim import Sim


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


async def test_files_listed_late_are_asked_for_with_a_backoff_then_ready(sim: Sim, api: Client, tmp_path: Path) -> None:
    clock = Clock()
    record_id = await _stopped_recording(sim, api, clock, files_delay=100)
    watch = FilesWatch(api, Catalog(tmp_path / "catalog.sqlite3", clock=clock), clock=clock)
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
    first = FilesWatch(api, Catalog(path, clock=clock), clock=clock)
    first.catalog.add(record_id, room="100701", source=Source.OPENED)
    await first.stopped(record_id, datetime.fromtimestamp(clock.now, UTC))
    first.catalog.close()  # the app quits while the files are made
    clock.now += 60
    again = FilesWatch(api, Catalog(path, clock=clock), clock=clock)
    made = await again.check()
    assert [m.record_id for m in made] == [record_id]


async def test_a_recording_never_listed_is_given_up_after_48_hours(sim: Sim, api: Client, tmp_path: Path) -> None:
    clock = Clock()
    record_id = await _stopped_recording(sim, api, clock, files_delay=10 * GIVE_UP)
    watch = FilesWatch(api, Catalog(tmp_path / "catalog.sqlite3", clock=clock), clock=clock)
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
    watch = FilesWatch(api, Catalog(tmp_path / "catalog.sqlite3", clock=clock), clock=clock)
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


async def test_a_recording_listed_elsewhere_is_told_ready_once_and_downloaded_when_ready(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    """The tray watches a recording being made; before its first check, `vmrctl recordings
    show` in another process (another handle on the same catalog) lists the files. The tray's
    next turn tells it ready — without asking the service again — once, and download-when-ready
    queues it once. (The code before dropped it from the watch silently: no alert, no download.)"""
    clock = Clock()
    record_id = await _stopped_recording(sim, api, clock, files_delay=5)
    path = tmp_path / "catalog.sqlite3"
    tray, other = Catalog(path, clock=clock), Catalog(path, clock=clock)
    watch = FilesWatch(api, tray, clock=clock)
    tray.add(record_id, room="100701", source=Source.OPENED)
    await watch.stopped(record_id, datetime.fromtimestamp(clock.now, UTC))
    clock.now += 6  # listed by the service; the watch's first check is not due yet
    assert [f.file_size for f in await recordings.show(api, other, record_id)] == [5 * 1024 * 1024] * 2
    asked = _asked(sim)

    (ready,) = await watch.check()
    assert isinstance(ready, Ready)
    assert (ready.record_id, ready.room, ready.files, ready.size) == (record_id, "100701", 2, 10 * 1024 * 1024)
    assert ready.describe() == f"Recording of {ready.room_name} is ready: 2 files, 10.0 MiB"
    assert _asked(sim) == asked  # the listing was the other process's
    assert await watch.check() == []  # told once
    async with new_file_session() as http:
        queue = DownloadQueue(api, tray, http, lambda: tmp_path / "out", tick=0.01)
        auto = AutoDownload(tray, queue.add, lambda: AutoFetch.MINE, lambda: (), clock=clock)
        try:
            assert await auto.catch_up() == [record_id]
            await until(lambda: [t.state for t in queue.transfers.values()] == [State.DONE] * 2, "downloaded")
            assert await auto.catch_up() == []  # handed on once
        finally:
            await queue.aclose()


async def test_two_watches_on_one_catalog_tell_a_recording_ready_once_between_them(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    """The tray and `vmrctl watch` on one machine (two handles on one catalog): whichever
    turns first tells the recording ready, the other does not tell it again."""
    clock = Clock()
    record_id = await _stopped_recording(sim, api, clock, files_delay=0)
    path = tmp_path / "catalog.sqlite3"
    first, second = FilesWatch(api, Catalog(path, clock=clock)), FilesWatch(api, Catalog(path, clock=clock))
    first.catalog.add(record_id, room="100701", source=Source.SEEN)
    await first.stopped(record_id, datetime.fromtimestamp(clock.now, UTC))
    await second.stopped(record_id, datetime.fromtimestamp(clock.now, UTC))  # it saw the stop too
    clock.now += FIRST_CHECK
    told = [m.record_id for m in await first.check() + await second.check()]
    assert told == [record_id]


async def test_a_recording_listed_before_its_stop_was_known_is_told_ready_when_it_is(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    """Files listed (by `vmrctl recordings show`) before the tray's polling saw the stop: the
    stop, when it is learned, makes the recording ready at once — told once, not lost."""
    clock = Clock()
    record_id = await _stopped_recording(sim, api, clock, files_delay=0)
    watch = FilesWatch(api, Catalog(tmp_path / "catalog.sqlite3", clock=clock))
    watch.catalog.add(record_id, room="100701", source=Source.SEEN)
    await recordings.show(api, watch.catalog, record_id)
    assert await watch.check() == []  # not known to have stopped: nothing to tell yet
    await watch.stopped(record_id)
    assert [m.record_id for m in await watch.check()] == [record_id]
    await watch.stopped(record_id)  # a second word of the same stop
    assert await watch.check() == []


async def test_check_now_does_not_move_the_backoff(sim: Sim, api: Client, tmp_path: Path) -> None:
    """ "Check now" asks once more; when nothing is listed the schedule stays as it was: the
    next automatic check is still due when it was, at the same step of the backoff (the code
    before counted it as a step: the next check came 120 s after the press instead of 30 s
    after the last one)."""
    clock = Clock()
    stop = clock.now
    record_id = await _stopped_recording(sim, api, clock, files_delay=1000)
    watch = FilesWatch(api, Catalog(tmp_path / "catalog.sqlite3", clock=clock))
    watch.catalog.add(record_id, room="100701", source=Source.OPENED)
    await watch.stopped(record_id, datetime.fromtimestamp(stop, UTC))
    clock.now += FIRST_CHECK
    assert await watch.check() == []  # the first automatic check: the next in pause_after(1) s
    schedule = watch.catalog.being_made()
    assert [(r, due, checks) for r, _, due, checks in schedule] == [(record_id, int(clock.now + pause_after(1)), 1)]
    turns: list[list[Made]] = []
    remove = watch.add_listener(turns.append)
    try:
        await until(lambda: turns, "the watch's first turn")
        clock.now += 5
        asked, told = _asked(sim), len(turns)
        await watch.check_now(record_id)
        await until(lambda: _asked(sim) == asked + 1 and len(turns) > told, "asked at once, and the turn ended")
    finally:
        remove()
        await watch.poller.aclose()
    assert watch.catalog.being_made() == schedule  # not a step of the backoff
    clock.now = schedule[0][2]
    assert await watch.check() == []  # the automatic check, when it was due
    assert _asked(sim) == asked + 2


async def test_one_recordings_failing_question_does_not_hold_back_the_others(
    sim: Sim, api: Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Two recordings due in one turn; the service fails the first one's getRecords (twice):
    the second is told ready in that turn, the first keeps its schedule (not a step further),
    the failure is logged once, and the first is told ready once the service answers."""
    clock = Clock()
    sim.state.clock = clock
    sim.state.set_meeting("100701", started=True)
    sim.state.set_meeting("100702", started=True)
    ids = [await api.open_record(room) for room in ("100701", "100702")]
    for room in ("100701", "100702"):
        await api.close_record(room)
    watch = FilesWatch(api, Catalog(tmp_path / "catalog.sqlite3", clock=clock), clock=clock)
    for record_id, room in zip(ids, ("100701", "100702"), strict=True):
        watch.catalog.add(record_id, room=room, source=Source.OPENED)
    await watch.stopped(ids[0], datetime.fromtimestamp(clock.now, UTC))
    await watch.stopped(ids[1], datetime.fromtimestamp(clock.now + 1, UTC))
    schedule = watch.catalog.being_made()
    clock.now += FIRST_CHECK + 1
    sim.faults.queue("500", path="/meeting/getRecords", count=1)

    assert [m.record_id for m in await watch.check()] == [ids[1]]
    assert watch.catalog.being_made() == schedule[:1]  # the failing one: as it was
    sim.faults.queue("500", path="/meeting/getRecords", count=1)
    clock.now += FIRST_CHECK
    assert await watch.check() == []
    assert watch.catalog.being_made() == schedule[:1]
    assert len([r for r in caplog.records if ids[0] in r.getMessage()]) == 1  # logged once
    clock.now += FIRST_CHECK
    assert [m.record_id for m in await watch.check()] == [ids[0]]
