"""Downloads from the simulated object store: verified, resumable, never carrying the key."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.recordings import SIZE, make_recording
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core import recordings
from vmrtray.core.catalog import _MIGRATIONS, Catalog
from vmrtray.core.downloads import DownloadError, new_file_session, recording_filename
from vmrtray.sim import DEMO_PUBLIC_KEY, Sim


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    return Catalog(tmp_path / "catalog.sqlite3")


async def _download(api: Client, catalog: Catalog, record_id: str, folder: Path) -> list[recordings.Downloaded]:
    async with new_file_session() as http:
        return await recordings.download_all(api, catalog, record_id, folder, http=http)


async def test_download_is_byte_identical(sim: Sim, api: Client, catalog: Catalog, tmp_path: Path) -> None:
    record_id = await make_recording(sim, api, parts=2)
    results = await _download(api, catalog, record_id, tmp_path / "out")
    expected = sim.recording_info(record_id)["files"]
    assert [r.sha256 for r in results] == [f["sha256"] for f in expected]
    assert [hashlib.sha256(r.path.read_bytes()).hexdigest() for r in results] == [f["sha256"] for f in expected]
    assert all(r.path.name.startswith("研发部会议室_100701_") for r in results)
    assert not list((tmp_path / "out").glob("*.part"))
    assert catalog.entries()[0].downloaded == 2


async def test_no_auth_header_reaches_the_file_origin(sim: Sim, api: Client, catalog: Catalog, tmp_path: Path) -> None:
    record_id = await make_recording(sim, api)
    await _download(api, catalog, record_id, tmp_path)
    file_requests = [h for origin, *_, h in sim.stats.headers if origin == "files"]
    assert file_requests
    assert not any(DEMO_PUBLIC_KEY in str(h) for h in file_requests)
    assert not any("auth" in {k.lower() for k in h} for h in file_requests)


async def test_a_reset_mid_body_resumes_and_fetches_only_the_rest(
    sim: Sim, api: Client, catalog: Catalog, tmp_path: Path
) -> None:
    record_id = await make_recording(sim, api)
    sim.files.reset_after = 1_000_000
    sim.files.rate_limit = 8 * 1024 * 1024  # bytes trickle in, as on a real network, before the break
    results = await _download(api, catalog, record_id, tmp_path)
    assert results[0].sha256 == sim.recording_info(record_id)["files"][0]["sha256"]
    ranges = [h.get("Range") for origin, *_, h in sim.stats.headers if origin == "files"]
    assert len(ranges) == 2
    assert ranges[0] is None
    resumed_at = int(str(ranges[1]).removeprefix("bytes=").rstrip("-"))
    # What the client had read when the connection broke is kept (the RST drops what was
    # still in buffers): the origin then serves exactly the rest, nothing kept twice.
    assert 0 < resumed_at <= 1_000_000
    assert sim.stats.file_bytes == 1_000_000 + (SIZE - resumed_at)


async def test_resume_from_a_part_left_by_an_earlier_run(sim: Sim, api: Client, tmp_path: Path) -> None:
    # core.downloads alone: which name a recording's file gets (and so which part it
    # resumes) is the catalog's to say (core.recordings.place).
    record_id = await make_recording(sim, api)
    (file,) = await api.get_records(record_id)
    from vmrtray.core.downloads import download

    part = tmp_path / "x.mp4.part"
    sim.files.rate_limit = 1024 * 1024
    async with new_file_session() as http:
        first = asyncio.ensure_future(download(file, tmp_path / "x.mp4", http=http, refresh=_never))
        await until(lambda: part.exists() and part.stat().st_size >= 1_000_000, "a third of the file on disk")
        first.cancel()  # the app quits
        await asyncio.gather(first, return_exceptions=True)
        kept = part.stat().st_size
        sim.files.rate_limit = None
        sim.stats.reset()
        result = await download(file, tmp_path / "x.mp4", http=http, refresh=_never)
    assert result.resumed_from == kept
    assert sim.stats.file_bytes == SIZE - kept
    assert result.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]
    assert hashlib.sha256((tmp_path / "x.mp4").read_bytes()).hexdigest() == result.sha256
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.mp4"]  # no part, sidecar or lock left


async def test_a_part_this_version_did_not_describe_starts_over(sim: Sim, api: Client, tmp_path: Path) -> None:
    # A bare .part (an older version's, or put there): which object its bytes are of is not
    # known, so they are not trusted; the file is fetched whole.
    record_id = await make_recording(sim, api)
    (file,) = await api.get_records(record_id)
    from vmrtray.core.downloads import download

    (tmp_path / "x.mp4.part").write_bytes(b"\x01" * 2_000_000)
    sim.files.checksum = "none"
    async with new_file_session() as http:
        result = await download(file, tmp_path / "x.mp4", http=http, refresh=_never)
    assert result.resumed_from == 0
    assert result.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]


async def test_an_expired_link_is_renewed(sim: Sim, api: Client, catalog: Catalog, tmp_path: Path) -> None:
    record_id = await make_recording(sim, api)
    sim.files.ttl = -60  # links handed out now are already expired
    await api.get_records(record_id)
    sim.stats.reset()

    calls = 0
    real = api.get_records

    async def renew_with_a_fresh_ttl(record_id: str, **kw: object) -> list:  # type: ignore[type-arg]
        nonlocal calls
        calls += 1
        if calls > 1:
            sim.files.ttl = 600
        return await real(record_id)

    api.get_records = renew_with_a_fresh_ttl  # type: ignore[method-assign]
    results = await _download(api, catalog, record_id, tmp_path)
    assert calls == 2  # once to list, once to renew after the 403
    assert results[0].sha256 == sim.recording_info(record_id)["files"][0]["sha256"]


async def test_an_origin_without_range_restarts_cleanly(
    sim: Sim, api: Client, catalog: Catalog, tmp_path: Path
) -> None:
    record_id = await make_recording(sim, api)
    sim.files.range_enabled = False
    sim.files.reset_after = 1_500_000
    results = await _download(api, catalog, record_id, tmp_path)
    assert results[0].sha256 == sim.recording_info(record_id)["files"][0]["sha256"]
    assert results[0].path.stat().st_size == SIZE


async def test_a_different_file_in_the_way_is_not_overwritten(
    sim: Sim, api: Client, catalog: Catalog, tmp_path: Path
) -> None:
    record_id = await make_recording(sim, api)
    (file,) = await api.get_records(record_id)
    squatter = tmp_path / recording_filename("研发部会议室", "100701", file.start_time)
    squatter.write_bytes(b"my own notes")
    results = await _download(api, catalog, record_id, tmp_path)
    assert squatter.read_bytes() == b"my own notes"
    assert results[0].path.name.endswith(" (2).mp4")


async def test_a_short_file_is_never_renamed_into_place(
    sim: Sim, api: Client, catalog: Catalog, tmp_path: Path
) -> None:
    record_id = await make_recording(sim, api)
    sim.state.recordings[record_id].files[0].size = SIZE - 10  # the store now holds less than announced
    files = await api.get_records(record_id)
    sim.state.recordings[record_id].files[0].size = SIZE
    from vmrtray.core.downloads import download

    async with new_file_session() as http:
        with pytest.raises(DownloadError):
            await download(files[0], tmp_path / "x.mp4", http=http, refresh=lambda: _never())
    assert not (tmp_path / "x.mp4").exists()


async def _never() -> str:
    raise AssertionError("no refresh expected")


@pytest.mark.parametrize(
    "room_name",
    ["../../etc/passwd", "CON", "x" * 300, "line\nbreak\tand tab", "a/b\\c:d*e?f", "..", ""],
)
def test_hostile_room_names_give_safe_file_names(room_name: str) -> None:
    name = recording_filename(room_name, "100701", datetime(2026, 11, 29, 9, 30, 5))
    assert "/" not in name
    assert "\\" not in name
    assert "\n" not in name
    assert not name.startswith(".")
    assert name.endswith("_2026-11-29_093005.mp4")
    assert len(name.encode()) <= 200
    assert name.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}


def test_a_file_name_has_no_control_or_bidi_characters() -> None:
    """pathvalidate keeps U+202E (the name would read reversed in a file manager and in
    vmrctl's line that names it), and ESC, BEL or a line separator would reach a terminal."""
    name = recording_filename(
        "研发部\u202e会议室\x1b]0;PWN\x07\n\u2028第二行\u200b", "100701", datetime(2026, 11, 29, 9, 30, 5)
    )
    assert name == "研发部会议室]0;PWN 第二行_100701_2026-11-29_093005.mp4"


async def test_downloads_are_known_to_the_catalog_after_reopening(sim: Sim, api: Client, tmp_path: Path) -> None:
    record_id = await make_recording(sim, api)
    first = Catalog(tmp_path / "c.sqlite3")
    await _download(api, first, record_id, tmp_path / "out")
    first.close()
    again = Catalog(tmp_path / "c.sqlite3")
    (entry,) = again.entries()
    assert (entry.record_id, entry.files, entry.downloaded, entry.total_size) == (record_id, 1, 1, SIZE)
    assert again.version == len(_MIGRATIONS)


def test_a_catalog_of_the_first_version_is_migrated_keeping_its_downloads(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(f"BEGIN; {_MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;")
    db.execute("INSERT INTO recordings VALUES ('r1', '100701', 'opened', '2026-11-01T00:00:00+00:00', 0)")
    db.execute(
        "INSERT INTO files VALUES ('r1', 0, '100701', '2026-11-01T08:00:00+08:00', NULL, 10, 'http://x', "
        "'2026-11-01T00:00:00+00:00', '/tmp/a.mp4', 'abc')"
    )
    db.execute(
        "INSERT INTO files VALUES ('r1', 1, '100701', '2026-11-01T08:30:00+08:00', NULL, 20, 'http://y', "
        "'2026-11-01T00:00:00+00:00', NULL, NULL)"
    )
    db.commit()
    db.close()
    catalog = Catalog(path)
    assert catalog.version == len(_MIGRATIONS)
    assert [(f.state, f.bytes_done) for f in catalog.files("r1")] == [("done", 10), ("cloud", 0)]
    (entry,) = catalog.entries()
    assert (entry.downloaded, entry.files, entry.states) == (1, 2, frozenset({"done", "cloud"}))


async def test_wrong_key_cannot_list_files(sim: Sim) -> None:
    async with Client(sim.url, "800") as other_tenant:
        assert await other_tenant.get_records("no-such-id") == []
