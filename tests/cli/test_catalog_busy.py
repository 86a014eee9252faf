"""vmrctl against a catalog another process keeps locked: one sentence and exit 5, not an
internal error, and the catalog is not set aside as damaged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.catalogs import LOCKER
from tests.support.cli import Vmrctl
from vmrtray.cli.exits import Exit
from vmrtray.core.catalog import Catalog, Source


def test_a_locked_catalog_is_busy_exit_5_and_kept(vmrctl: Vmrctl) -> None:
    path = Path(vmrctl.env["VMRTRAY_DATA_DIR"]) / "catalog.sqlite3"
    first = Catalog(path)
    first.add("rec-1", room="100701", source=Source.SEEN)
    first.close()
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path), "exclusive"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert locker.stdout is not None
    assert locker.stdin is not None
    try:
        assert locker.stdout.readline().strip() == "locked"
        busy = vmrctl("recordings", "list")
    finally:
        locker.stdin.close()
        locker.wait(timeout=30)
    assert busy.returncode == Exit.FAILURE, busy.stderr
    assert busy.stderr.strip() == (
        "vmrctl: The recordings catalog (catalog.sqlite3) is busy in another vmrtray or vmrctl; try again in a moment."
    )
    assert [p.name for p in path.parent.iterdir() if "damaged" in p.name] == []
    listed = vmrctl("recordings", "list")
    assert listed.returncode == 0
    assert "rec-1" in listed.stdout
