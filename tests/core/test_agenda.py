"""My bookings kept fresh, and a reminder once before each starts (the clock is the test's)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from vmrtray.api import Booking, Client
from vmrtray.core import bookings
from vmrtray.core.agenda import Agenda
from vmrtray.core.reminders import Reminders
from vmrtray.sim import DEMO_ACCOUNT, Sim


async def until(condition: Callable[[], object], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def _book(api: Client, theme: str, hours: int) -> Booking:
    room = (await api.get_rooms(DEMO_ACCOUNT))[0]
    start = (datetime.now().astimezone() + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)
    request = bookings.build_request(account=DEMO_ACCOUNT, theme=theme, start=start, minutes=30, pid=room.pid)
    return await bookings.create(api, request)


async def test_the_reminder_fires_once_when_its_time_comes(sim: Sim, api: Client, tmp_path: Path) -> None:
    booking = await _book(api, "Standup", hours=3)
    now = [datetime.now().astimezone()]
    reminded: list[str] = []
    agenda = Agenda(
        api, DEMO_ACCOUNT, Reminders(tmp_path / "r.json", timedelta(minutes=10)), tick=0.01, clock=lambda: now[0]
    )
    agenda.on_reminder(lambda b: reminded.append(b.theme))
    agenda.start()
    try:
        await until(lambda: agenda.bookings)
        assert [b.id for b in agenda.upcoming()] == [booking.id]
        assert reminded == []
        now[0] = booking.start_date - timedelta(minutes=9)
        await until(lambda: reminded)
        now[0] = booking.start_date - timedelta(minutes=2)
        agenda.request_refresh()
        refreshed = agenda.updated
        await until(lambda: agenda.updated != refreshed)
        assert reminded == ["Standup"]
    finally:
        await agenda.aclose()


async def test_a_failed_refresh_keeps_the_last_list_and_says_why(sim: Sim, api: Client) -> None:
    await _book(api, "Review", hours=5)
    agenda = Agenda(api, DEMO_ACCOUNT)
    await agenda.refresh()
    assert [b.theme for b in agenda.bookings] == ["Review"]
    sim.faults.queue("500", path="/subscribe/getsubmeetings")
    await agenda.refresh()
    assert [b.theme for b in agenda.bookings] == ["Review"]
    assert agenda.error is not None
    await agenda.refresh()
    assert agenda.error is None
