"""A single refused answer stops no download and no delete for good (issue 15, point 7): the
simulator answers the envelope's code 403 once, then normally. Before, one 403 when the
download asked for its link paused it "waiting for sign-in" until the user resumed it or
restarted the app, and one 403 to the delete's re-list kept the recording in the cloud for good."""

from __future__ import annotations

from pathlib import Path

from tests.core.test_delete_settle import RECORDS, _idle, _queue
from tests.core.test_file_order import _deleted_after_every_byte, _recording
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core.catalog import Catalog
from vmrtray.core.download_queue import State
from vmrtray.core.downloads import new_file_session
from vmrtray.sim import Sim


async def test_one_403_for_the_link_is_tried_again_and_the_file_comes(sim: Sim, api: Client, tmp_path: Path) -> None:
    record_id = await _recording(sim, api)
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    told: list[tuple[State, str | None]] = []
    async with new_file_session() as http:
        queue = _queue(api, catalog, http, tmp_path / "out", auto_delete=False)
        queue.add_listener(lambda t: told.append((t.state, t.error)))
        try:
            sim.faults.queue("pass", count=1, path=RECORDS)  # the add's own listing
            sim.faults.queue("code:403", count=1, path=RECORDS)  # then the first file's link
            transfers = await queue.add(record_id)
            await until(lambda: all(t.state in (State.DONE, State.FAILED) for t in transfers), "both ended")
        finally:
            await queue.aclose()
    assert [(t.state, t.error) for t in transfers] == [(State.DONE, None), (State.DONE, None)]
    assert not any(error and "sign-in" in error for _, error in told)
    catalog.close()


async def test_two_403s_in_a_row_wait_for_sign_in(sim: Sim, api: Client, tmp_path: Path) -> None:
    record_id = await _recording(sim, api, files_per_recording=1)
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        queue = _queue(api, catalog, http, tmp_path / "out", auto_delete=False)
        try:
            sim.faults.queue("pass", count=1, path=RECORDS)  # the add's own listing
            sim.faults.queue("code:403", count=2, path=RECORDS)  # the link, and again at the retry
            (first,) = await queue.add(record_id)
            await until(lambda: first.state == State.PAUSED and not first.retrying, "waiting for sign-in")
        finally:
            await queue.aclose()
    assert first.error == "waiting for sign-in: the service rejected the key"
    catalog.close()


async def test_one_403_to_the_deletes_relist_is_checked_again_and_deleted(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    record_id = await _recording(sim, api, files_per_recording=1)  # one file: one delete check
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        queue = _queue(api, catalog, http, tmp_path / "out")
        queue.settle = 0.0
        try:
            (a,) = await queue.add(record_id)
            sim.files.rate_limit = 1024 * 1024
            await until(lambda: a.done > 0)
            asked = sim.stats.requests[RECORDS]
            sim.faults.queue("code:403", path=RECORDS, count=1)  # the delete's re-list
            sim.files.rate_limit = None
            await until(lambda: sim.recording_info(record_id)["deleted"], "deleted once the service answers again")
            await until(lambda: _idle(queue))
        finally:
            await queue.aclose()
    assert sim.stats.requests[RECORDS] - asked == 2  # the re-list refused, then answered
    assert a.error is None  # never "Kept in the cloud: … could not be listed again"
    assert _deleted_after_every_byte(sim)
    catalog.close()
