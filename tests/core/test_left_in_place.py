"""A file its own download moved into place just before a kill, the catalog not yet told: what
the next start finds at the name claimed for it (the on-disk state a kill leaves, built here;
tests/cli/test_download_kill_placed.py kills a real `vmrctl watch` there)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from vmrtray.core.targets import Found, Known, inspect, part_of

BYTES = b"recorded " * 1000


def _left(tmp_path: Path, data: bytes = BYTES) -> Path:
    target = tmp_path / "Room_100701_2026-12-01_090000.mp4"
    target.write_bytes(data)
    return target


def test_the_file_at_its_claimed_name_with_no_part_and_its_size_is_its_own(tmp_path: Path) -> None:
    target = _left(tmp_path)
    assert inspect(target, Known(str(target), None, None, len(BYTES))) is Found.LEFT


def test_with_the_sha256_the_catalog_knows_the_bytes_must_match_it(tmp_path: Path) -> None:
    target = _left(tmp_path)
    known = hashlib.sha256(BYTES).hexdigest()
    earlier = str(tmp_path / "moved-away.mp4")  # downloaded before, elsewhere: its sha256 is known
    assert inspect(target, Known(str(target), earlier, known, len(BYTES))) is Found.LEFT
    other = _left(tmp_path, b"R" + BYTES[1:])  # same size, other bytes
    assert inspect(other, Known(str(other), earlier, known, len(BYTES))) is Found.TAKEN


def test_anything_else_at_the_name_is_not_taken_for_it(tmp_path: Path) -> None:
    target = _left(tmp_path)
    assert inspect(target, Known(str(target), None, None, len(BYTES) + 1)) is Found.TAKEN  # another size
    assert inspect(target, Known(str(tmp_path / "x.mp4"), None, None, len(BYTES))) is Found.TAKEN  # not its name
    assert inspect(target, Known(None, None, None, len(BYTES))) is Found.TAKEN  # never claimed
    part_of(target).write_bytes(b"")  # a part beside it: the download was not over
    assert inspect(target, Known(str(target), None, None, len(BYTES))) is Found.TAKEN
