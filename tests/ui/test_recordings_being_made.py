"""Recordings…: a recording stopped and not listed yet shows that it is being made and when its
files are asked for next, offers "Check now", and becomes an ordinary row once the service
lists the files; one never listed says so (issue 14, point 2)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from PySide6.QtWidgets import QApplication

from tests.support.clock import Clock
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core.catalog import Catalog, Source
from vmrtray.core.download_queue import DownloadQueue
from vmrtray.core.downloads import new_file_session
from vmrtray.core.making import FilesWatch
from vmrtray.sim import Sim
from vmrtray.ui import i18n
from vmrtray.ui.recordings_window import RecordingsWindow

STATE = 5  # the State column


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest_asyncio.fixture
async def parts(
    sim: Sim, api: Client, qapp: object, tmp_path: Path, clock: Clock
) -> AsyncIterator[tuple[Catalog, DownloadQueue]]:
    catalog = Catalog(tmp_path / "catalog.sqlite3", clock=clock)  # ready by the test's clock
    async with new_file_session() as http:
        queue = DownloadQueue(api, catalog, http, lambda: tmp_path / "downloads", segments=1)
        yield catalog, queue
        await queue.aclose()
    catalog.close()


async def _stopped(sim: Sim, api: Client, catalog: Catalog, clock: Clock, files_delay: float) -> str:
    sim.state.clock = clock
    room = sim.state.set_meeting("100701", started=True)
    room.file_size, room.files_delay = 300_000, files_delay
    record_id = await api.open_record("100701")
    await api.close_record("100701")
    catalog.add(record_id, room="100701", source=Source.OPENED)
    return record_id


def _state(window: RecordingsWindow) -> str:
    return str(window.model.data(window.model.index(0, STATE)))


def _hhmm(epoch: float) -> str:
    return f"{datetime.fromtimestamp(int(epoch)):%H:%M}"


async def test_a_recording_being_made_shows_its_next_check_and_check_now_lists_it(
    sim: Sim, api: Client, parts: tuple[Catalog, DownloadQueue], clock: Clock
) -> None:
    catalog, queue = parts
    record_id = await _stopped(sim, api, catalog, clock, files_delay=5)
    watch = FilesWatch(api, catalog, clock=clock)
    await watch.stopped(record_id, datetime.fromtimestamp(clock.now, UTC))  # asked from 15 s after the stop
    turns: list[object] = []
    watch.add_listener(turns.append)
    window = RecordingsWindow(catalog, queue, making=watch)  # listens to the watch, and so runs it
    try:
        await window.reload()
        assert _state(window) == f"being made — next check {_hhmm(clock.now + 15)}"
        assert "48 hours" in str(window.model.data(window.model.index(0, STATE), 3))  # the tooltip says why
        check = window.buttons["check"]
        assert not check.isEnabled()  # nothing selected
        window.table.selectRow(0)
        assert check.isEnabled()
        assert window.menu_actions["check"].isEnabled()  # the same on a right click
        asked = sim.stats.requests["/meeting/getRecords"]

        await until(lambda: turns, "the watch's first turn")
        told = len(turns)
        window.menu_actions["check"].trigger()  # before the files are made: asked, still being made
        await until(lambda: sim.stats.requests["/meeting/getRecords"] > asked, "asked at once")
        await until(lambda: len(turns) > told, "the turn that asked has ended")
        # a manual check is not one of the backoff's: the next automatic one is still when it was
        assert catalog.being_made()[0][2] == int(clock.now + 15)
        assert _state(window) == f"being made — next check {_hhmm(clock.now + 15)}"
        assert window.model.rowCount() == 1

        clock.now += 5  # the service has made the files
        check.click()
        await until(lambda: _state(window) == "in the cloud", "the window follows the watch: listed")
        assert window.model.row(0).files == 1
        assert not check.isEnabled()  # no longer being made
    finally:
        window.close()
        await watch.poller.aclose()


async def test_a_recording_never_listed_says_probably_deleted_in_both_languages(
    sim: Sim, api: Client, parts: tuple[Catalog, DownloadQueue], qapp: QApplication, clock: Clock
) -> None:
    catalog, queue = parts
    record_id = await _stopped(sim, api, catalog, clock, files_delay=10**9)
    catalog.stopped(record_id, datetime.fromtimestamp(clock.now, UTC), 15)
    catalog.check_again(record_id, None)  # given up (FilesWatch's Unlisted)
    window = RecordingsWindow(catalog, queue, making=FilesWatch(api, catalog, clock=clock))
    try:
        await window.reload()
        window.table.selectRow(0)
        assert _state(window) == "not listed — probably deleted"
        assert not window.buttons["check"].isEnabled()
        translators = i18n.install(qapp, "zh")
        try:
            assert _state(window) == "未列出 — 可能已被删除"
        finally:
            i18n.uninstall(qapp, translators)
    finally:
        window.close()
