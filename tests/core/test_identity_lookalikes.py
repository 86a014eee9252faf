"""Issue 13, case 4: a file's identity is its recording and index, not a name and a size.

Two recordings of one room that started in the same second get the same file name; of the
same size, the second used to be "downloaded" without a request (the first's file was
taken for it) and, with auto-delete on, deleted from the cloud unfetched. Queued together
with different sizes they shared one `.part`. Each test here drives vmrctl's path
(recordings.download_all) or the tray's queue against the simulator, and checks what a user
would find: each recording's own bytes in its own file, and a recording deleted from the
cloud only once this app fetched and verified it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.recordings import SIZE, fetched, look_alikes, sha256s
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core import recordings
from vmrtray.core.catalog import Catalog
from vmrtray.core.download_queue import DownloadQueue, Transfer
from vmrtray.core.downloads import new_file_session
from vmrtray.core.targets import recording_filename
from vmrtray.sim import Sim
from vmrtray.sim.files import content


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    return Catalog(tmp_path / "catalog.sqlite3")


@pytest_asyncio.fixture
async def queue(api: Client, catalog: Catalog, tmp_path: Path) -> AsyncIterator[DownloadQueue]:
    async with new_file_session() as http:
        made = DownloadQueue(api, catalog, http, lambda: tmp_path / "out", limit=2, tick=0.01, auto_delete=lambda: True)
        made.settle = 0.0  # the test's time only: a list of files is taken as settled at once (test_delete_settle)
        yield made
        await made.aclose()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _settled(transfers: list[Transfer]) -> bool:
    return all(t.state in ("done", "failed", "paused") for t in transfers)


async def _download(api: Client, catalog: Catalog, record_id: str, folder: Path) -> list[recordings.Downloaded]:
    async with new_file_session() as http:
        return await recordings.download_all(api, catalog, record_id, folder, http=http)


async def test_vmrctl_fetches_a_look_alike_of_the_same_size_into_a_name_of_its_own(
    sim: Sim, api: Client, catalog: Catalog, tmp_path: Path
) -> None:
    first, second = look_alikes(sim, SIZE, SIZE)
    out = tmp_path / "out"
    (one,) = await _download(api, catalog, first, out)
    (two,) = await _download(api, catalog, second, out)
    assert fetched(sim, second) > 0, "the second recording was never asked of the store"
    assert two.path != one.path
    assert two.path.name.endswith(" (2).mp4")
    assert [_sha256(one.path), _sha256(two.path)] == [*sha256s(sim, first), *sha256s(sim, second)]
    assert two.sha256 == sha256s(sim, second)[0]


async def test_the_queue_never_deletes_a_look_alike_it_did_not_fetch(
    sim: Sim, api: Client, queue: DownloadQueue
) -> None:
    first, second = look_alikes(sim, SIZE, SIZE)
    (one,) = await queue.add(first)
    await until(lambda: _settled([one]), "the first recording downloaded")
    await until(lambda: sim.recording_info(first)["deleted"], "the first recording, fetched and verified, deleted")
    (two,) = await queue.add(second)
    await until(lambda: _settled([two]), "the second recording settled")
    await queue.aclose()  # the opt-in, if any, is over
    deleted, asked = sim.recording_info(second)["deleted"], fetched(sim, second)
    assert not (deleted and not asked), "deleted from the cloud without a single request for it"
    assert asked > 0, "the second recording was never asked of the store"
    assert two.target != one.target
    assert _sha256(two.target) == sha256s(sim, second)[0]
    assert _sha256(one.target) == sha256s(sim, first)[0]


async def test_look_alikes_of_different_sizes_queued_together_never_share_a_part(
    sim: Sim, api: Client, queue: DownloadQueue
) -> None:
    sim.files.rate_limit = 4 * 1024 * 1024  # both are under way at once
    first, second = look_alikes(sim, SIZE, SIZE + 4096)
    added = [*await queue.add(first), *await queue.add(second)]
    await until(lambda: _settled(added), "both recordings settled")
    assert [t.state for t in added] == ["done", "done"], [t.error for t in added]
    assert added[0].target != added[1].target
    assert [_sha256(t.target) for t in added] == [*sha256s(sim, first), *sha256s(sim, second)]
    await until(lambda: sim.recording_info(first)["deleted"] and sim.recording_info(second)["deleted"])


async def test_a_file_the_catalog_never_recorded_is_not_adopted_even_with_the_right_bytes(
    sim: Sim, api: Client, queue: DownloadQueue, tmp_path: Path
) -> None:
    """Its bytes are the recording's, but nothing says this app fetched them: it stays, and the
    recording is fetched beside it (and only then deleted from the cloud)."""
    (record_id,) = look_alikes(sim, SIZE)
    (listed,) = await api.get_records(record_id)
    planted = tmp_path / "out" / recording_filename("研发部会议室", "100701", listed.start_time)
    planted.parent.mkdir(parents=True)
    (stored,) = sim.state.recordings[record_id].files
    planted.write_bytes(content(stored.file_id, stored.size))
    deleted_unfetched = False

    def watch(transfer: Transfer) -> None:
        nonlocal deleted_unfetched
        deleted_unfetched = deleted_unfetched or (
            sim.recording_info(record_id)["deleted"] and not fetched(sim, record_id)
        )

    queue.add_listener(watch)
    (transfer,) = await queue.add(record_id)
    await until(lambda: _settled([transfer]), "the recording settled")
    assert not deleted_unfetched
    assert fetched(sim, record_id) > 0
    assert transfer.target != planted
    assert _sha256(transfer.target) == sha256s(sim, record_id)[0]
    await until(lambda: sim.recording_info(record_id)["deleted"], "deleted once fetched and verified")


async def test_a_downloaded_file_replaced_by_a_look_alike_is_fetched_again(
    sim: Sim, api: Client, catalog: Catalog, tmp_path: Path
) -> None:
    """The catalog says the file is there, but its bytes no longer match its sha256."""
    (record_id,) = look_alikes(sim, SIZE)
    out = tmp_path / "out"
    (done,) = await _download(api, catalog, record_id, out)
    done.path.write_bytes(b"\0" * SIZE)  # same name, same size, other bytes
    asked = fetched(sim, record_id)
    (again,) = await _download(api, catalog, record_id, out)
    assert fetched(sim, record_id) > asked
    assert again.sha256 == sha256s(sim, record_id)[0] == _sha256(again.path)
    assert done.path.read_bytes() == b"\0" * SIZE  # not ours to overwrite


async def test_a_file_this_app_downloaded_and_recorded_is_adopted_without_a_request(
    sim: Sim, api: Client, catalog: Catalog, tmp_path: Path
) -> None:
    (record_id,) = look_alikes(sim, SIZE)
    out = tmp_path / "out"
    (done,) = await _download(api, catalog, record_id, out)
    asked = fetched(sim, record_id)
    (again,) = await _download(api, catalog, record_id, out)
    assert fetched(sim, record_id) == asked
    assert (again.path, again.sha256) == (done.path, done.sha256)
    assert catalog.verified_whole(record_id)


async def test_a_file_not_vouched_for_keeps_its_recording_in_the_cloud(
    sim: Sim, api: Client, queue: DownloadQueue, tmp_path: Path
) -> None:
    """File 1 fetched by the queue, file 0 there from before this app verified what it kept:
    the recording is not deleted (not every file was fetched and verified by this app)."""
    record_id = look_alikes(sim, SIZE)[0]
    sim.state.recordings[record_id].files.append(
        dataclasses.replace(sim.state.recordings[record_id].files[0], file_id="second-file")
    )
    first, second = await _download(api, queue.catalog, record_id, tmp_path / "out")
    queue.catalog.mark_downloaded(record_id, 0, first.path, first.sha256, verified=False)
    second.path.unlink()
    (transfer,) = await queue.add(record_id)
    await until(lambda: _settled([transfer]), "file 1 downloaded again")
    await queue.aclose()  # what the download does after it is done (the opt-in) is over
    assert transfer.state == "done"
    assert not sim.recording_info(record_id)["deleted"]


async def test_adopting_a_file_never_vouches_for_it(sim: Sim, api: Client, catalog: Catalog, tmp_path: Path) -> None:
    """A file the catalog records but not as fetched and verified by this app (kept before
    verification was recorded) is adopted as it is: still not vouched for."""
    (record_id,) = look_alikes(sim, SIZE)
    out = tmp_path / "out"
    (done,) = await _download(api, catalog, record_id, out)
    catalog.mark_downloaded(record_id, 0, done.path, done.sha256, verified=False)
    asked = fetched(sim, record_id)
    (again,) = await _download(api, catalog, record_id, out)
    assert fetched(sim, record_id) == asked
    assert again.path == done.path
    assert not catalog.verified_whole(record_id)
