"""A recording's files are known by what the service says of each, not by where it lists them.

`getRecords` promises no order, and may list a file later than the others. Against the
simulator over loopback (its room knobs `shuffle_files`: every second answer reversed, and
`files_one_by_one`: one more file listed every n answers): each file is fetched once with
its own bytes, and the opt-in delete from the cloud happens only once every file the
service lists is downloaded and verified here.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.recordings import SIZE
from tests.support.waiting import until
from vmrtray.api import Client, Lang, RecordFile
from vmrtray.core import recordings
from vmrtray.core.catalog import Catalog
from vmrtray.core.download_queue import DownloadQueue, State
from vmrtray.core.downloads import new_file_session
from vmrtray.sim import Sim


@pytest_asyncio.fixture
async def queue(api: Client, tmp_path: Path) -> AsyncIterator[DownloadQueue]:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        made = DownloadQueue(
            api, catalog, http, lambda: tmp_path / "out", limit=2, segments=1, tick=0.01, auto_delete=lambda: True
        )
        made.settle = 0.0  # the test's time only: a list of files is taken as settled at once (test_delete_settle)
        yield made
        await made.aclose()


async def _recording(sim: Sim, api: Client, **knobs: object) -> str:
    """Room 100701 recorded start to stop, two files of SIZE bytes, the room's `knobs` set before the stop."""
    room = sim.state.set_meeting("100701", started=True)
    room.file_size, room.files_per_recording = SIZE, 2
    for name, value in knobs.items():
        setattr(room, name, value)
    record_id = await api.open_record("100701")
    await api.close_record("100701")
    return record_id


