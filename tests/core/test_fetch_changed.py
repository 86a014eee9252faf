"""Issue 13, cases 5 and 6, and the checksums of what is on disk.

5. A file that changed between attempts was spliced: the first answer cut halfway, the
   ETag different on the resume, no CRC header, and the download "succeeded" with a file
   that is neither version. Now a resume sends If-Range and compares the answer's ETag.
6. Segments kept the first `fileSize` bytes of a larger object (Content-Range's total was
   never read).
A part with holes (what a re-created part became) was resumed as if its zeros were data.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import pytest

from tests.support.recordings import SIZE, make_recording
from tests.support.waiting import until
from vmrtray.api import Client, RecordFile
from vmrtray.core.downloads import SEGMENT_MIN, DownloadError, download, new_file_session
from vmrtray.sim import Sim, sha256_of
from vmrtray.sim.state import SimFile

BIG = SEGMENT_MIN + 5 * 1024 * 1024 + 4321


async def _file(sim: Sim, api: Client, size: int) -> tuple[RecordFile, SimFile]:
    record_id = await make_recording(sim, api, size=size)
    (file,) = await api.get_records(record_id)
    return file, sim.state.recordings[record_id].files[0]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _file_requests(sim: Sim) -> list[dict[str, str]]:
    return [h for origin, *_, h in sim.stats.headers if origin == "files"]


async def _never() -> str:
    raise AssertionError("no refresh expected")


@pytest.mark.parametrize("if_range", [True, False], ids=["store-honours-if-range", "store-ignores-if-range"])
async def test_an_object_replaced_between_attempts_is_fetched_again_not_spliced(
    sim: Sim, api: Client, tmp_path: Path, if_range: bool
) -> None:
    file, stored = await _file(sim, api, SIZE)
    first_etag = sim.files.validators(stored)[0]
    sim.files.checksum = "none"  # nothing but the validators tells the versions apart
    sim.files.if_range = if_range
    sim.files.rate_limit = 8 * 1024 * 1024  # bytes trickle in before the cut
    sim.files.change_after = SIZE // 2  # the first answer is cut halfway; then the object is replaced
    async with new_file_session() as http:
        result = await download(file, tmp_path / "x.mp4", http=http, refresh=_never)
    new_version = sha256_of(sim.files.key_of(stored), SIZE)
    assert new_version != sha256_of(stored.file_id, SIZE)
    assert _sha256(tmp_path / "x.mp4") == new_version == result.sha256
    assert result.resumed_from == 0
    resume = _file_requests(sim)[1]
    assert resume.get("If-Range") == first_etag
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.mp4"]


async def test_segments_of_an_object_replaced_between_attempts_start_over(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    file, stored = await _file(sim, api, BIG)
    sim.files.checksum = "none"
    sim.files.rate_limit = 8 * 1024 * 1024  # per connection: slow enough to stop halfway
    async with new_file_session() as http:
        first = asyncio.ensure_future(download(file, tmp_path / "x.mp4", http=http, refresh=_never, segments=4))
        await until(lambda: sim.stats.file_bytes >= BIG // 2, "half the file served")
        first.cancel()  # the app quits
        await asyncio.gather(first, return_exceptions=True)
        assert (tmp_path / "x.mp4.part.segments").exists()
        sim.files.replace(stored)  # re-uploaded meanwhile
        sim.files.rate_limit = None
        result = await download(file, tmp_path / "x.mp4", http=http, refresh=_never, segments=4)
    new_version = sha256_of(sim.files.key_of(stored), BIG)
    assert _sha256(tmp_path / "x.mp4") == new_version == result.sha256
    assert result.resumed_from == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.mp4"]


@pytest.mark.parametrize("segments", [1, 4])
async def test_an_object_larger_than_announced_is_not_kept(
    sim: Sim, api: Client, tmp_path: Path, segments: int
) -> None:
    file, stored = await _file(sim, api, BIG)
    stored.size = BIG + 1_000_000  # the store holds more than the service's fileSize says
    sim.files.checksum = "none"
    async with new_file_session() as http:
        with pytest.raises(DownloadError, match=f"has {BIG + 1_000_000} bytes where the service announced {BIG}"):
            await download(file, tmp_path / "x.mp4", http=http, refresh=_never, segments=segments)
    assert not (tmp_path / "x.mp4").exists()


async def test_a_part_with_holes_is_not_resumed_as_data(sim: Sim, api: Client, tmp_path: Path) -> None:
    file, stored = await _file(sim, api, SIZE)
    sim.files.checksum = "none"  # nothing from the store would catch the zeros
    part = tmp_path / "x.mp4.part"
    sim.files.rate_limit = 1024 * 1024
    async with new_file_session() as http:
        first = asyncio.ensure_future(download(file, tmp_path / "x.mp4", http=http, refresh=_never))
        await until(lambda: part.exists() and part.stat().st_size >= 1_000_000, "a third of the file on disk")
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
        kept = part.stat().st_size
        part.unlink()  # what case 3 left: the part made again and written only past an offset
        with part.open("wb") as handle:
            handle.truncate(kept)
        sim.files.rate_limit = None
        result = await download(file, tmp_path / "x.mp4", http=http, refresh=_never)
    expected = sha256_of(stored.file_id, SIZE)
    assert _sha256(tmp_path / "x.mp4") == expected == result.sha256
    assert result.resumed_from == 0


async def test_a_resumed_part_is_hashed_as_it_is_on_disk(sim: Sim, api: Client, tmp_path: Path) -> None:
    # A part whose bytes changed on disk after it was written (another program, a bad disk):
    # they are read back, so the sha256 returned is of the file kept, even when no CRC-64
    # comes to say it is not the recording.
    file, stored = await _file(sim, api, SIZE)
    sim.files.checksum = "none"
    part = tmp_path / "x.mp4.part"
    sim.files.rate_limit = 1024 * 1024
    async with new_file_session() as http:
        first = asyncio.ensure_future(download(file, tmp_path / "x.mp4", http=http, refresh=_never))
        await until(lambda: part.exists() and part.stat().st_size >= 1_000_000, "a third of the file on disk")
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
        with part.open("r+b") as handle:
            handle.write(b"\x01" * 1000)
        sim.files.rate_limit = None
        result = await download(file, tmp_path / "x.mp4", http=http, refresh=_never)
    assert result.resumed_from >= 1_000_000
    assert result.sha256 == _sha256(tmp_path / "x.mp4") != sha256_of(stored.file_id, SIZE)


async def test_segments_said_done_that_are_holes_on_disk_are_fetched_again(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    file, stored = await _file(sim, api, BIG)
    sim.files.checksum = "none"
    sim.files.rate_limit = 8 * 1024 * 1024  # per connection: slow enough to stop early
    sidecar = tmp_path / "x.mp4.part.segments"
    async with new_file_session() as http:
        first = asyncio.ensure_future(download(file, tmp_path / "x.mp4", http=http, refresh=_never, segments=4))
        await until(lambda: sim.stats.file_bytes >= BIG // 4, "a quarter of the file served")
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
        state = json.loads(sidecar.read_text())
        start, end, _ = state["segments"][-1]
        state["segments"][-1][2] = end - start  # a sidecar ahead of the data: the rest was never written
        sidecar.write_text(json.dumps(state))
        sim.files.rate_limit = None
        result = await download(file, tmp_path / "x.mp4", http=http, refresh=_never, segments=4)
    assert _sha256(tmp_path / "x.mp4") == sha256_of(stored.file_id, BIG) == result.sha256
