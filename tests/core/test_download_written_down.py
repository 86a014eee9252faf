"""A download whose bytes are in place while another process keeps the catalog busy is still
written down once the catalog is free: a retry must not fetch it again under another name."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from tests.support.catalogs import locked
from tests.support.recordings import make_recording
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core import recordings
from vmrtray.core.catalog import Catalog
from vmrtray.core.downloads import new_file_session
from vmrtray.sim import Sim


async def test_a_download_finished_while_the_catalog_is_busy_is_written_down_when_it_is_free(
    sim: Sim, api: Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "vmrtray.core.catalog")
    record_id = await make_recording(sim, api)
    path = tmp_path / "catalog.sqlite3"
    catalog = Catalog(path, busy_wait=0.2)
    folder = tmp_path / "out"
    sim.files.rate_limit = 1024 * 1024  # a few seconds: time to take the catalog meanwhile
    async with new_file_session() as http:
        downloading = asyncio.ensure_future(recordings.download_all(api, catalog, record_id, folder, http=http))
        await until(lambda: sim.stats.file_bytes > 0, "the download under way")
        with locked(path):  # another vmrtray or vmrctl writes to the catalog meanwhile
            await until(lambda: any(p.suffix == ".mp4" for p in folder.iterdir()), "the file in place", 60)
            # the first write met the lock: it either failed (the code before) or waits on
            met = "still waiting to record"
            await until(lambda: downloading.done() or met in caplog.text, "the write met the lock")
            assert not downloading.done(), downloading
        (done,) = await downloading
    (row,) = catalog.files(record_id)
    assert (row.state, row.local_path, row.sha256, row.verified) == ("done", str(done.path), done.sha256, True)
