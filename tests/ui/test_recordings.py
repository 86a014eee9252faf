"""Recordings…: from the tray's record toggle to a verified file on disk, and tidying the cloud."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest_asyncio
from PySide6.QtCore import QDate, QItemSelectionModel, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core.catalog import Catalog
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.download_queue import DownloadQueue, State
from vmrtray.core.downloads import new_file_session
from vmrtray.sim import Sim
from vmrtray.ui.recordings_window import RecordingsWindow
from vmrtray.ui.tray import Tray

SIZE = 2 * 1024 * 1024 + 99


@pytest_asyncio.fixture
async def parts(sim: Sim, api: Client, qapp: object, tmp_path: Path) -> AsyncIterator[tuple[Catalog, DownloadQueue]]:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        queue = DownloadQueue(api, catalog, http, lambda: tmp_path / "downloads", segments=1, tick=0.01)
        yield catalog, queue
        await queue.aclose()
    catalog.close()


async def _record(sim: Sim, api: Client, room: str = "100701", size: int = SIZE) -> str:
    found = sim.state.set_meeting(room, started=True)
    found.file_size = size
    record_id = await api.open_record(room)
    await api.close_record(room)
    return record_id


async def _window(catalog: Catalog, queue: DownloadQueue) -> RecordingsWindow:
    window = RecordingsWindow(catalog, queue)
    await window.reload()
    return window


def _select(window: RecordingsWindow, *rows: int) -> None:
    selection = window.table.selectionModel()
    selection.clearSelection()
    for row in rows:
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        selection.select(window.model.index(row, 0), flags)


def _button(window: RecordingsWindow, name: str) -> QPushButton:
    button = window.findChild(QPushButton, name)
    assert button is not None
    return button


async def test_a_recording_made_from_the_tray_downloads_byte_identical(
    sim: Sim, api: Client, parts: tuple[Catalog, DownloadQueue]
) -> None:
    catalog, queue = parts

    async def remember(record_id: str, room: str, source: str, name: str | None) -> None:
        await asyncio.to_thread(catalog.add, record_id, room=room, source=source)

    room = sim.state.set_meeting("100701", started=True)
    room.file_size = SIZE
    coordinator = Coordinator(api, ["100701"], interval_active=30, interval_idle=30, record_sink=remember)
    tray = Tray()
    tray.attach(coordinator, downloads=queue.totals)
    try:
        await until(
            lambda: (
                tray.find_action("record-quick:100701") is not None
                and tray.snapshot is not None
                and tray.snapshot.rooms[0].available
            ),
            "tray ready",
        )
        tray.find_action("record-quick:100701").trigger()  # type: ignore[union-attr]
        await until(lambda: room.meeting is not None and room.meeting.recording is not None, "recording")
        await until(lambda: tray.find_action("record:100701").text() == "Stop recording", "confirmed")  # type: ignore[union-attr]
        tray.find_action("record:100701").trigger()  # type: ignore[union-attr]
        await until(lambda: room.meeting is not None and room.meeting.recording is None, "stopped")
        await until(lambda: bool(catalog.entries()), "the recording is in the catalog")
        (entry,) = catalog.entries()
        assert entry.source == "opened"
        window = await _window(catalog, queue)
        assert window.model.rowCount() == 1
        assert "in the cloud" in window.model.data(window.model.index(0, 5))
        _select(window, 0)
        sim.files.rate_limit = 512 * 1024
        _button(window, "download").click()
        await until(lambda: "downloading" in tray.tooltip(), "the tooltip shows the download")
        sim.files.rate_limit = None
        await until(
            lambda: bool(queue.transfers) and all(t.state == State.DONE for t in queue.transfers.values()), "done"
        )
        (transfer,) = queue.transfers.values()
        expected = sim.recording_info(entry.record_id)["files"][0]["sha256"]
        assert hashlib.sha256(transfer.target.read_bytes()).hexdigest() == expected
        await window.reload()
        assert window.model.data(window.model.index(0, 5)) == "downloaded"
        assert "downloading" not in tray.tooltip()
        window.close()
    finally:
        tray.hide()
        await coordinator.aclose()


async def test_filter_by_text_room_and_date_and_sort(
    sim: Sim, api: Client, parts: tuple[Catalog, DownloadQueue]
) -> None:
    catalog, queue = parts
    ids = [await _record(sim, api, room, size) for room, size in (("100701", 1000), ("100702", 3000), ("100701", 2000))]
    for record_id in ids:
        files = await api.get_records(record_id)
        await asyncio.to_thread(catalog.set_files, record_id, files)
    window = await _window(catalog, queue)
    assert window.model.rowCount() == 3
    window.search.setText(ids[1][:10])
    assert [window.model.row(n).record_id for n in range(window.model.rowCount())] == [ids[1]]
    window.search.setText("")
    window.room.setCurrentIndex(window.room.findData("100701"))
    assert window.model.rowCount() == 2
    window.room.setCurrentIndex(0)
    window.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    assert [window.model.row(n).total_size for n in range(3)] == [1000, 2000, 3000]
    window.by_date.setChecked(True)
    tomorrow = date.today() + timedelta(days=1)
    window.since.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    window.until.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    assert window.model.rowCount() == 0
    window.by_date.setChecked(False)
    assert window.model.rowCount() == 3
    window.close()


async def test_delete_asks_naming_the_files_then_removes_it_from_the_cloud(
    sim: Sim, api: Client, parts: tuple[Catalog, DownloadQueue]
) -> None:
    catalog, queue = parts
    record_id = await _record(sim, api)
    await queue.add(record_id)
    await until(lambda: all(t.state == State.DONE for t in queue.transfers.values()), "downloaded")
    (transfer,) = queue.transfers.values()
    window = await _window(catalog, queue)
    _select(window, 0)
    box = await window.ask_delete()
    assert box is not None
    assert transfer.target.name in box.informativeText()
    assert not sim.recording_info(record_id)["deleted"]  # nothing before the answer
    box.button(QMessageBox.StandardButton.Yes).click()
    await until(lambda: sim.recording_info(record_id)["deleted"], "deleted in the sim")
    await until(lambda: "Deleted 1" in window.status.text(), "said")
    assert transfer.target.exists()  # the local copy stays unless asked
    assert "deleted from the cloud" in window.model.data(window.model.index(0, 5))
    window.close()


async def test_add_a_recording_id_checks_it(sim: Sim, api: Client, parts: tuple[Catalog, DownloadQueue]) -> None:
    catalog, queue = parts
    window = await _window(catalog, queue)
    assert not await window.add("not an id")
    assert "not a recording ID" in window.status.text()
    assert not await window.add("0" * 32)
    assert "no files" in window.status.text()
    record_id = await _record(sim, api)
    assert await window.add(f"  {record_id}\n")
    assert window.model.rowCount() == 1
    window.close()


async def test_pause_resume_and_cancel_from_the_window(
    sim: Sim, api: Client, parts: tuple[Catalog, DownloadQueue]
) -> None:
    catalog, queue = parts
    record_id = await _record(sim, api)
    await asyncio.to_thread(catalog.add, record_id, room="100701", source="opened")
    window = await _window(catalog, queue)
    _select(window, 0)
    sim.files.rate_limit = 256 * 1024
    await window.download()
    _select(window, 0)
    (transfer,) = queue.transfers.values()
    await until(lambda: transfer.done > 0, "moving")
    assert "downloading" in window.model.state_text(window.model.row(0))
    await window._each_transfer(queue.pause)
    assert transfer.state == State.PAUSED
    assert window.model.data(window.model.index(0, 5)) == "paused"
    _select(window, 0)
    await window._each_transfer(queue.cancel)
    assert not transfer.target.with_name(transfer.target.name + ".part").exists()
    assert window.model.data(window.model.index(0, 5)).startswith("in the cloud")
    window.close()


def test_progress_repaints_the_row_where_the_recording_is_shown(qapp: object, tmp_path: Path) -> None:
    from vmrtray.core.catalog import CatalogEntry
    from vmrtray.core.download_queue import Transfer
    from vmrtray.ui.recordings_model import RecordingsModel

    def entry(n: int, room: str) -> CatalogEntry:
        return CatalogEntry(f"rec-{n}", room, "user", "", 0, None, None, 1_700_000_000 + n, 60, 1, 10, 0, None, room)

    model = RecordingsModel()
    model.set_entries(
        [entry(n, "100701" if n % 2 else "100702") for n in reversed(range(6))]
    )  # as the catalog: newest first
    model.set_filter(room="100701")  # rec-1, rec-3, rec-5, newest first
    painted: list[int] = []
    model.dataChanged.connect(lambda top, bottom, roles: painted.append(top.row()))
    for record_id in ("rec-5", "rec-1", "rec-2"):  # rec-2 is filtered out: nothing to paint
        model.transfer_changed(Transfer(record_id, 0, 10, tmp_path / "f", state=State.DOWNLOADING, done=5))
    assert painted == [0, 2]
    assert "downloading" in model.data(model.index(0, len(model.columns) - 1))
