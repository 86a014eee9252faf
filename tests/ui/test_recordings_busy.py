"""Issue 13: a catalog another vmrtray or vmrctl keeps locked makes the Recordings window's
action say so in its status line ("busy … try again"), instead of a failure lost in the log."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QPushButton

from tests.support.recordings import make_recording
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core import recordings
from vmrtray.core.catalog import Catalog
from vmrtray.core.download_queue import DownloadQueue
from vmrtray.core.downloads import new_file_session
from vmrtray.sim import Sim
from vmrtray.ui.recordings_window import RecordingsWindow


@pytest_asyncio.fixture
async def queue(api: Client, qapp: object, tmp_path: Path) -> AsyncIterator[DownloadQueue]:
    catalog = Catalog(tmp_path / "catalog.sqlite3", busy_wait=0.2)
    async with new_file_session() as http:
        made = DownloadQueue(api, catalog, http, lambda: tmp_path / "downloads", tick=0.01)
        yield made
        await made.aclose()
    catalog.close()


async def test_download_while_another_process_holds_the_catalog_says_busy(
    sim: Sim, api: Client, queue: DownloadQueue, tmp_path: Path
) -> None:
    record_id = await make_recording(sim, api)
    await recordings.show(api, queue.catalog, record_id)
    window = RecordingsWindow(queue.catalog, queue)
    other = sqlite3.connect(tmp_path / "catalog.sqlite3", isolation_level=None)  # as another process would
    try:
        await window.reload()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        window.table.selectionModel().select(window.model.index(0, 0), flags)
        other.execute("BEGIN EXCLUSIVE")
        button = window.findChild(QPushButton, "download")
        assert button is not None
        button.click()
        await until(lambda: window.status.text(), "the window says why nothing happened")
        assert "busy" in window.status.text()
        assert "try again" in window.status.text()
    finally:
        other.execute("ROLLBACK")
        other.close()
        window.close()
