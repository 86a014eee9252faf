"""My bookings kept fresh, and a reminder once before each starts (the clock is the test's)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from tests.support.waiting import until
from vmrtray.api import Booking, Client
from vmrtray.core import bookings
from vmrtray.core.agenda import Agenda
from vmrtray.core.reminders import Reminders
from vmrtray.sim import DEMO_ACCOUNT, Sim


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
    agenda.on_reminder(lambda b: reminded.append(b.theme))  # reminders on: this listens, and polling starts
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


BOOKINGS = "/subscribe/getsubmeetings"


async def _a_debounce_later(api: Client) -> None:
    """A sentinel: another agenda, listened to, is asked to refresh; when it has, a whole debounce
    window has passed since anything was asked of the agenda under test. It sends two requests."""
    sentinel = Agenda(api, DEMO_ACCOUNT, interval=3600)
    told: list[Agenda] = []
    sentinel.add_listener(told.append)
    try:
        await until(lambda: told, "the sentinel's first refresh")
        sentinel.request_refresh()
        await until(lambda: len(told) == 2, "the sentinel's asked refresh")
    finally:
        await sentinel.aclose()


async def test_polling_stops_when_my_bookings_stops_listening(sim: Sim, api: Client, tmp_path: Path) -> None:
    reminders_off = Reminders(tmp_path / "r.json", timedelta(0))
    agenda = Agenda(api, DEMO_ACCOUNT, reminders_off, interval=0.01)
    agenda.on_reminder(lambda _: None)  # reminders off: this keeps nothing polling
    told: list[Agenda] = []
    try:
        stop_listening = agenda.add_listener(told.append)  # My bookings opens
        await until(lambda: len(told) >= 3, "polled on its interval while My bookings listens")
        stop_listening()  # and closes
        sent = sim.stats.requests[BOOKINGS]
        agenda.request_refresh()
        await _a_debounce_later(api)
        assert sim.stats.requests[BOOKINGS] == sent + 2  # the sentinel's two, none of this agenda's
    finally:
        await agenda.aclose()


async def test_reminders_keep_it_polling_only_while_they_are_on(sim: Sim, api: Client, tmp_path: Path) -> None:
    off = Agenda(api, DEMO_ACCOUNT, Reminders(tmp_path / "off.json", timedelta(0)), interval=0.01)
    on = Agenda(api, DEMO_ACCOUNT, Reminders(tmp_path / "on.json", timedelta(minutes=10)), interval=0.01)
    refreshed: list[Agenda] = []
    on.add_listener(refreshed.append)()  # listened to and at once no more: a count of its refreshes only
    try:
        off.on_reminder(lambda _: None)
        stop_reminding = on.on_reminder(lambda _: None)
        await until(lambda: on.updated is not None, "polled while reminders are on")
        first = on.updated
        await until(lambda: on.updated != first, "and again on its interval")
        stop_reminding()
        sent = sim.stats.requests[BOOKINGS]
        off.request_refresh()
        on.request_refresh()
        await _a_debounce_later(api)
        assert sim.stats.requests[BOOKINGS] == sent + 2  # the sentinel's two
        assert off.updated is None  # reminders off and nobody listening: never polled
    finally:
        await off.aclose()
        await on.aclose()


async def test_a_listener_that_raises_does_not_stop_the_others(sim: Sim, api: Client) -> None:
    agenda = Agenda(api, DEMO_ACCOUNT)
    told: list[Agenda] = []

    def broken(_: Agenda) -> None:
        raise RuntimeError("a window's bug")

    agenda.add_listener(broken)
    agenda.add_listener(told.append)
    try:
        await agenda.refresh()
        assert told == [agenda]
    finally:
        await agenda.aclose()
