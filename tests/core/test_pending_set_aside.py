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
