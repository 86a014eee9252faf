"""The catalog shared by the tray and vmrctl: first starts at once, another process holding it
locked, and who may read it (every signed download link is in it)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.catalogs import locked
from vmrtray.core.catalog import _MIGRATIONS, Catalog, Source
from vmrtray.core.errors import CatalogBusy

ROOT = Path(__file__).resolve().parents[2]

#: Waits for a line on stdin before opening the catalog, so several start at the same moment.
OPENER = """
import sys
from pathlib import Path
from vmrtray.core.catalog import Catalog
sys.stdin.readline()
catalog = Catalog(Path(sys.argv[1]))
catalog.add("rec-" + sys.argv[2], room="100701", source="seen")
print(catalog.version)
"""


def _start_together(path: Path, count: int) -> list[subprocess.CompletedProcess[str]]:
    openers = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER, str(path), str(n)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for n in range(count)
    ]
    for opener in openers:  # each is waiting on its stdin with its imports done or nearly
        assert opener.stdin is not None
        opener.stdin.write("go\n")
        opener.stdin.flush()
    results = []
    for opener in openers:
        out, err = opener.communicate(timeout=60)
        results.append(subprocess.CompletedProcess(opener.args, opener.returncode, out, err))
    return results


def test_four_first_starts_at_once_on_a_fresh_folder_all_open_it(tmp_path: Path) -> None:
    for run in range(8):  # the old code failed about one run in two
        path = tmp_path / f"run{run}" / "catalog.sqlite3"
        results = _start_together(path, 4)
        failed = [r.stderr.strip().splitlines()[-1] for r in results if r.returncode != 0]
        assert not failed, f"run {run}: {failed}"
        assert {r.stdout.strip() for r in results} == {str(len(_MIGRATIONS))}
        assert len(Catalog(path).entries()) == 4


def test_a_catalog_another_process_keeps_locked_is_busy_in_one_sentence_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    Catalog(path).add("rec-1", room="100701", source=Source.SEEN)
    catalog = Catalog(path, busy_wait=0.2)
    with locked(path):
        with pytest.raises(CatalogBusy) as busy:
            catalog.add("rec-2", room="100701", source=Source.SEEN)
        assert busy.value.describe() == (
            "The recordings catalog (catalog.sqlite3) is busy in another vmrtray or vmrctl; try again in a moment."
        )
        assert "另一个 vmrtray 或 vmrctl" in busy.value.describe("zh")
        assert [e.record_id for e in catalog.entries()] == ["rec-1"]  # reading still works (WAL)
    catalog.add("rec-2", room="100701", source=Source.SEEN)  # and writing once it is free
    assert {e.record_id for e in catalog.entries()} == {"rec-1", "rec-2"}


def test_a_catalog_locked_even_for_reading_is_busy_not_damaged(tmp_path: Path) -> None:
    """A healthy catalog that cannot be read for a moment is never set aside as damaged."""
    path = tmp_path / "catalog.sqlite3"
    first = Catalog(path)
    first.add("rec-1", room="100701", source=Source.SEEN)
    first.close()
    with locked(path, "exclusive"), pytest.raises(CatalogBusy):
        Catalog(path, busy_wait=0.2)
    assert [p.name for p in tmp_path.iterdir() if "damaged" in p.name] == []
    assert [e.record_id for e in Catalog(path).entries()] == ["rec-1"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_catalog_is_readable_by_its_user_alone(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    Catalog(folder / "catalog.sqlite3").add("rec-1", room="100701", source=Source.SEEN)
    for name in ("catalog.sqlite3", "catalog.sqlite3-wal", "catalog.sqlite3-shm"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_catalog_an_older_version_left_readable_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    Catalog(path).close()
    path.chmod(0o644)
    Catalog(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


#: Starts at one moment of the wall clock (argv[3]), spinning until then: closer together than a
#: line on stdin can start them.
AT_ONCE = """
import sys, time
from pathlib import Path
from vmrtray.core.catalog import Catalog
while time.time() < float(sys.argv[3]):
    pass
catalog = Catalog(Path(sys.argv[1]))
catalog.add("rec-" + sys.argv[2], room="100701", source="seen")
print(catalog.version)
"""


def test_a_damaged_catalog_met_by_first_starts_at_once_is_set_aside_once(tmp_path: Path) -> None:
    """Each start used to check and set aside on its own: one set aside the catalog another had
    just begun, and the damaged original was overwritten (or a start failed outright)."""
    damaged = b"this is not a database" * 300
    for run in range(6):  # the code before failed in the first run here
        path = tmp_path / f"run{run}" / "catalog.sqlite3"
        path.parent.mkdir()
        path.write_bytes(damaged)
        at = time.time() + 1.5  # time enough for four interpreters to import
        starts = [
            subprocess.Popen(
                [sys.executable, "-c", AT_ONCE, str(path), str(n), str(at)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            for n in range(4)
        ]
        results = []
        for start in starts:
            out, err = start.communicate(timeout=60)
            results.append(subprocess.CompletedProcess(start.args, start.returncode, out, err))
        failed = [r.stderr.strip().splitlines()[-1] for r in results if r.returncode != 0]
        assert not failed, f"run {run}: {failed}"
        asides = [p for p in path.parent.iterdir() if ".damaged-" in p.name and p.suffix != ".lock"]
        assert [p.read_bytes() for p in asides if not p.name.endswith(("-wal", "-shm"))] == [damaged], run
        assert len(Catalog(path).entries()) == 4, run  # every start's entry in the one new catalog
