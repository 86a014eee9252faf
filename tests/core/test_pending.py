"""A crash between sending a booking and hearing its answer: the next start settles it —
found if the service made it, sent if not and still ahead — never twice, never lost."""

from __future__ import annotations

import asyncio
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support import journal as journal_of
from tests.support.waiting import until
from vmrtray.api import BookingRequest, Client
from vmrtray.core import bookings
from vmrtray.core.bookings import ROOM_TAKEN, Submission
from vmrtray.core.pending import PendingBookings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim

CREATE = "/subscribe/createmeet"


def _request(days: float = 2, theme: str = "Quarterly") -> BookingRequest:
    start = (datetime.now().astimezone() + timedelta(days=days)).replace(second=0, microsecond=0)
    return BookingRequest(account=DEMO_ACCOUNT, theme=theme, start=start, end=start + timedelta(hours=1), pid=3364)


def _themes(sim: Sim) -> list[str]:
    return [b.theme for b in sim.state.tenants[DEMO_PUBLIC_KEY].bookings.values()]


def _creates(sim: Sim) -> int:
    """Create requests that reached the service (whether or not it carried them out)."""
    return sim.stats.requests[CREATE]


async def _crash_while_sending(sim: Sim, journal: PendingBookings, fault: str) -> None:
    """Send through a journalled Submission and die (the task cancelled) while it waits."""
    sim.faults.queue(fault, path=CREATE)
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=30) as api:
        submission = Submission(api, _request(), journal=journal)
        sending = asyncio.ensure_future(submission.submit())
        await until(lambda: _creates(sim) > 0, "the create sent")
        sending.cancel()  # the process is gone: nothing after this line of its runs
        with pytest.raises(asyncio.CancelledError):
            await sending
        await submission.close()  # ... and the OS dropped its locks
    sim.faults.release.set()


@pytest.mark.parametrize(("fault", "made_before"), [("hang-after", True), ("hang", False)])
async def test_the_next_start_settles_a_booking_a_crash_left(
    sim: Sim, api: Client, tmp_path: Path, fault: str, made_before: bool
) -> None:
    journal = PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)
    await _crash_while_sending(sim, journal, fault)
    assert len(journal.entries()) == 1  # on disk, across the crash
    assert _themes(sim) == (["Quarterly"] if made_before else [])
    if not made_before:  # the create may still land: the next start leaves it, sends nothing
        (left,) = await bookings.settle_pending(api, PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT))
        assert left.in_flight is not None
        assert "still being answered by the service" in left.describe()
        assert _creates(sim) == 1
        journal_of.age(tmp_path)  # a start long after: the create is lost, not just late

    looked = sim.stats.requests["/subscribe/getsubmeetings"]
    settled = await bookings.settle_pending(api, PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT))  # the next start
    assert sim.stats.requests["/subscribe/getsubmeetings"] == looked + 1  # looked for once, then sent or not
    assert [(s.request.theme, s.found, s.booking is not None) for s in settled] == [("Quarterly", made_before, True)]
    assert _themes(sim) == ["Quarterly"]  # exactly one, either way
    assert [e["state"] for e in journal.entries()] == ["settled"]  # kept for a retry to find
    assert await bookings.settle_pending(api, PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)) == []


async def test_a_booking_whose_time_has_passed_is_given_up_not_sent(sim: Sim, api: Client, tmp_path: Path) -> None:
    journal = PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)
    journal.add(_request(days=-1, theme="Yesterday"), datetime.now().astimezone() - timedelta(days=2))
    (settled,) = await bookings.settle_pending(api, journal)
    assert settled.booking is None
    assert _creates(sim) == 0
    assert journal.entries() == []


async def test_an_answered_booking_leaves_nothing_to_settle(sim: Sim, api: Client, tmp_path: Path) -> None:
    journal = PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)
    booked = await Submission(api, _request(), journal=journal).submit()
    sim.faults.queue(f"code:{ROOM_TAKEN}", path=CREATE)
    with pytest.raises(Exception, match=str(ROOM_TAKEN)):
        await Submission(api, _request(theme="Taken"), journal=journal).submit()
    (kept,) = journal.entries()  # the refused one is gone; the booked one kept until its start
    assert (kept["state"], kept["booking"], kept["request"]["theme"]) == ("settled", str(booked.id), "Quarterly")
    assert await bookings.settle_pending(api, journal) == []  # nothing to settle


async def test_a_settled_entry_is_dropped_once_its_start_has_passed(sim: Sim, api: Client, tmp_path: Path) -> None:
    journal = PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)
    await Submission(api, _request(theme="Soon"), journal=journal).submit()
    assert journal_of.states(tmp_path) == ["settled"]
    journal_of.start_passed(tmp_path)
    assert await bookings.settle_pending(api, journal) == []
    assert not journal.path.exists()


async def test_the_journal_is_created_0600(sim: Sim, tmp_path: Path) -> None:
    """It holds the request's passwords: the pending-bookings journal is created 0600 (looked
    at while the create waits for its answer, when it surely exists)."""
    journal = PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)
    sim.faults.queue("hang", path=CREATE)
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=30) as api:
        submission = Submission(api, _request().model_copy(update={"host_pwd": "4321"}), journal=journal)
        sending = asyncio.ensure_future(submission.submit())
        await until(lambda: _creates(sim) > 0, "the create sent")
        assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
        sending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sending
        await submission.close()
    sim.faults.release.set()


async def test_a_booking_its_owner_still_waits_for_is_left_to_it(sim: Sim, api: Client, tmp_path: Path) -> None:
    """The tray's dialog waits for a slow answer while the tray settles at start (one process,
    two lock objects): the settle neither sends it nor reports it; one booking."""
    sim.faults.queue("slow:1500", path=CREATE)
    owner = Submission(api, _request(), journal=PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT))
    sending = asyncio.ensure_future(owner.submit())
    await until(lambda: _creates(sim) == 1, "the create sent")
    assert await bookings.settle_pending(api, PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)) == []
    booking = await sending
    assert _creates(sim) == 1
    assert _themes(sim) == ["Quarterly"]
    assert journal_of.entries(tmp_path)[0]["booking"] == str(booking.id)


async def test_another_accounts_pending_booking_is_left_alone(sim: Sim, api: Client, tmp_path: Path) -> None:
    other = PendingBookings(tmp_path, sim.url, "alice@demo.myvmr.cn")
    other.add(_request().model_copy(update={"account": "alice@demo.myvmr.cn"}), datetime.now().astimezone())
    assert await bookings.settle_pending(api, PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)) == []
    assert len(other.entries()) == 1


async def test_a_damaged_journal_is_set_aside_not_written_over(sim: Sim, api: Client, tmp_path: Path) -> None:
    """Whatever it held may still name a booking someone will want to look for."""
    journal = PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)
    damaged = b'[{"token": "ab12", "request": {"theme": "Quarterly"'  # cut short by a full disk
    journal.path.write_bytes(damaged)
    await Submission(api, _request(), journal=journal).submit()
    (aside,) = tmp_path.glob("pending-bookings.json.damaged-*")
    assert aside.read_bytes() == damaged
    assert [e["request"]["theme"] for e in journal.entries()] == ["Quarterly"]
