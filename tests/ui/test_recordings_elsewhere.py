"""Issue 13: where the tray and vmrctl meet the same download lock, the Recordings window
shows the other's download as "downloading in another process" (in Chinese too), not as
failed, and no "Download stopped" alert is raised for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from tests.support.recordings import make_recording
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core import recordings
from vmrtray.core.catalog import Catalog, CatalogEntry
from vmrtray.core.download_queue import DownloadQueue, State, Transfer
from vmrtray.core.downloads import new_file_session
from vmrtray.sim import Sim
from vmrtray.ui import alerts
from vmrtray.ui.recordings_model import RecordingsModel
from vmrtray.ui.recordings_window import RecordingsWindow

STATE = 5  # the State column


@pytest_asyncio.fixture
async def queue(api: Client, qapp: object, tmp_path: Path) -> AsyncIterator[DownloadQueue]:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        made = DownloadQueue(api, catalog, http, lambda: tmp_path / "downloads", tick=0.01)
        made.retry = 0.1
        yield made
        await made.aclose()
    catalog.close()


def _entry(record_id: str) -> CatalogEntry:
    return CatalogEntry(record_id, "100701", "user", "", 0, None, None, 1_700_000_000, 60, 1, 10, 0, None, "")


def _waiting(tmp_path: Path) -> Transfer:
    """A transfer the queue put aside because another process holds its file."""
    return Transfer("rec-1", 0, 10, tmp_path / "f.mp4", state="elsewhere")  # type: ignore[arg-type]


def test_the_other_process_s_download_is_worded_not_failed(qapp: object, tmp_path: Path) -> None:
    model = RecordingsModel()
    model.set_entries([_entry("rec-1")])
    transfer = _waiting(tmp_path)
    model.transfer_changed(transfer)
    assert model.data(model.index(0, STATE)) == "downloading in another process"
    assert alerts.download(transfer, [transfer]) is None


def test_in_chinese(qapp: object, chinese: None, tmp_path: Path) -> None:
    model = RecordingsModel()
    model.set_entries([_entry("rec-1")])
    model.transfer_changed(_waiting(tmp_path))
    assert model.data(model.index(0, STATE)) == "另一进程正在下载"


async def test_the_window_shows_a_file_locked_elsewhere_as_downloading_there_then_downloaded(
    sim: Sim, api: Client, queue: DownloadQueue, tmp_path: Path
) -> None:
    """The lock is taken here as another process would (one flock per open file): the queue
    waits, the window says so; once released the queue downloads the file itself."""
    from vmrtray.core import part_lock  # issue 13's lock: imported here, the tests above run on older code

    record_id = await make_recording(sim, api)
    listed = await recordings.listing(api, queue.catalog, record_id)
    target = recordings.name_in(tmp_path / "downloads", listed, 0)
    target.parent.mkdir(parents=True)
    window = RecordingsWindow(queue.catalog, queue)
    try:
        async with part_lock.holding(target):
            (transfer,) = await queue.add(record_id)
            await until(lambda: transfer.state == State.ELSEWHERE, "the queue waiting for the other process")
            await window.reload()
            assert window.model.data(window.model.index(0, STATE)) == "downloading in another process"
            assert not sim.stats.headers or all(origin != "files" for origin, *_ in sim.stats.headers)
        await until(lambda: transfer.state == State.DONE, "downloaded once the other let go")
        await window.reload()
        assert window.model.data(window.model.index(0, STATE)) == "downloaded"
    finally:
        window.close()
