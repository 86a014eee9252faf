"""A server hiccup when a download starts is not the end of it (issue 14 review).

A 502 from `getRecords` when a ready recording's download asked for its link failed the file
for good: the queue marked it failed, the next start skipped failed files, and an unattended
`vmrctl watch` never fetched it. Now a failure of the server or the network pauses the file
with the reason, tries again by itself after a backoff, and a quit meanwhile leaves it queued
for the next start; what trying again cannot mend (the recording deleted) still fails, with
its sentence. So does a file server that keeps failing past the download's own tries. Against
the simulator, its faults queued on `getRecords` and its object store's knobs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.recordings import make_recording
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core import transfer
from vmrtray.core.catalog import Catalog
from vmrtray.core.download_queue import DownloadQueue, State, Transfer
from vmrtray.core.downloads import new_file_session
from vmrtray.core.errors import NoFiles
from vmrtray.sim import Sim

RECORDS = "/meeting/getRecords"
SIZE = 2 * 1024 * 1024 + 77
CUT = 1024 * 1024  # bytes of the first answer before it breaks off


@pytest_asyncio.fixture
async def catalog(tmp_path: Path) -> AsyncIterator[Catalog]:
    made = Catalog(tmp_path / "catalog.sqlite3")
    yield made
    made.close()


@pytest_asyncio.fixture
async def queue(api: Client, catalog: Catalog, tmp_path: Path) -> AsyncIterator[DownloadQueue]:
    async with new_file_session() as http:
        made = DownloadQueue(api, catalog, http, lambda: tmp_path / "out", tick=0.01)
        made.backoff = (0.01, 0.04)  # the test's time only: the waits still double, and are counted
        yield made
        await made.aclose()


def _told(queue: DownloadQueue) -> list[tuple[State, str | None]]:
    told: list[tuple[State, str | None]] = []

    def note(transfer: Transfer) -> None:
        if not told or told[-1] != (transfer.state, transfer.error):
            told.append((transfer.state, transfer.error))

    queue.add_listener(note)
    return told


def _asked(sim: Sim) -> int:
    return sim.stats.requests[RECORDS]


async def test_a_server_error_when_the_download_starts_is_tried_again_until_it_downloads(
    sim: Sim, api: Client, queue: DownloadQueue
) -> None:
    record_id = await make_recording(sim, api)
    sim.faults.queue("pass", path=RECORDS)  # add's listing is answered…
    sim.faults.queue("502", path=RECORDS, count=3)  # …then the link, three times over, is not
    told = _told(queue)
    asked = _asked(sim)
    (transfer,) = await queue.add(record_id)
    await until(lambda: transfer.state in (State.DONE, State.FAILED), "the download ended")

    assert (transfer.state, transfer.error) == (State.DONE, None)
    assert transfer.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]
    assert _asked(sim) - asked == 1 + 3 + 1  # the listing, three failures, the link at last
    paused = [error for state, error in told if state == State.PAUSED]
    assert len(paused) == 1, told  # said once, not at every try
    assert paused[0] is not None
    assert paused[0].startswith("waiting to try again: The server failed"), paused
    assert State.FAILED not in [state for state, _ in told]
    assert [s for s, _ in told][-2:] == [State.DOWNLOADING, State.DONE]


async def test_a_quit_while_waiting_to_try_again_goes_on_at_the_next_start(
    sim: Sim, api: Client, catalog: Catalog, tmp_path: Path
) -> None:
    record_id = await make_recording(sim, api)
    sim.faults.queue("pass", path=RECORDS)
    sim.faults.queue("502", path=RECORDS, count=1000)  # the server stays down while the app runs
    async with new_file_session() as http:
        first = DownloadQueue(api, catalog, http, lambda: tmp_path / "out", tick=0.01, lang="zh")
        first.backoff = (3600.0, 3600.0)  # no second try before the quit
        (transfer,) = await first.add(record_id)
        await until(lambda: transfer.state == State.PAUSED, "waiting to try again")
        assert transfer.error is not None
        assert transfer.error.startswith("等待重试：服务器"), transfer.error
        await first.aclose()  # the app quits
        (row,) = catalog.files(record_id)
        assert row.state == "queued"

        sim.faults.clear()  # the server is back
        second = DownloadQueue(api, catalog, http, lambda: tmp_path / "out", tick=0.01)
        (again,) = await second.restore()
        await until(lambda: again.state in (State.DONE, State.FAILED), "downloaded at the next start")
        await second.aclose()
    assert (again.state, again.error) == (State.DONE, None)
    assert again.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]


async def test_a_recording_deleted_before_its_download_starts_fails_with_its_sentence(
    sim: Sim, api: Client, queue: DownloadQueue
) -> None:
    record_id = await make_recording(sim, api)
    told = _told(queue)
    (transfer,) = await queue.add(record_id)
    sim.state.recordings[record_id].deleted = True  # before the queue asks for the link
    await until(lambda: transfer.state in (State.DONE, State.FAILED), "the download ended")
    asked = _asked(sim)

    assert (transfer.state, transfer.error) == (State.FAILED, NoFiles(record_id).describe("en"))
    assert State.PAUSED not in [state for state, _ in told]  # not tried again: it would not change
    await queue.resume(transfer.key)  # the user's own try is still possible…
    await until(lambda: transfer.state == State.FAILED and _asked(sim) > asked, "tried once more")
    assert _asked(sim) == asked + 1  # …and fails again, once


async def test_a_file_server_that_keeps_failing_mid_download_is_tried_again_from_the_part(
    sim: Sim, api: Client, queue: DownloadQueue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the download's own tries (an answer cut, then every answer broken off before its
    first byte), the file is paused and tried again later by itself; not failed."""
    monkeypatch.setattr(transfer, "BACKOFF", 0.001)  # the download's own retries, at once
    record_id = await make_recording(sim, api, size=SIZE)
    sim.files.reset_after = CUT  # the first answer breaks off…
    sim.files.reset_every = 0  # …and every answer after it before its first byte
    told = _told(queue)
    (transfer_,) = await queue.add(record_id)
    await until(lambda: transfer_.state in (State.PAUSED, State.FAILED, State.DONE), "waiting to try again")
    assert transfer_.state == State.PAUSED, told
    assert transfer_.error is not None
    assert transfer_.error.startswith("waiting to try again: the file server kept failing"), transfer_.error
    sim.files.reset_every = None  # the store is well again
    await until(lambda: transfer_.state in (State.DONE, State.FAILED), "the download ended")

    assert (transfer_.state, transfer_.error) == (State.DONE, None)
    assert transfer_.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]
    assert State.FAILED not in [state for state, _ in told]
