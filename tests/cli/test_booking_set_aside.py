"""`vmrctl book` with a time past the year 9999 in the service's zone: refused (exit 2)
before anything is journalled. A journal entry that cannot be settled (as such a run left
one before): set aside once, in one sentence, and `vmrctl bookings` and `vmrctl book` go on."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support import journal
from tests.support.cli import SimProcess, Vmrctl, sign_in
from vmrtray.sim import DEMO_ACCOUNT

SET_ASIDE = "could not be read or settled and was set aside"


def _poison(folder: Path, server: str) -> None:
    """The entry `vmrctl book --start "9999-12-31 23:10"` (TZ=UTC) left before it was
    refused: "sending", its owner gone, its create long lost."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    start = datetime(9999, 12, 31, 23, 10, tzinfo=UTC)
    entry = {
        "token": uuid.uuid4().hex,
        "server": server,
        "began": datetime.now(UTC).isoformat(),
        "request": {
            "account": DEMO_ACCOUNT,
            "theme": "y",
            "start": start.isoformat(),
            "end": (start + timedelta(minutes=30)).isoformat(),
            "pid": 3365,
        },
        "owner": {"pid": 1, "host": "gone"},
        "state": "sending",
        "sent": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "timeout": 20.0,
        "before": [],
    }
    (folder / journal.FILE).write_text(json.dumps([entry]), "utf-8")


@pytest.mark.parametrize(
    ("zone", "start"), [("UTC", "9999-12-31 23:10"), ("Europe/Berlin", "9999-12-31 20:00"), ("UTC", "2099-01-01 10:00")]
)
def test_a_start_too_far_ahead_is_refused_before_it_is_journalled(
    vmrctl: Vmrctl, sim_process: SimProcess, zone: str, start: str
) -> None:
    sign_in(vmrctl)
    done = vmrctl("book", "--room", "3365", "--theme", "y", "--start", start, "--minutes", "30", env={"TZ": zone})
    assert done.returncode == 2, done.stderr
    assert "years ahead" in done.stderr
    assert "internal error" not in done.stderr
    assert journal.entries(vmrctl.home / "data") == []
    listed = vmrctl("bookings", env={"TZ": zone})
    assert listed.returncode == 0, listed.stderr


def test_an_entry_that_cannot_be_settled_is_set_aside_once_and_breaks_nothing(
    vmrctl: Vmrctl, sim_process: SimProcess
) -> None:
    sign_in(vmrctl)
    data = vmrctl.home / "data"
    _poison(data, sim_process.url)

    listed = vmrctl("bookings")
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr.count(SET_ASIDE) == 1
    assert len(listed.stderr.strip().splitlines()) == 1  # one sentence, nothing else
    (aside,) = data.glob("pending-bookings.set-aside-*.json")  # kept
    assert str(aside) in listed.stderr
    assert journal.entries(data) == []

    again = vmrctl("bookings")
    assert again.returncode == 0, again.stderr
    assert SET_ASIDE not in again.stderr  # told once

    _poison(data, sim_process.url)  # and a booking made past one
    when = f"{datetime.now() + timedelta(days=2):%Y-%m-%d} 10:00"
    booked = vmrctl("book", "--room", "3365", "--theme", "normal", "--start", when, "--minutes", "30")
    assert booked.returncode == 0, booked.stderr
    assert "Booked 'normal'" in booked.stdout
    assert booked.stderr.count(SET_ASIDE) == 1


#: A journal damaged by hand or by another program (what each broke before: exit 1, "internal
#: error", on every run): an entry with one field changed, or the whole file.
DAMAGED = {
    "naive-settled-start": lambda e: {
        **e,
        "state": "settled",
        "booking": "1",
        "request": {**e["request"], "start": "2030-01-01T00:00"},
    },
    "bigint-timeout": lambda e: {**e, "timeout": 10**400},
    "nul-token": lambda e: {**e, "token": "a\u0000b"},
    "long-token": lambda e: {**e, "token": "a" * 5000},
    "surrogate-theme": lambda e: {**e, "request": {**e["request"], "theme": "y\ud800"}},
    "object-token": lambda e: {**e, "token": {"x": 1}},
    "escaping-token": lambda e: {**e, "token": "../../escaped"},
    "too-deep": None,
}


@pytest.mark.parametrize("kind", list(DAMAGED))
def test_a_damaged_journal_is_set_aside_once_and_breaks_nothing(
    vmrctl: Vmrctl, sim_process: SimProcess, kind: str
) -> None:
    sign_in(vmrctl)
    data = vmrctl.home / "data"
    _poison(data, sim_process.url)
    path = data / journal.FILE
    change = DAMAGED[kind]
    if change is None:
        path.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    else:
        (entry,) = json.loads(path.read_text("utf-8"))
        path.write_text(json.dumps([change(entry)]), "utf-8")  # "\ud800" as JSON's escape

    listed = vmrctl("bookings")
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr.count(SET_ASIDE) == 1
    assert len(listed.stderr.strip().splitlines()) == 1
    assert not (vmrctl.home / "escaped.lock").exists()  # no path from a journal value
    assert not list(vmrctl.home.rglob("*escaped*"))

    again = vmrctl("bookings")
    assert again.returncode == 0, again.stderr
    assert SET_ASIDE not in again.stderr  # told once

    when = f"{datetime.now() + timedelta(days=2):%Y-%m-%d} 10:00"
    booked = vmrctl("book", "--room", "3365", "--theme", "normal", "--start", when, "--minutes", "30")
    assert booked.returncode == 0, booked.stderr
