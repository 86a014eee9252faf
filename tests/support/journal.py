"""The pending-bookings journal as a test reads it, and time passing for its entries."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

FILE = "pending-bookings.json"  # core.pending.FILE; core is imported where used, so that these
# helpers load against older code too (the tests of issue 13 are run against it once)


def entries(folder: Path) -> list[dict[str, Any]]:
    path = folder / FILE
    return json.loads(path.read_text("utf-8")) if path.exists() else []


def states(folder: Path) -> list[str]:
    return [str(e.get("state")) for e in entries(folder)]


def in_flight_over(folder: Path) -> bool:
    """Every entry's last create is past the time the service could still carry it out."""
    from vmrtray.core.bookings import in_flight_until

    now = datetime.now(UTC)
    for entry in entries(folder):
        if entry.get("sent") and in_flight_until(datetime.fromisoformat(entry["sent"]), entry.get("timeout")) > now:
            return False
    return True


def age(folder: Path) -> None:
    """As if every create in the journal had been sent long ago (no process may hold it: the
    tests call this between runs)."""
    from vmrtray.core.bookings import IN_FLIGHT_MARGIN

    path = folder / FILE
    old = datetime.now(UTC) - IN_FLIGHT_MARGIN - timedelta(hours=1)
    aged = [{**e, "sent": old.isoformat()} if e.get("sent") else e for e in entries(folder)]
    path.write_text(json.dumps(aged), "utf-8")


def start_passed(folder: Path) -> None:
    """As if every request's start had passed (between runs, like `age`)."""
    path = folder / FILE
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    moved = [{**e, "request": {**e["request"], "start": past}} for e in entries(folder)]
    path.write_text(json.dumps(moved), "utf-8")


def eventually(condition: Callable[[], object], what: str) -> None:
    """Wait (in a test that is not async) for `condition`; the deadline guards a hang only."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)
