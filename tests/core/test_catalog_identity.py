"""What the catalog says of a downloaded file: whose it is, and whether this app vouches for it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from vmrtray.api import RecordFile
from vmrtray.core.catalog import _MIGRATIONS, Catalog, Source


def _files(record_id: str, *sizes: int) -> list[RecordFile]:
    return [
        RecordFile.model_validate(
            {
                "recordId": record_id,
                "conferenceKey": "100701",
                "startTime": datetime(2026, 12, 1, 9, 0, tzinfo=UTC).isoformat(),
                "fileSize": size,
                "downUrl": f"https://files.invalid/{record_id}/{n}",
            }
        )
        for n, size in enumerate(sizes)
    ]


def test_a_name_one_file_holds_is_not_given_to_another(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    catalog.set_files("rec-a", _files("rec-a", 10))
    catalog.set_files("rec-b", _files("rec-b", 10))
    name = tmp_path / "Room_100701_2026-12-01_090000.mp4"
    assert catalog.claim_target("rec-a", 0, name)
    assert catalog.claim_target("rec-a", 0, name)  # its own again: still its own
    assert not catalog.claim_target("rec-b", 0, name)
    assert catalog.holder_of(name) == ("rec-a", 0)
    catalog.mark_downloaded("rec-a", 0, name, "ab" * 32, verified=True)
    catalog.set_state("rec-a", 0, "done", target=tmp_path / "elsewhere.mp4")
    assert not catalog.claim_target("rec-b", 0, name)  # its downloaded copy is there
    assert catalog.holder_of(tmp_path / "unknown.mp4") is None


def test_only_a_recording_whose_every_file_this_app_fetched_is_vouched_for(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    catalog.set_files("rec-a", _files("rec-a", 10, 20))
    assert not catalog.verified_whole("rec-a")
    catalog.mark_downloaded("rec-a", 0, tmp_path / "a0", "00" * 32, verified=True)
    assert not catalog.verified_whole("rec-a")  # one file still in the cloud
    catalog.mark_downloaded("rec-a", 1, tmp_path / "a1", "11" * 32, verified=False)
    assert not catalog.verified_whole("rec-a")  # one only recognised, not fetched here
    assert [row.verified for row in catalog.files("rec-a")] == [True, False]
    catalog.mark_downloaded("rec-a", 1, tmp_path / "a1", "11" * 32, verified=True)
    assert catalog.verified_whole("rec-a")
    assert not catalog.verified_whole("rec-unknown")


def test_files_downloaded_before_the_upgrade_are_kept_but_not_vouched_for(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    old = sqlite3.connect(path, isolation_level=None)
    for script in _MIGRATIONS[:3]:
        old.executescript(script)
    old.execute(f"PRAGMA user_version = {3}")
    old.execute(
        "INSERT INTO recordings (record_id, room, source, first_seen) VALUES ('rec-a', '100701', 'seen', '2026-12-01')"
    )
    old.execute(
        "INSERT INTO files (record_id, idx, conference_key, start_time, file_size, down_url, fetched_at, local_path,"
        " sha256, state) VALUES ('rec-a', 0, '100701', '2026-12-01T09:00:00+00:00', 10, 'https://x.invalid/a',"
        " '2026-12-01', '/tmp/a.mp4', '0123', 'done')"
    )
    old.close()
    catalog = Catalog(path)
    assert catalog.version == len(_MIGRATIONS)
    (row,) = catalog.files("rec-a")
    assert (row.state, row.sha256, row.verified) == ("done", "0123", False)
    assert not catalog.verified_whole("rec-a")
    catalog.add("rec-b", room="100701", source=Source.SEEN)
    assert {e.record_id for e in catalog.entries()} == {"rec-a", "rec-b"}
