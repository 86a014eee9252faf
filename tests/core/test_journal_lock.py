"""The pending-bookings journal across processes: every read-modify-write holds its lock,
so entries written at the same time by several processes are all kept (issue 13)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.cli import ROOT
from vmrtray.core.pending import FILE
from vmrtray.sim import DEMO_ACCOUNT

WRITERS, EACH = 4, 15

ADD = f"""
import sys
from datetime import datetime, timedelta
from pathlib import Path
from vmrtray.api import BookingRequest
from vmrtray.core.pending import PendingBookings

folder, name = Path(sys.argv[1]), sys.argv[2]
journal = PendingBookings(folder, "http://127.0.0.1:1", sys.argv[3])
start = datetime.now().astimezone() + timedelta(days=2)
sys.stdin.readline()  # all start together
for i in range({EACH}):
    request = BookingRequest(account=sys.argv[3], theme=f"{{name}}-{{i}}", start=start, end=start + timedelta(hours=1))
    journal.add(request, datetime.now().astimezone())
"""


def test_entries_added_by_processes_at_once_are_all_kept(tmp_path: Path) -> None:
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", ADD, str(tmp_path), f"w{n}", DEMO_ACCOUNT],
            stdin=subprocess.PIPE,
            cwd=ROOT,
            text=True,
        )
        for n in range(WRITERS)
    ]
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        writer.stdin.close()  # type: ignore[union-attr]
        assert writer.wait(timeout=60) == 0
    themes = sorted(e["request"]["theme"] for e in json.loads((tmp_path / FILE).read_text("utf-8")))
    assert themes == sorted(f"w{n}-{i}" for n in range(WRITERS) for i in range(EACH))
