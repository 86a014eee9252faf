"""Another process holding the recordings catalog locked, as a second vmrtray or vmrctl
(or anything else with SQLite) may."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

#: Holds the catalog's write lock (or, with "exclusive", every lock) until stdin closes.
LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("PRAGMA journal_mode=WAL")
if sys.argv[2] == "exclusive":
    db.execute("PRAGMA locking_mode=EXCLUSIVE")
db.execute("BEGIN IMMEDIATE")
db.execute("CREATE TABLE IF NOT EXISTS held (x)")
db.execute("INSERT INTO held VALUES (1)")
print("locked", flush=True)
sys.stdin.read()
"""


@contextmanager
def locked(path: Path, how: Literal["write", "exclusive"] = "write") -> Iterator[None]:
    """`path` held by another process for the block: its writes ("write") or everything."""
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path), how], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert locker.stdout is not None
    assert locker.stdin is not None
    try:
        assert locker.stdout.readline().strip() == "locked"
        yield
    finally:
        locker.stdin.close()
        locker.wait(timeout=30)
