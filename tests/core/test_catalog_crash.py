"""The recordings catalog survives a process killed mid-write, and a damaged file is set
aside for a fresh one instead of stopping the app."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from vmrtray.core.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import sys
from pathlib import Path
from vmrtray.core.catalog import Catalog
catalog = Catalog(Path(sys.argv[1]))
n = 0
while True:
    catalog.add(f"rec-{n}", room="100701", source="seen")
    catalog.set_room_name(f"rec-{n}", f"Room {n}")
    print(n, flush=True)
    n += 1
"""


def test_a_kill_mid_write_loses_nothing_written(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=os.environ
    )
    assert writer.stdout is not None
    last = -1
    for line in writer.stdout:
        last = int(line)
        if last >= 300:
            break
    writer.send_signal(signal.SIGKILL)  # in the middle of its next writes
    writer.wait()
    catalog = Catalog(path)
    assert catalog.set_aside is None
    known = {e.record_id for e in catalog.entries()}
    assert {f"rec-{n}" for n in range(last + 1)} <= known  # every write it said was done
    catalog.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_damaged_catalog_is_set_aside_and_a_new_one_begins(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    Catalog(path).close()
    damaged = b"SQLite format 3\x00" + os.urandom(8192)
    path.write_bytes(damaged)
    catalog = Catalog(path)
    assert catalog.set_aside is not None
    assert catalog.set_aside.read_bytes() == damaged  # kept, for whoever wants to look
    assert catalog.entries() == []
    catalog.add("rec-1", room="100701", source="user")
    assert [e.record_id for e in catalog.entries()] == ["rec-1"]
    catalog.close()
