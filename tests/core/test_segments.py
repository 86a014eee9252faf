"""Large files in parallel Range segments, and the store's CRC-64 checked on every download."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from tests.support.recordings import SIZE, make_recording
from vmrtray.api import Client
from vmrtray.core import recordings
from vmrtray.core.catalog import Catalog
from vmrtray.core.downloads import SEGMENT_MIN, DownloadError, new_file_session
from vmrtray.sim import Sim

BIG = SEGMENT_MIN + 5 * 1024 * 1024 + 4321


async def _download(
    api: Client, catalog: Catalog, record_id: str, folder: Path, segments: int = 4
) -> list[recordings.Downloaded]:
    async with new_file_session() as http:
        return await recordings.download_all(api, catalog, record_id, folder, http=http, segments=segments)


def _file_requests(sim: Sim) -> list[dict[str, str]]:
    return [h for origin, *_, h in sim.stats.headers if origin == "files"]


async def test_a_large_file_comes_in_parallel_segments_byte_identical(sim: Sim, api: Client, tmp_path: Path) -> None:
    record_id = await make_recording(sim, api, size=BIG)
    catalog = Catalog(tmp_path / "c.sqlite3")
    (result,) = await _download(api, catalog, record_id, tmp_path / "out")
    expected = sim.recording_info(record_id)["files"][0]["sha256"]
    assert result.sha256 == expected
    assert hashlib.sha256(result.path.read_bytes()).hexdigest() == expected
    ranges = [h.get("Range") for h in _file_requests(sim)]
    assert ranges[0] == "bytes=0-0"
    assert len(ranges) == 5
    assert sim.stats.file_bytes == BIG + 1  # every byte once (and the probe's one)
    assert not list((tmp_path / "out").glob("*.part*"))


async def test_an_interrupted_segmented_download_resumes_each_segment(sim: Sim, api: Client, tmp_path: Path) -> None:
    record_id = await make_recording(sim, api, size=BIG)
    catalog = Catalog(tmp_path / "c.sqlite3")
    sim.files.rate_limit = 8 * 1024 * 1024  # per connection: slow enough to stop halfway
    folder = tmp_path / "out"
    first = asyncio.ensure_future(_download(api, catalog, record_id, folder))
    while sim.stats.file_bytes < BIG // 2:
        await asyncio.sleep(0.02)
    first.cancel()  # the app quits
    with pytest.raises(asyncio.CancelledError):
        await first
    assert list(folder.glob("*.part.segments"))
    asked_before = len(_file_requests(sim))
    sim.files.rate_limit = None
    (result,) = await _download(api, catalog, record_id, folder)
    assert result.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]
    assert result.resumed_from > BIG // 4
    # the origin is asked for exactly the rest (the first run's handlers may still be
    # winding down, so the ranges asked are counted, not the bytes the sim wrote)
    asked = [h["Range"] for h in _file_requests(sim)[asked_before:]]
    assert asked[0] == "bytes=0-0"  # the resume asks the store first whether the part is of its object
    asked = asked[1:]
    spans = [tuple(int(n) for n in r.removeprefix("bytes=").split("-")) for r in asked]
    assert sum(end - start + 1 for start, end in spans) == BIG - result.resumed_from


async def test_segments_fall_back_to_one_stream_where_range_is_ignored(sim: Sim, api: Client, tmp_path: Path) -> None:
    record_id = await make_recording(sim, api, size=BIG)
    sim.files.range_enabled = False
    (result,) = await _download(api, Catalog(tmp_path / "c.sqlite3"), record_id, tmp_path)
    assert result.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]


@pytest.mark.parametrize("segments", [1, 4])
async def test_a_file_that_does_not_match_the_stores_crc_is_not_kept(
    sim: Sim, api: Client, tmp_path: Path, segments: int
) -> None:
    record_id = await make_recording(sim, api, size=BIG if segments > 1 else SIZE)
    sim.files.checksum = "wrong"  # the object in the store is not what it says it is
    with pytest.raises(DownloadError, match="checksum"):
        await _download(api, Catalog(tmp_path / "c.sqlite3"), record_id, tmp_path, segments=segments)
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("c.sqlite3")] == []  # no part, sidecar, lock


async def test_an_expired_link_mid_segments_is_renewed_once(sim: Sim, api: Client, tmp_path: Path) -> None:
    record_id = await make_recording(sim, api, size=BIG)
    calls = 0
    real = api.get_records

    async def count(record_id: str, **kw: object) -> list:  # type: ignore[type-arg]
        nonlocal calls
        calls += 1
        if calls == 1:
            sim.files.ttl = -60  # the first link is already expired
        else:
            sim.files.ttl = 600
        return await real(record_id)

    api.get_records = count  # type: ignore[method-assign]
    (result,) = await _download(api, Catalog(tmp_path / "c.sqlite3"), record_id, tmp_path)
    assert result.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]
    assert calls == 2
