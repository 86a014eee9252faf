"""A booking time the service's zone cannot hold is refused before anything is journalled; a
journal entry that cannot be read or settled (one written before that, or damaged) is set
aside — kept in a file of its own, told once — and never breaks a listing or a booking."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import journal as journal_of
from vmrtray.api import BookingRequest, Client
from vmrtray.core import bookings
from vmrtray.core.bookings import InvalidBooking, Submission
from vmrtray.core.pending import PendingBookings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim

CREATE = "/subscribe/createmeet"
#: What `vmrctl book --start "9999-12-31 23:10"` journalled before it was refused (TZ=UTC):
#: 23:10 UTC is past the year 9999 in the service's +08:00.
LAST_YEAR = datetime(9999, 12, 31, 23, 10, tzinfo=UTC)


def _request(start: datetime, theme: str) -> BookingRequest:
    return BookingRequest(account=DEMO_ACCOUNT, theme=theme, start=start, end=start + timedelta(minutes=30), pid=3364)


def _ahead(days: float) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(second=0, microsecond=0)


def _left_by_a_crash(folder: Path, sim: Sim, request: dict[str, Any] | BookingRequest | str) -> None:
    """An entry as a run that died after sending it leaves it: sending, its owner gone."""
    body = request.model_dump(mode="json") if isinstance(request, BookingRequest) else request
    entry = {
        "token": uuid.uuid4().hex,
        "server": sim.url,
        "began": datetime.now(UTC).isoformat(),
        "request": body,
        "owner": {"pid": 1, "host": "gone"},
        "state": "sending",
        "sent": datetime.now(UTC).isoformat(),
        "timeout": 5.0,
        "before": [],
    }
    path = folder / journal_of.FILE
    path.write_text(json.dumps([*journal_of.entries(folder), entry]), "utf-8")


def _themes(sim: Sim) -> list[str]:
    return sorted(b.theme for b in sim.state.tenants[DEMO_PUBLIC_KEY].bookings.values())


async def test_a_time_the_service_zone_cannot_hold_is_refused_before_it_is_journalled(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    journal = PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)
    with pytest.raises(InvalidBooking) as caught:
        await Submission(api, _request(LAST_YEAR, "Far"), journal=journal).submit()
    assert "cannot be written in the service's time zone" in caught.value.reasons["start"]
    assert journal_of.entries(tmp_path) == []  # nothing left behind to break the next run
    assert sim.stats.requests[CREATE] == 0


@pytest.mark.parametrize(
    "poison",
    [
        pytest.param("far", id="a-time-past-the-year-9999-in-the-service-zone"),
        pytest.param("not-a-request", id="a-request-that-is-not-one"),
        pytest.param("wrong-kinds", id="fields-of-the-wrong-kind"),
    ],
)
async def test_an_entry_that_cannot_be_settled_is_set_aside_once_and_the_others_are_settled(
    sim: Sim, api: Client, tmp_path: Path, poison: str
) -> None:
    bad: dict[str, Any] | BookingRequest | str = {
        "far": _request(LAST_YEAR, "Far"),
        "not-a-request": "garbage",
        "wrong-kinds": {"account": DEMO_ACCOUNT, "theme": ["x"], "start": {}, "end": 7},
    }[poison]
    _left_by_a_crash(tmp_path, sim, _request(_ahead(2), "Before"))
    _left_by_a_crash(tmp_path, sim, bad)
    _left_by_a_crash(tmp_path, sim, _request(_ahead(3), "After"))
    journal_of.age(tmp_path)  # their creates are long lost: the good ones are sent now

    journal = PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)
    settled = await bookings.settle_pending(api, journal)  # raises nothing

    booked = [s.request.theme for s in settled if s.request is not None and s.booking is not None]
    assert booked == ["Before", "After"]  # the one after the bad entry too: none is lost
    (aside,) = [s for s in settled if s.set_aside is not None]
    assert aside.set_aside is not None
    assert aside.set_aside.exists()  # kept, for a human
    assert (
        aside.describe() == f"An interrupted booking could not be read or settled and was set aside: {aside.set_aside}"
    )
    assert aside.describe("zh").startswith("一个中断的预约无法读取或处理，已移出待处理记录")
    assert json.loads(aside.set_aside.read_text("utf-8"))["entry"]["request"] == json.loads(
        json.dumps(bad.model_dump(mode="json") if isinstance(bad, BookingRequest) else bad)
    )
    assert _themes(sim) == ["After", "Before"]
    assert sorted(e["request"]["theme"] for e in journal.entries()) == ["After", "Before"]  # settled, kept
    assert await bookings.settle_pending(api, journal) == []  # told once


async def test_a_booking_is_made_past_an_entry_that_cannot_be_settled(sim: Sim, api: Client, tmp_path: Path) -> None:
    _left_by_a_crash(tmp_path, sim, _request(LAST_YEAR, "Far"))
    journal_of.age(tmp_path)
    journal = PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)
    request = _request(_ahead(2), "Mine")
    (aside,) = await bookings.settle_pending(api, journal, leave=request)
    assert aside.set_aside is not None
    booking = await Submission(api, request, journal=journal).submit()
    assert booking.theme == "Mine"
    assert [e["state"] for e in journal.entries()] == ["settled"]


# -- a journal damaged by hand or by another program: each entry checked as it is read -------

#: Entries no run of this program writes, each of which broke every `vmrctl bookings` and
#: `book` (and the tray's settling) before, raised while the journal was read and claimed.
DAMAGED: dict[str, Any] = {
    # TypeError: a settled entry's start without its offset, compared with now
    "naive-settled-start": {"state": "settled", "booking": "123", "request": {"start": "2030-01-01T00:00"}},
    "bigint-timeout": {"timeout": 10**400},  # OverflowError
    "nul-token": {"token": "a\u0000b"},  # ValueError: embedded null byte (its lock's name)
    "long-token": {"token": "a" * 5000},  # OSError: File name too long
    "surrogate-theme": {"request": {"theme": "y\ud800"}},  # UnicodeEncodeError writing the journal
    "object-token": {"token": {"x": 1}},  # never removed: told again every run
    "escaping-token": {"token": "../../escaped"},  # a lock file outside the data folder
}


def _damaged(sim: Sim, over: dict[str, Any]) -> dict[str, Any]:
    start = _ahead(3)
    entry: dict[str, Any] = {
        "token": uuid.uuid4().hex,
        "server": sim.url,
        "began": datetime.now(UTC).isoformat(),
        "request": {
            "account": DEMO_ACCOUNT,
            "theme": "y",
            "start": start.isoformat(),
            "end": (start + timedelta(minutes=30)).isoformat(),
            "pid": 3364,
        },
        "owner": {"pid": 1, "host": "gone"},
        "state": "sending",
        "sent": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
        "timeout": 20.0,
        "before": [],
    }
    for key, value in over.items():
        entry[key] = {**entry[key], **value} if key == "request" else value
    return entry


@pytest.mark.parametrize("kind", list(DAMAGED))
async def test_an_entry_that_cannot_be_read_is_set_aside_once_and_the_others_are_settled(
    sim: Sim, api: Client, tmp_path: Path, kind: str
) -> None:
    data = tmp_path / "a" / "data"  # "../../escaped" from its lock folder: tmp_path/a/escaped
    data.mkdir(parents=True)
    _left_by_a_crash(data, sim, _request(_ahead(2), "Before"))
    _left_by_a_crash(data, sim, _request(_ahead(3), "After"))
    journal_of.age(data)
    before, after = journal_of.entries(data)
    bad = _damaged(sim, DAMAGED[kind])
    (data / journal_of.FILE).write_text(json.dumps([before, bad, after]), "utf-8")  # "\ud800": JSON's escape

    journal = PendingBookings(data, sim.url, DEMO_ACCOUNT)
    settled = await bookings.settle_pending(api, journal)  # raises nothing

    booked = [s.request.theme for s in settled if s.request is not None and s.booking is not None]
    assert booked == ["Before", "After"]
    (aside,) = [s for s in settled if s.set_aside is not None]
    assert aside.set_aside is not None
    assert aside.set_aside.parent == data
    assert aside.set_aside.name.startswith("pending-bookings.set-aside-")
    assert json.loads(aside.set_aside.read_text("utf-8"))["entry"]["token"] == bad["token"]  # kept
    assert sorted(e["request"]["theme"] for e in journal.entries()) == ["After", "Before"]
    assert await bookings.settle_pending(api, journal) == []  # told once
    assert sorted(p.name for p in tmp_path.rglob("*escaped*")) == []  # no path from a journal value

    booking = await Submission(api, _request(_ahead(4), "Mine"), journal=journal).submit()  # and book goes on
    assert booking.theme == "Mine"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 100_000 + "]" * 100_000, id="too-deep"),  # RecursionError
        pytest.param('[{"token": 1e999999999999}]x', id="not-json"),
        pytest.param('{"token": "x"}', id="not-a-list"),
    ],
)
async def test_a_journal_that_cannot_be_read_is_set_aside_as_a_whole_once(
    sim: Sim, api: Client, tmp_path: Path, text: str
) -> None:
    (tmp_path / journal_of.FILE).write_text(text, "utf-8")
    journal = PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)
    (aside,) = await bookings.settle_pending(api, journal)
    assert aside.set_aside is not None
    assert aside.set_aside.read_text("utf-8") == text  # kept as it was
    assert await bookings.settle_pending(api, journal) == []
    booking = await Submission(api, _request(_ahead(2), "Mine"), journal=journal).submit()
    assert booking.theme == "Mine"
