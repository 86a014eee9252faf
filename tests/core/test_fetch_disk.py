"""Issue 13, cases 7 and 8, and the move into place: what a download does to the disk.

7. A `.part` planted as a symbolic link was followed: the recording was appended to the
   link's target. Now a link is removed (never written through) and the download starts clean.
8. A huge `fileSize` left a 9 TiB sparse part (10^13 with segments) or ended in EFBIG as an
   internal error (2^60). Now a size over the cap (1 TiB) or over the free space is refused
   before anything is made, and any file-system error is one sentence.
And the finished part never replaces a file that appeared at the target meanwhile.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import resource
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.recordings import SIZE, make_recording
from tests.support.waiting import until
from vmrtray.api import Client, RecordFile
from vmrtray.core.downloads import SEGMENT_MIN, DownloadError, download, new_file_session
from vmrtray.sim import Sim
from vmrtray.sim.state import SimFile

BIG = SEGMENT_MIN + 5 * 1024 * 1024 + 4321


async def _file(sim: Sim, api: Client, size: int = SIZE) -> tuple[RecordFile, SimFile]:
    record_id = await make_recording(sim, api, size=size)
    (file,) = await api.get_records(record_id)
    return file, sim.state.recordings[record_id].files[0]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def _never() -> str:
    raise AssertionError("no refresh expected")


def _expected(sim: Sim, stored: SimFile) -> str:
    return sim.recording_info(stored.record_id)["files"][0]["sha256"]


# -- case 7: links ---------------------------------------------------------------------------------


@pytest.mark.parametrize("segments", [1, 4])
@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
async def test_a_planted_part_link_is_never_written_through(
    sim: Sim, api: Client, tmp_path: Path, segments: int, dangling: bool
) -> None:
    file, stored = await _file(sim, api, BIG)
    folder, victim = tmp_path / "out", tmp_path / "victim"
    folder.mkdir()
    if not dangling:
        victim.write_bytes(b"precious")
    (folder / "x.mp4.part").symlink_to(victim)
    async with new_file_session() as http:
        result = await download(file, folder / "x.mp4", http=http, refresh=_never, segments=segments)
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_bytes() == b"precious"
    assert not (folder / "x.mp4").is_symlink()
    assert _sha256(folder / "x.mp4") == _expected(sim, stored) == result.sha256
    assert sorted(p.name for p in folder.iterdir()) == ["x.mp4"]


async def test_a_file_that_appears_at_the_target_is_never_replaced(sim: Sim, api: Client, tmp_path: Path) -> None:
    file, stored = await _file(sim, api)
    target = tmp_path / "x.mp4"

    def someone_puts_a_file_there(done: int, total: int) -> None:
        if not target.exists():
            target.write_bytes(b"someone else's")

    async with new_file_session() as http:
        with pytest.raises(DownloadError, match=r"x\.mp4 appeared in .* and was left alone"):
            await download(file, target, http=http, refresh=_never, on_progress=someone_puts_a_file_there)
    assert target.read_bytes() == b"someone else's"
    assert _sha256(tmp_path / "x.mp4.part") == _expected(sim, stored)  # the download is kept beside it


# -- case 8: sizes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "segments"),
    [(10**13, 4), (2**60, 4), (2**60, 1), (10**40, 1)],
    ids=["1e13-4", "2^60-4", "2^60-1", "1e40-1"],
)
async def test_a_huge_file_size_is_refused_before_anything_is_made(
    sim: Sim, api: Client, tmp_path: Path, size: int, segments: int
) -> None:
    file, stored = await _file(sim, api)
    stored.size = size  # the store serves that many bytes (lazily)
    # what the service announces; built here, as the API now refuses a fileSize past 2^63
    file = file.model_copy(update={"file_size": size})
    sim.files.checksum = "none"  # (the simulator would compute a CRC-64 over all of it)
    sim.files.rate_limit = 64 * 1024  # code that takes the size goes slowly, and is stopped below
    part = tmp_path / "x.mp4.part"
    async with new_file_session() as http:
        task = asyncio.ensure_future(download(file, tmp_path / "x.mp4", http=http, refresh=_never, segments=segments))
        try:
            await until(lambda: task.done() or part.exists(), "a refusal, or a part made")
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            made = sorted(p.name for p in tmp_path.iterdir())
            part.unlink(missing_ok=True)  # a sparse 9 TiB part: the run's end reads every file left
    assert made == [], "something was made for a file that cannot be a recording"
    assert not task.cancelled()
    error = task.exception()
    assert isinstance(error, DownloadError), repr(error)
    assert str(error) == (
        f"the service announced {size} bytes for this file, more than the 1.0 TiB a download may take;"
        " nothing was written"
    )
    assert sim.stats.requests["files"] == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs: a real full file system (mounting needs root; CI runs as root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; CI runs these as root")
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"root, but mounting a tmpfs was refused ({mounted.stderr.decode().strip()})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize("segments", [1, 4])
async def test_a_file_larger_than_the_free_space_is_refused_before_anything_is_made(
    sim: Sim, api: Client, small_disk: Path, segments: int
) -> None:
    file, _ = await _file(sim, api, BIG)  # 37 MiB on a 2 MiB disk
    async with new_file_session() as http:
        with pytest.raises(DownloadError, match=r"the file needs 37\.0 MiB more and only .* is free at") as refused:
            await download(file, small_disk / "x.mp4", http=http, refresh=_never, segments=segments)
    assert refused.value.disk_full  # the queue pauses it: free space and it resumes
    assert list(small_disk.iterdir()) == []
    assert sim.stats.requests["files"] == 0


@pytest.mark.parametrize("segments", [1, 4])
async def test_a_file_system_that_cannot_hold_the_file_is_said_in_one_sentence(
    sim: Sim, api: Client, tmp_path: Path, segments: int
) -> None:
    # EFBIG, as FAT32 answers past 4 GiB: here from RLIMIT_FSIZE (Python ignores SIGXFSZ, so
    # the write fails with EFBIG), lowered for this process during the download only.
    file, _ = await _file(sim, api, BIG)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    async with new_file_session() as http:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4 * 1024 * 1024, hard))
        try:
            with pytest.raises(DownloadError) as refused:
                await download(file, tmp_path / "x.mp4", http=http, refresh=_never, segments=segments)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert str(refused.value) == (
        f"the file system at {tmp_path} cannot hold a file this large; choose another download folder"
    )
    assert not (tmp_path / "x.mp4").exists()


async def test_a_target_already_there_is_left_alone_and_nothing_is_fetched(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    # An existing file is never taken for the recording by its name and size (case 4: the
    # catalog says which file is which); here nothing is downloaded over it either.
    file, _ = await _file(sim, api)
    target = tmp_path / "x.mp4"
    target.write_bytes(b"\0" * SIZE)  # of the very size announced
    async with new_file_session() as http:
        with pytest.raises(
            DownloadError, match=r"x\.mp4 is already in .*; it was left alone and nothing was downloaded"
        ):
            await download(file, target, http=http, refresh=_never)
    assert target.read_bytes() == b"\0" * SIZE
    assert sim.stats.requests["files"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.mp4"]


@pytest.mark.parametrize("segments", [1, 4])
async def test_a_folder_that_is_gone_is_said_in_one_sentence(
    sim: Sim, api: Client, tmp_path: Path, segments: int
) -> None:
    file, _ = await _file(sim, api, BIG)
    async with new_file_session() as http:
        with pytest.raises(DownloadError) as refused:
            await download(file, tmp_path / "gone" / "x.mp4", http=http, refresh=_never, segments=segments)
    assert refused.value.describe("en") == f"the folder {tmp_path / 'gone'} does not exist"
    assert refused.value.describe("zh") == f"文件夹 {tmp_path / 'gone'} 不存在"
