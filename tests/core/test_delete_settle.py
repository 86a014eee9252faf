"""The opt-in delete from the cloud waits until the recording's list of files has settled.

A second adversarial review of the delete: `getRecords` lists a recording's files one by one
while the service makes them (the simulator's room knob `files_one_by_one=n`: one more file
every n answers), so a re-list that shows only the files downloaded here proves nothing yet.
The recording is deleted only when every file the catalog knows of it was fetched and
verified here, the service lists exactly those, and that list has stayed the same for
DELETE_SETTLE; meanwhile the check is made again by itself, and after a restart. A recording
whose last file another process downloaded is checked too, and a 502 while listing again is
tried again, not taken as a reason to keep it. Against the simulator over loopback; the
catalog's clock is moved rather than waited for.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest_asyncio

from tests.core.test_file_order import _deleted_after_every_byte, _each_object_once, _on_disk, _recording
from tests.support.clock import Clock
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core.catalog import Catalog
from vmrtray.core.download_queue import DELETE_SETTLE, DownloadQueue, State
from vmrtray.core.downloads import new_file_session
from vmrtray.sim import Sim

RECORDS = "/meeting/getRecords"


@pytest_asyncio.fixture
async def clock() -> Clock:
    return Clock(time.time())


@pytest_asyncio.fixture
async def catalog(tmp_path: Path, clock: Clock) -> AsyncIterator[Catalog]:
    made = Catalog(tmp_path / "catalog.sqlite3", clock=clock)
    yield made
    made.close()


def _queue(
    api: Client, catalog: Catalog, http: aiohttp.ClientSession, folder: Path, *, auto_delete: bool = True
) -> DownloadQueue:
    made = DownloadQueue(api, catalog, http, lambda: folder, limit=2, tick=0.01, auto_delete=lambda: auto_delete)
    made.backoff = (0.01, 0.04)  # the test's time only: the waits still double
    made.retry = 0.05
    return made


def _idle(queue: DownloadQueue) -> bool:
    return not queue._deleting.locked() and not queue._tasks


async def test_a_recording_listed_one_file_at_a_time_is_deleted_only_once_its_list_has_settled(
    sim: Sim, api: Client, catalog: Catalog, clock: Clock, tmp_path: Path
) -> None:
    record_id = await _recording(sim, api, files_one_by_one=4)
    expected = {f["sha256"] for f in sim.recording_info(record_id)["files"]}
    out = tmp_path / "out"
    async with new_file_session() as http:
        queue = _queue(api, catalog, http, out)
        (first,) = await queue.add(record_id)  # answer 1 lists file 0 only; 2 is its link
        await until(lambda: first.state == State.DONE and sim.stats.requests[RECORDS] >= 3 and _idle(queue))
        # the delete's re-list (answer 3) still shows file 0 alone: it must not be trusted at once
        assert not sim.recording_info(record_id)["deleted"]
        assert "/meeting/delRecordFile" not in sim.stats.requests
        assert first.error is None  # nothing to say: the check is made again by itself
        await queue.aclose()

        while len(await api.get_records(record_id)) < 2:  # meanwhile the service lists file 1
            pass
        clock.now += DELETE_SETTLE  # file 0's listing is old now, but the next re-list shows file 1
        again = _queue(api, catalog, http, out)
        await again.restore()  # the pending check is made at the next start
        await until(lambda: (record_id, 1) in again.transfers and again.transfers[record_id, 1].state == State.DONE)
        await until(lambda: _idle(again))
        assert not sim.recording_info(record_id)["deleted"]  # file 1 was first listed just now
        await again.aclose()

        clock.now += DELETE_SETTLE
        last = _queue(api, catalog, http, out)
        await last.restore()
        await until(lambda: sim.recording_info(record_id)["deleted"], "deleted once its list has settled")
        await last.aclose()
    assert set(_on_disk(out).values()) == expected
    assert _each_object_once(sim, record_id)
    assert _deleted_after_every_byte(sim)


async def test_the_settled_check_is_made_again_by_itself_while_the_app_runs(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    record_id = await _recording(sim, api)
    catalog = Catalog(tmp_path / "catalog.sqlite3")  # the real clock: the loop's timer is what is shown
    async with new_file_session() as http:
        queue = _queue(api, catalog, http, tmp_path / "out")
        queue.settle = 1.5  # the test's time only (the catalog keeps whole seconds): the check waits, then is made
        added = await queue.add(record_id)
        await until(lambda: all(t.state == State.DONE for t in added) and _idle(queue))
        assert not sim.recording_info(record_id)["deleted"]
        await until(lambda: sim.recording_info(record_id)["deleted"], "deleted by the check made again")
        await queue.aclose()
    catalog.close()
    assert [t.error for t in added] == [None, None]
    assert _deleted_after_every_byte(sim)


async def test_a_recording_whose_last_file_another_process_downloaded_is_checked_for_the_delete(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    record_id = await _recording(sim, api)
    sim.files.rate_limit = 1024 * 1024
    other, mine = Catalog(tmp_path / "catalog.sqlite3"), Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        first = _queue(api, other, http, tmp_path / "outA", auto_delete=False)
        second = _queue(api, mine, http, tmp_path / "outB")
        second.settle = 0.0
        await first.add(record_id)
        await until(lambda: any(t.state == State.DOWNLOADING and t.done > 0 for t in first.transfers.values()))
        await second.add(record_id)
        await until(lambda: any(t.state == State.ELSEWHERE for t in second.transfers.values()))
        sim.files.rate_limit = None
        await until(lambda: [t.state for t in second.transfers.values()] == [State.DONE, State.DONE])
        await until(lambda: sim.recording_info(record_id)["deleted"], "deleted once the adopted files are checked")
        await first.aclose()
        await second.aclose()
    assert {t.target.parent.name for t in second.transfers.values()} == {"outA"}  # adopted where the other put them
    assert _each_object_once(sim, record_id)
    other.close()
    mine.close()


async def test_a_server_failure_while_listing_again_for_the_delete_is_tried_again(
    sim: Sim, api: Client, catalog: Catalog, tmp_path: Path
) -> None:
    record_id = await _recording(sim, api)
    async with new_file_session() as http:
        queue = _queue(api, catalog, http, tmp_path / "out")
        queue.settle = 0.0
        a, b = await queue.add(record_id)
        sim.files.rate_limit = 1024 * 1024
        await until(lambda: a.done > 0 and b.done > 0)
        asked = sim.stats.requests[RECORDS]
        sim.faults.queue("502", path=RECORDS, count=3)  # the delete's re-lists
        sim.files.rate_limit = None
        await until(lambda: sim.recording_info(record_id)["deleted"], "deleted once the service answers again")
        await queue.aclose()
    assert sim.stats.requests[RECORDS] - asked >= 4  # three 502s, then the answer
    assert [a.error, b.error] == [None, None]  # never "Kept in the cloud: … could not be listed again"
    assert _deleted_after_every_byte(sim)
