"""The app's download queue against the simulator: a limit, pause, resume, cancel, a quit
and a restart, a full disk, and the opt-in delete once verified."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.recordings import SIZE, make_recording
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core import recordings
from vmrtray.core.catalog import Catalog
from vmrtray.core.download_queue import DownloadQueue, State, Transfer
from vmrtray.core.downloads import new_file_session
from vmrtray.sim import Sim


@pytest_asyncio.fixture
async def queue(api: Client, tmp_path: Path) -> AsyncIterator[DownloadQueue]:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        made = DownloadQueue(api, catalog, http, lambda: tmp_path / "out", limit=2, segments=1, tick=0.01)
        yield made
        await made.aclose()


def _states(queue: DownloadQueue) -> list[State]:
    return [t.state for t in queue.transfers.values()]


async def test_files_download_two_at_a_time_and_match_the_sim(sim: Sim, api: Client, queue: DownloadQueue) -> None:
    record_id = await make_recording(sim, api, parts=3)
    most = 0

    def watch(_: Transfer) -> None:
        nonlocal most
        most = max(most, _states(queue).count(State.DOWNLOADING))

    queue.add_listener(watch)
    added = await queue.add(record_id)
    assert len(added) == 3
    await until(lambda: _states(queue) == [State.DONE] * 3)
    assert most == 2
    expected = [f["sha256"] for f in sim.recording_info(record_id)["files"]]
    assert [t.sha256 for t in added] == expected
    assert [e.downloaded for e in queue.catalog.entries()] == [3]
    assert queue.totals() == (0, 0, 0)


async def test_pause_keeps_the_part_and_resume_fetches_only_the_rest(
    sim: Sim, api: Client, queue: DownloadQueue
) -> None:
    record_id = await make_recording(sim, api)
    sim.files.rate_limit = 1024 * 1024
    (transfer,) = await queue.add(record_id)
    await until(lambda: transfer.done > 0)
    assert transfer.speed >= 0
    await queue.pause(transfer.key)
    assert transfer.state == State.PAUSED
    part = transfer.target.with_name(transfer.target.name + ".part")
    kept = part.stat().st_size
    assert 0 < kept < SIZE
    sim.files.rate_limit = None
    asked_before = len([h for o, *_, h in sim.stats.headers if o == "files"])
    await queue.resume(transfer.key)
    await until(lambda: transfer.state == State.DONE)
    resumed = [h.get("Range") for o, *_, h in sim.stats.headers if o == "files"][asked_before:]
    assert resumed == [f"bytes={kept}-"]
    assert transfer.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]


async def test_cancel_forgets_the_part(sim: Sim, api: Client, queue: DownloadQueue) -> None:
    record_id = await make_recording(sim, api)
    sim.files.rate_limit = 1024 * 1024
    (transfer,) = await queue.add(record_id)
    await until(lambda: transfer.done > 0)
    await queue.cancel(transfer.key)
    assert [p.name for p in transfer.target.parent.iterdir()] == []  # no part, no sidecar of it
    assert queue.transfers == {}
    assert [r.state for r in queue.catalog.files(record_id)] == ["cloud"]


async def test_a_quit_mid_download_resumes_on_the_next_start(sim: Sim, api: Client, tmp_path: Path) -> None:
    record_id = await make_recording(sim, api)
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    sim.files.rate_limit = 1024 * 1024
    async with new_file_session() as http:
        first = DownloadQueue(api, catalog, http, lambda: tmp_path / "out", segments=1, tick=0.01)
        (transfer,) = await first.add(record_id)
        await until(lambda: transfer.done > 0)
        await first.aclose()  # the app quits
    catalog.close()
    sim.files.rate_limit = None
    catalog = Catalog(tmp_path / "catalog.sqlite3")  # the next start
    async with new_file_session() as http:
        second = DownloadQueue(api, catalog, http, lambda: tmp_path / "elsewhere", segments=1, tick=0.01)
        (again,) = await second.restore()
        await until(lambda: again.state == State.DONE)
        await second.aclose()
    assert again.target == transfer.target  # where it began, not the folder set since
    assert again.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]


async def test_the_opt_in_deletes_from_the_cloud_once_verified(sim: Sim, api: Client, queue: DownloadQueue) -> None:
    record_id = await make_recording(sim, api, parts=2)
    queue.auto_delete = lambda: True
    queue.settle = 0.0  # the test's time only: a list of files is taken as settled at once (test_delete_settle)
    await queue.add(record_id)
    await until(lambda: sim.recording_info(record_id)["deleted"])
    assert _states(queue) == [State.DONE, State.DONE]
    assert all(t.target.exists() for t in queue.transfers.values())


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs: needs root (CI runs as root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; CI runs these as root")
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"root, but mounting a tmpfs was refused ({mounted.stderr.strip()}): needs CAP_SYS_ADMIN")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


async def test_a_file_larger_than_the_free_space_pauses_with_the_reason_before_anything_is_written(
    sim: Sim, api: Client, tmp_path: Path, small_disk: Path
) -> None:
    record_id = await make_recording(sim, api)  # 3 MiB and a bit, on a 2 MiB disk
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        queue = DownloadQueue(api, catalog, http, lambda: small_disk, segments=1, tick=0.01)
        (transfer,) = await queue.add(record_id)
        await until(lambda: transfer.state not in (State.QUEUED, State.DOWNLOADING))
        await queue.aclose()
    assert transfer.state == State.PAUSED
    assert "free" in (transfer.error or "")
    assert not transfer.target.exists()
    assert not transfer.target.with_name(transfer.target.name + ".part").exists()
    assert [(r.state, r.error) for r in catalog.files(record_id)] == [("paused", transfer.error)]


async def test_a_disk_filling_up_mid_download_pauses_with_the_reason_and_keeps_the_part(
    sim: Sim, api: Client, tmp_path: Path, small_disk: Path
) -> None:
    record_id = await make_recording(sim, api, size=1536 * 1024)  # fits on the 2 MiB disk, at first
    sim.files.rate_limit = 512 * 1024
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        queue = DownloadQueue(api, catalog, http, lambda: small_disk, segments=1, tick=0.01)
        (transfer,) = await queue.add(record_id)
        await until(lambda: transfer.done > 0, "the first bytes written")
        free = os.statvfs(small_disk)
        (small_disk / "someone else's file").write_bytes(b"x" * (free.f_bavail * free.f_frsize))
        await until(lambda: transfer.state not in (State.QUEUED, State.DOWNLOADING))
        await queue.aclose()
    assert transfer.state == State.PAUSED
    assert "disk is full" in (transfer.error or "")
    assert transfer.target.with_name(transfer.target.name + ".part").stat().st_size > 0
    assert not transfer.target.exists()
    assert [(r.state, r.error) for r in catalog.files(record_id)] == [("paused", transfer.error)]


async def _waiting_elsewhere(sim: Sim, api: Client, queue: DownloadQueue) -> tuple[str, Path]:
    """A recording whose file another process is downloading (its lock held here, as that
    process would: one flock per open file), and the file's target."""
    record_id = await make_recording(sim, api)
    listed = await recordings.listing(api, queue.catalog, record_id)
    target = recordings.name_in(queue.folder(), listed, 0)
    target.parent.mkdir(parents=True, exist_ok=True)
    assert queue.catalog.claim_target(record_id, 0, target)  # the other process named it first
    return record_id, target


