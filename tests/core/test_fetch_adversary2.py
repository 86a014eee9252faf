"""Issue 13, what a second adversary found in the download code after the second round of fixes.

1, 2. No validator at all confirms nothing: a planted part of zeros with a sidecar of nulls was
      "verified" when the store's 206s carry no validators, and a `--segments` resume spliced
      two versions of a replaced object (None == None compared equal).
4.    "Verified" (what lets auto-delete remove a recording from the cloud) was said of a part
      whole on arrival that only a one-byte probe without a CRC-64 had "confirmed": its bytes
      were never checked by anyone (`Downloaded.vouched`).
10a.  Segments meeting `bytes a-b/*` on a segment's answer, after a probe with a numeric
      total, refused the download; now it comes in one stream.
10b.  On Windows the no-hard-link fallback moves with os.rename, which refuses to replace.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web

from tests.support.recordings import SIZE, make_recording
from tests.support.waiting import until
from vmrtray.api import Client, RecordFile
from vmrtray.core import transfer
from vmrtray.core.catalog import Catalog
from vmrtray.core.download_queue import DownloadQueue, State
from vmrtray.core.downloads import SEGMENT_MIN, DownloadError, download, new_file_session
from vmrtray.core.recordings import listing, name_in
from vmrtray.core.targets import part_of
from vmrtray.core.transfer import move_into_place
from vmrtray.sim import Sim, sha256_of
from vmrtray.sim.files import content, crc64_of
from vmrtray.sim.state import SimFile

BIG = SEGMENT_MIN + 4096
NULLS = {"etag": None, "lastModified": None, "crc": None}


async def _file(sim: Sim, api: Client, size: int) -> tuple[RecordFile, SimFile]:
    record_id = await make_recording(sim, api, size=size)
    (file,) = await api.get_records(record_id)
    return file, sim.state.recordings[record_id].files[0]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def _never() -> str:
    raise AssertionError("no refresh expected")


def _plant(folder: Path, size: int, data: bytes, segments: int, validators: dict[str, object]) -> None:
    """A whole `.part` and a sidecar that says every byte of it is in."""
    (folder / "x.mp4.part").write_bytes(data)
    if segments == 1:
        (folder / "x.mp4.part.meta").write_text(json.dumps({"size": size, **validators}))
    else:
        sidecar = {"size": size, **validators, "segments": [[0, size, size]]}
        (folder / "x.mp4.part.segments").write_text(json.dumps(sidecar))


# -- 1, 2. no validator at all confirms nothing ----------------------------------------------------


@pytest.mark.parametrize("segments", [1, 4])
async def test_a_planted_part_with_no_validators_from_a_store_whose_206s_carry_none_is_fetched_again(
    sim: Sim, api: Client, tmp_path: Path, segments: int
) -> None:
    file, stored = await _file(sim, api, BIG)
    sim.files.range_validators = False  # ETag, date and CRC-64 on 200s only: the probe's 206 has none
    _plant(tmp_path, BIG, bytes(BIG), segments, NULLS)  # zeros, written (no holes): not the recording
    async with new_file_session() as http:
        result = await download(file, tmp_path / "x.mp4", http=http, refresh=_never, segments=segments)
    assert _sha256(tmp_path / "x.mp4") == sha256_of(stored.file_id, BIG) == result.sha256
    assert result.resumed_from == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.mp4"]


async def test_segments_of_an_object_replaced_while_paused_are_not_spliced_when_206s_carry_no_validators(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    file, stored = await _file(sim, api, BIG)
    sim.files.checksum = "none"  # nothing but validators could tell the versions apart...
    sim.files.range_validators = False  # ...and the 206s (the probe's too) carry none
    sim.files.rate_limit = 8 * 1024 * 1024  # per connection: slow enough to stop halfway
    async with new_file_session() as http:
        first = asyncio.ensure_future(download(file, tmp_path / "x.mp4", http=http, refresh=_never, segments=4))
        await until(lambda: sim.stats.file_bytes >= BIG // 2, "half the file served")
        first.cancel()  # the app quits
        await asyncio.gather(first, return_exceptions=True)
        assert (tmp_path / "x.mp4.part.segments").exists()
        sim.files.replace(stored)  # re-uploaded meanwhile, same size
        sim.files.rate_limit = None
        result = await download(file, tmp_path / "x.mp4", http=http, refresh=_never, segments=4)
    new_version = sha256_of(sim.files.key_of(stored), BIG)
    assert new_version != sha256_of(stored.file_id, BIG)
    assert _sha256(tmp_path / "x.mp4") == new_version == result.sha256
    assert result.resumed_from == 0


# -- 4. only what this app fetched or checked itself is vouched for ----------------------------------


@pytest.mark.parametrize("segments", [1, 4])
@pytest.mark.parametrize("checksum", ["none", "right"])
async def test_a_part_whole_on_arrival_is_vouched_for_only_by_the_stores_crc(
    sim: Sim, api: Client, tmp_path: Path, segments: int, checksum: str
) -> None:
    file, stored = await _file(sim, api, BIG)
    sim.files.checksum = checksum
    etag, modified = sim.files.validators(stored)
    crc = None if checksum == "none" else crc64_of(stored.file_id, BIG)
    _plant(tmp_path, BIG, content(stored.file_id, BIG), segments, {"etag": etag, "lastModified": modified, "crc": crc})
    async with new_file_session() as http:
        result = await download(file, tmp_path / "x.mp4", http=http, refresh=_never, segments=segments)
    assert result.resumed_from == BIG  # kept: the probe confirmed the object
    assert result.vouched is (checksum == "right")  # but without a CRC-64 no byte of it was checked


async def test_a_file_fetched_whole_in_this_download_is_vouched_for_without_a_crc(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    file, stored = await _file(sim, api, SIZE)
    sim.files.checksum = "none"
    async with new_file_session() as http:
        result = await download(file, tmp_path / "x.mp4", http=http, refresh=_never)
    assert result.sha256 == sha256_of(stored.file_id, SIZE)
    assert result.resumed_from == 0
    assert result.vouched


async def test_a_damaged_part_from_a_store_without_crc_never_gets_the_recording_deleted(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    # A store that sends no CRC-64 (S3-like). The part is whole on arrival and its sidecar has
    # the store's real validators, as this app's own earlier run wrote it; but its last MiB is
    # zeros (what a power loss before the fsync leaves). The one-byte probe matches; the bytes
    # are kept, but nothing checked them: the recording must stay in the cloud.
    sim.files.checksum = "none"
    record_id = await make_recording(sim, api, size=SIZE)
    stored = sim.state.recordings[record_id].files[0]
    etag, modified = sim.files.validators(stored)
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    out = tmp_path / "out"
    out.mkdir()
    target = name_in(out, await listing(api, catalog, record_id), 0)
    assert catalog.claim_target(record_id, 0, target)
    part = part_of(target)
    part.write_bytes(content(stored.file_id, SIZE)[: SIZE - 1_048_576] + bytes(1_048_576))
    meta = {"size": SIZE, "etag": etag, "lastModified": modified, "crc": None}
    part.with_name(part.name + ".meta").write_text(json.dumps(meta))
    async with new_file_session() as http:
        queue = DownloadQueue(api, catalog, http, lambda: out, tick=0.01, auto_delete=lambda: True)
        queue.settle = 0.0  # the test's time only: a list of files is taken as settled at once
        (transfer,) = await queue.add(record_id)
        await until(lambda: transfer.state in (State.DONE, State.FAILED), "the queue finished")
        await queue.aclose()  # waits for the finished task: the opt-in's decision is made
    assert transfer.state == State.DONE  # the file is kept (its bytes cannot be told wrong)...
    assert not sim.recording_info(record_id)["deleted"]  # ...but the recording stays in the cloud
    assert not catalog.verified_whole(record_id)  # (not written down as checked by this app)
    catalog.close()


# -- 10a. a segment's answer that hides the total after a probe that gave it ------------------------


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@contextlib.asynccontextmanager
async def _store(serve: Handler, size: int) -> AsyncIterator[RecordFile]:
    """A store the simulator cannot be made into, served by a small aiohttp server on loopback."""
    app = web.Application()
    app.router.add_get("/f", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    described = {
        "recordId": "r",
        "conferenceKey": "100701",
        "startTime": "2026-12-01 10:00:00",
        "fileSize": size,
        "downUrl": f"http://127.0.0.1:{port}/f",
    }
    try:
        yield RecordFile.model_validate(described)
    finally:
        await runner.cleanup()


def _span(asked: str, size: int) -> tuple[int, int]:
    first, _, last = asked.removeprefix("bytes=").partition("-")
    return int(first), int(last) if last else size - 1


async def test_segments_meeting_an_unknown_total_after_the_probe_finish_in_one_stream(tmp_path: Path) -> None:
    # The simulator's 206s all say `/*` or all say the total; a store (or a CDN) answering the
    # one-byte probe with the total and the segments with `*` is served here, for that reason only.
    data = (hashlib.sha256(b"y").digest() * (BIG // 32 + 1))[:BIG]
    ranges: list[str | None] = []

    async def serve(request: web.Request) -> web.StreamResponse:
        asked = request.headers.get("Range")
        ranges.append(asked)
        if not asked:
            return web.Response(body=data, headers={"ETag": '"v1"'})
        a, b = _span(asked, BIG)
        total = BIG if (a, b) == (0, 0) else "*"
        return web.Response(
            status=206, body=data[a : b + 1], headers={"ETag": '"v1"', "Content-Range": f"bytes {a}-{b}/{total}"}
        )

    async with _store(serve, BIG) as file, new_file_session() as http:
        result = await download(file, tmp_path / "x.mp4", http=http, refresh=_never, segments=4)
    assert result.sha256 == hashlib.sha256(data).hexdigest() == _sha256(tmp_path / "x.mp4")
    assert None in ranges  # the whole object was asked for, its length checked
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.mp4"]


async def test_one_stream_from_a_store_with_no_validators_at_all_is_not_spliced(tmp_path: Path) -> None:
    # A store with no ETag, Last-Modified or CRC-64 on any answer (the simulator always puts
    # them on its 200s: served here for that reason). The first answer breaks halfway and the
    # object is replaced; a Range resume could not tell the new object's 206 from the old one's.
    old, new = (hashlib.sha256(v).digest() * (SIZE // 32 + 1) for v in (b"old", b"new"))
    versions = [old[:SIZE], new[:SIZE]]
    ranges: list[str | None] = []

    async def serve(request: web.Request) -> web.StreamResponse:
        asked = request.headers.get("Range")
        ranges.append(asked)
        data = versions[min(len(ranges) - 1, 1)]
        a, b = _span(asked, SIZE) if asked else (0, SIZE - 1)
        headers = {"Content-Length": str(b + 1 - a)}
        if asked:
            headers["Content-Range"] = f"bytes {a}-{b}/{SIZE}"
        response = web.StreamResponse(status=206 if asked else 200, headers=headers)
        await response.prepare(request)
        if len(ranges) == 1:  # the first answer: half of the old version, then the link breaks
            await response.write(data[: SIZE // 2])
            assert request.transport is not None
            request.transport.close()  # a clean close (a reset could drop the half unread)
            return response
        await response.write(data[a : b + 1])
        await response.write_eof()
        return response

    async with _store(serve, SIZE) as file, new_file_session() as http:
        result = await download(file, tmp_path / "x.mp4", http=http, refresh=_never)
    assert _sha256(tmp_path / "x.mp4") == hashlib.sha256(versions[1]).hexdigest() == result.sha256
    assert ranges == [None, None]  # nothing to confirm a resume with: all of it again
    assert result.resumed_from == 0


async def test_a_planted_part_of_zeros_at_the_queues_name_is_fetched_again_before_any_delete(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    # The queue with auto-delete on, a store whose 206s carry no validators, and at the name
    # the queue uses a whole part of zeros with a sidecar of nulls: the recording may go from
    # the cloud only once the file on disk is the recording.
    sim.files.range_validators = False
    record_id = await make_recording(sim, api, size=SIZE)
    stored = sim.state.recordings[record_id].files[0]
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    out = tmp_path / "out"
    out.mkdir()
    target = name_in(out, await listing(api, catalog, record_id), 0)
    assert catalog.claim_target(record_id, 0, target)  # as an earlier, interrupted run left it
    part = part_of(target)
    part.write_bytes(bytes(SIZE))
    part.with_name(part.name + ".meta").write_text(json.dumps({"size": SIZE, **NULLS}))
    async with new_file_session() as http:
        queue = DownloadQueue(api, catalog, http, lambda: out, tick=0.01, auto_delete=lambda: True)
        queue.settle = 0.0  # the test's time only: a list of files is taken as settled at once
        (transfer,) = await queue.add(record_id)
        await until(lambda: transfer.state in (State.DONE, State.FAILED), "the queue finished")
        await queue.aclose()
    assert _sha256(target) == sha256_of(stored.file_id, SIZE)  # the recording, not the zeros
    assert sim.recording_info(record_id)["deleted"]  # fetched whole by this download: vouched for
    catalog.close()


# -- 10b. Windows: the no-hard-link fallback never replaces ------------------------------------------


def test_on_windows_a_file_appearing_at_the_target_is_not_replaced_without_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Neither Windows nor a FAT32/exFAT volume can be had here, so Windows is played: os.link
    # fails as Windows says it on such a volume (EINVAL), os.rename refuses an existing target
    # as Windows' does, renameat2 is not there, and the existence check is made to miss the
    # file, as when it appears right after the check. Only the rename itself may refuse it.
    part, target = tmp_path / "x.mp4.part", tmp_path / "x.mp4"
    part.write_bytes(b"downloaded")
    target.write_bytes(b"someone else's")
    real_rename = os.rename

    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EINVAL, "Incorrect function")

    def windows_rename(source: Path, destination: Path) -> None:
        if os.path.exists(destination):
            raise FileExistsError(errno.EEXIST, "Cannot create a file when that file already exists")
        real_rename(source, destination)

    monkeypatch.setattr(transfer, "WINDOWS", True)
    monkeypatch.setattr(transfer, "_renameat2_call", None)
    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setattr(os, "rename", windows_rename)
    monkeypatch.setattr(os.path, "lexists", lambda path: False)
    with pytest.raises(DownloadError, match="appeared"):
        move_into_place(part, target)
    monkeypatch.undo()
    assert target.read_bytes() == b"someone else's"
    assert part.read_bytes() == b"downloaded"
