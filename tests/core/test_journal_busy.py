"""A retry of a booking another process (or window) still holds: it waits as long as that
owner can take, then says so in one sentence and sends nothing (issue 13)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from vmrtray.api import BookingRequest, Client
from vmrtray.core.bookings import BookingBusy, Submission, Wait
from vmrtray.core.pending import ClaimKind, PendingBookings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim


def _request() -> BookingRequest:
    start = (datetime.now().astimezone() + timedelta(days=2)).replace(second=0, microsecond=0)
    return BookingRequest(account=DEMO_ACCOUNT, theme="Held", start=start, end=start + timedelta(hours=1))


async def test_a_booking_held_by_a_live_owner_too_long_is_not_sent(sim: Sim, tmp_path: Path) -> None:
    journal = PendingBookings(tmp_path, sim.url, DEMO_ACCOUNT)
    held = await asyncio.to_thread(journal.claim, _request(), datetime.now().astimezone(), 0.1)
    assert held.kind is ClaimKind.NEW  # an owner that never lets go (a window left open)
    told: list[Wait] = []
    try:
        async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=5) as api:
            retry = Submission(api, _request(), journal=journal, timeout=0.1, tell=lambda wait, _: told.append(wait))
            with pytest.raises(BookingBusy) as busy:
                await retry.submit()
    finally:
        await asyncio.to_thread(held.release)
    assert told == [Wait.OTHER_PROCESS]
    assert "nothing was sent" in busy.value.describe("en")
    assert sim.stats.requests["/subscribe/createmeet"] == 0
    assert [e["token"] for e in journal.entries()] == [held.token]  # left to its owner