async def test_cancel_while_another_process_downloads_leaves_its_part(
    sim: Sim, api: Client, queue: DownloadQueue
) -> None:
    from vmrtray.core import part_lock

    record_id, target = await _waiting_elsewhere(sim, api, queue)
    async with part_lock.holding(target):
        part = target.with_name(target.name + ".part")
        part.write_bytes(b"the other process's bytes")
        (transfer,) = await queue.add(record_id)
        await until(lambda: transfer.state == State.ELSEWHERE, "waiting for the other process")
        await queue.cancel(transfer.key)
        assert part.read_bytes() == b"the other process's bytes"
    assert queue.transfers == {}
    assert not [h for o, *_, h in sim.stats.headers if o == "files"]


async def test_a_quit_while_waiting_for_another_process_goes_on_at_the_next_start(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    from vmrtray.core import part_lock

    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        first = DownloadQueue(api, catalog, http, lambda: tmp_path / "out", tick=0.01)
        record_id, target = await _waiting_elsewhere(sim, api, first)
        async with part_lock.holding(target):
            (transfer,) = await first.add(record_id)
            await until(lambda: transfer.state == State.ELSEWHERE, "waiting for the other process")
            await first.aclose()  # the app quits
        assert [r.state for r in catalog.files(record_id)] == ["elsewhere"]
        second = DownloadQueue(api, catalog, http, lambda: tmp_path / "out", tick=0.01)
        (again,) = await second.restore()
        await until(lambda: again.state == State.DONE, "downloaded at the next start")
        await second.aclose()
    assert again.target == target
    assert again.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]
