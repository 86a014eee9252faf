"""Download when ready: a recording whose files are listed at last is queued at once when the
setting wants it (the ones this app started, or every recording of a favourite room), not
otherwise; "ready, not yet queued" is kept in the catalog, so neither a crash nor a failed
queueing loses the download, and turning the setting on does not fetch old recordings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.clock import Clock
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core.autofetch import READY_WINDOW, AutoDownload
from vmrtray.core.catalog import Catalog, Source
from vmrtray.core.download_queue import DownloadQueue, State
from vmrtray.core.downloads import new_file_session
from vmrtray.core.making import FIRST_CHECK, FilesWatch, Ready
from vmrtray.core.settings import AutoFetch
from vmrtray.sim import Sim


@pytest.fixture
def clock() -> Clock:
    """The simulator's, the watch's and the catalog's (which marks a recording ready by it)."""
    return Clock()


@pytest_asyncio.fixture
async def queue(api: Client, tmp_path: Path, clock: Clock) -> AsyncIterator[DownloadQueue]:
    catalog = Catalog(tmp_path / "catalog.sqlite3", clock=clock)
    async with new_file_session() as http:
        made = DownloadQueue(api, catalog, http, lambda: tmp_path / "out", tick=0.01)
        yield made
        await made.aclose()


async def _ready(sim: Sim, api: Client, watch: FilesWatch, clock: Clock, room: str, source: Source) -> str:
    """A recording in `room`, stopped and listed: what FilesWatch tells as Ready."""
    sim.state.clock = clock
    sim.state.set_meeting(room, started=True).file_size = 64 * 1024
    record_id = await api.open_record(room)
    await api.close_record(room)
    watch.catalog.add(record_id, room=room, source=source)
    await watch.stopped(record_id, datetime.fromtimestamp(clock.now, UTC))
    clock.now += FIRST_CHECK
    (ready,) = await watch.check()
    assert isinstance(ready, Ready)
    assert ready.record_id == record_id
    return record_id


def _fetched(queue: DownloadQueue) -> set[str]:
    return {t.record_id for t in queue.transfers.values()}


def _auto(queue: DownloadQueue, policy: AutoFetch, clock: Clock, favourites: tuple[str, ...] = ()) -> AutoDownload:
    return AutoDownload(queue.catalog, queue.add, lambda: policy, lambda: favourites, clock=clock)


async def test_the_recordings_started_here_are_downloaded_when_ready_and_no_other(
    sim: Sim, api: Client, queue: DownloadQueue, clock: Clock
) -> None:
    watch = FilesWatch(api, queue.catalog, clock=clock)
    mine = await _ready(sim, api, watch, clock, "100701", Source.OPENED)
    seen = await _ready(sim, api, watch, clock, "100702", Source.SEEN)
    auto = _auto(queue, AutoFetch.MINE, clock)
    assert await auto.catch_up() == [mine]
    await until(lambda: [t.state for t in queue.transfers.values()] == [State.DONE])
    assert _fetched(queue) == {mine}
    assert await auto.catch_up() == []  # handed on once: never queued again
    favourites = _auto(queue, AutoFetch.FAVOURITES, clock, ("100702",))
    assert await favourites.catch_up() == [seen]  # a favourite room's, whoever started it


async def test_with_the_setting_off_nothing_is_downloaded(
    sim: Sim, api: Client, queue: DownloadQueue, clock: Clock
) -> None:
    watch = FilesWatch(api, queue.catalog, clock=clock)
    await _ready(sim, api, watch, clock, "100701", Source.OPENED)
    off = _auto(queue, AutoFetch.OFF, clock, ("100701",))
    watch.add_listener(off)
    assert await off.catch_up() == []
    await watch.poller.refresh()
    assert queue.transfers == {}
    await watch.poller.aclose()


async def test_ready_before_a_crash_is_queued_by_the_next_run(
    sim: Sim, api: Client, queue: DownloadQueue, clock: Clock, tmp_path: Path
) -> None:
    first = FilesWatch(api, Catalog(tmp_path / "catalog.sqlite3", clock=clock), clock=clock)
    record_id = await _ready(sim, api, first, clock, "100701", Source.OPENED)
    first.catalog.close()  # listed, then the app died before it queued the download
    clock.now += 3600
    assert await _auto(queue, AutoFetch.MINE, clock).catch_up() == [record_id]


async def test_a_queueing_that_fails_is_tried_again(sim: Sim, api: Client, queue: DownloadQueue, clock: Clock) -> None:
    watch = FilesWatch(api, queue.catalog, clock=clock)
    record_id = await _ready(sim, api, watch, clock, "100701", Source.OPENED)
    auto = _auto(queue, AutoFetch.MINE, clock)
    sim.faults.queue("500", path="/meeting/getRecords", count=10)  # the service fails as it is queued
    assert await auto.catch_up() == []
    sim.faults.clear()
    assert await auto.catch_up() == [record_id]


async def test_turning_the_setting_on_does_not_fetch_old_recordings(
    sim: Sim, api: Client, queue: DownloadQueue, clock: Clock
) -> None:
    watch = FilesWatch(api, queue.catalog, clock=clock)
    await _ready(sim, api, watch, clock, "100701", Source.OPENED)
    clock.now += READY_WINDOW + 1
    assert await _auto(queue, AutoFetch.MINE, clock).catch_up() == []