def _on_disk(folder: Path) -> dict[str, str]:
    """sha256 of each whole file in `folder`, by name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.mp4"))}


def _deleted_after_every_byte(sim: Sim) -> bool:
    """delRecordFile was asked once, after the last request the object store had."""
    asked = [(origin, path) for origin, _, path, _ in sim.stats.headers]
    deletes = [n for n, (origin, path) in enumerate(asked) if path == "/meeting/delRecordFile"]
    files = [n for n, (origin, _) in enumerate(asked) if origin == "files"]
    return len(deletes) == 1 and deletes[0] > max(files)


def _each_object_once(sim: Sim, record_id: str) -> bool:
    served = sim.stats.bytes_by_path
    return all(served[f["path"]] == f["size"] for f in sim.recording_info(record_id)["files"])


async def test_files_listed_in_another_order_each_time_are_each_fetched_once_before_the_delete(
    sim: Sim, api: Client, queue: DownloadQueue, tmp_path: Path
) -> None:
    record_id = await _recording(sim, api, shuffle_files=True)
    expected = {f["sha256"] for f in sim.recording_info(record_id)["files"]}

    added = await queue.add(record_id)
    assert len(added) == 2
    await until(lambda: sim.recording_info(record_id)["deleted"])
    assert [t.state for t in added] == [State.DONE, State.DONE]

    assert set(_on_disk(tmp_path / "out").values()) == expected  # A and B, not B twice
    assert {t.sha256 for t in added} == expected
    assert _each_object_once(sim, record_id)
    assert _deleted_after_every_byte(sim)
    rows = queue.catalog.files(record_id)
    assert all(row.verified for row in rows)
    assert {row.sha256 for row in rows} == expected


async def test_a_file_listed_later_is_fetched_before_the_recording_is_deleted(
    sim: Sim, api: Client, queue: DownloadQueue, tmp_path: Path
) -> None:
    # answers 1 and 2 list the first file only (the queue's listing and its fresh link), 3 on both
    record_id = await _recording(sim, api, files_one_by_one=2)
    expected = {f["sha256"] for f in sim.recording_info(record_id)["files"]}

    (first,) = await queue.add(record_id)
    await until(lambda: sim.recording_info(record_id)["deleted"])

    assert first.state == State.DONE
    assert [t.state for t in queue.transfers.values()] == [State.DONE, State.DONE]
    assert set(_on_disk(tmp_path / "out").values()) == expected
    assert _each_object_once(sim, record_id)
    assert _deleted_after_every_byte(sim)


async def test_a_file_listed_later_is_not_deleted_while_it_is_not_fetched(
    sim: Sim, api: Client, queue: DownloadQueue
) -> None:
    record_id = await _recording(sim, api, files_one_by_one=2)
    sim.files.rate_limit = 1024 * 1024  # the second file is still coming when we look
    (first,) = await queue.add(record_id)
    await until(lambda: len(queue.transfers) == 2 and first.state == State.DONE)
    second = queue.transfers[(record_id, 1)]
    assert second.state in (State.QUEUED, State.DOWNLOADING)
    assert not sim.recording_info(record_id)["deleted"]
    assert "/meeting/delRecordFile" not in sim.stats.requests
    sim.files.rate_limit = None
    await until(lambda: sim.recording_info(record_id)["deleted"])
    assert second.state == State.DONE


async def test_vmrctl_s_download_saves_each_file_once_whatever_the_order(sim: Sim, api: Client, tmp_path: Path) -> None:
    record_id = await _recording(sim, api, shuffle_files=True)
    expected = {f["sha256"] for f in sim.recording_info(record_id)["files"]}
    # the links of the first listing have expired by the first request: each file asks for a fresh one
    sim.files.ttl = 3600.0
    sim.files.clock = lambda: 1_800_000_000.0 + (7200.0 if sim.stats.requests["files"] else 0.0)
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        done = await recordings.download_all(api, catalog, record_id, tmp_path / "out", http=http)
    assert {d.sha256 for d in done} == expected
    assert sim.stats.links_expired == 2
    assert set(_on_disk(tmp_path / "out").values()) == expected
    assert _each_object_once(sim, record_id)


def _listed(record_id: str, *names: str) -> list[RecordFile]:
    return [
        RecordFile.model_validate(
            {
                "recordId": record_id,
                "conferenceKey": "100701",
                "startTime": f"2026-12-01 09:0{n}:00",
                "fileSize": 100 + n,
                "downUrl": f"https://files.invalid/2026-12-01/{name}.mp4?sign=s{n}",
            }
        )
        for n, name in enumerate(names)
    ]


def test_the_catalog_keeps_each_file_s_row_whatever_the_order_and_adds_a_later_one_after(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    a, b, c = _listed("rec", "a", "b", "c")
    assert catalog.set_files("rec", [a, b]) == [0, 1]
    catalog.mark_downloaded("rec", 0, tmp_path / "a.mp4", "aa" * 32, verified=True)
    resigned = a.model_copy(update={"down_url": "https://other.invalid/2026-12-01/a.mp4?sign=new"})
    assert catalog.set_files("rec", [b, resigned]) == [1, 0]  # reversed, and signed anew: the same two files
    assert catalog.set_files("rec", [c, b, a]) == [2, 1, 0]
    rows = {row.idx: row for row in catalog.files("rec")}
    assert (rows[0].state, rows[0].sha256, rows[0].start_time) == ("done", "aa" * 32, a.start_time.isoformat())
    assert [rows[0].down_url, rows[1].down_url] == [a.down_url, b.down_url]
    assert rows[2].state == "cloud"
    catalog.mark_downloaded("rec", 1, tmp_path / "b.mp4", "aa" * 32, verified=True)  # a's bytes saved again
    assert not catalog.verified_whole("rec", [0, 1])  # two rows, one object's bytes
    catalog.mark_downloaded("rec", 1, tmp_path / "b.mp4", "bb" * 32, verified=True)
    assert not catalog.verified_whole("rec", [0, 1])  # c, listed before and not now, still counts
    assert not catalog.verified_whole("rec", [0, 1, 2])  # c is not fetched
    catalog.mark_downloaded("rec", 2, tmp_path / "c.mp4", "cc" * 32, verified=True)
    assert catalog.verified_whole("rec", [0, 1, 2])
    assert not catalog.verified_whole("rec", [0, 1])  # listed now without c: not the same set of files
    assert not catalog.verified_whole("rec", [0, 1, 2, 3])  # one listed now that is not known


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "Kept in the cloud: not every file the service lists now was downloaded and verified here."),
        ("zh", "仍保留在云端：服务现在列出的文件并非都已在此下载并校验。"),
    ],
)
async def test_a_recording_not_all_fetched_here_stays_in_the_cloud_and_says_why(
    sim: Sim, api: Client, tmp_path: Path, lang: Lang, said: str
) -> None:
    record_id = await _recording(sim, api)
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        first, second = await recordings.download_all(api, catalog, record_id, tmp_path / "out", http=http)
        catalog.mark_downloaded(record_id, 0, first.path, first.sha256, verified=False)  # found, not fetched here
        second.path.unlink()
        queue = DownloadQueue(api, catalog, http, lambda: tmp_path / "out", auto_delete=lambda: True, lang=lang)
        (transfer,) = await queue.add(record_id)
        await until(lambda: transfer.error is not None)
        await queue.aclose()
    assert transfer.state == State.DONE
    assert transfer.error == said
    assert not sim.recording_info(record_id)["deleted"]
