"""Booking from the tray against the simulator: the dialog, its checks, conflicts, lost
answers, My bookings and cancelling, the reminder."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import pytest_asyncio
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from tests.support.waiting import until
from tests.ui.conftest import demo_app, open_window
from vmrtray.api import Client
from vmrtray.core.agenda import Agenda
from vmrtray.core.contacts import ContactCache
from vmrtray.core.directory import RoomDirectory
from vmrtray.core.settings import Settings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim
from vmrtray.ui.booking_dialog import UNTIL, BookingDialog, _to_qt
from vmrtray.ui.bookings_window import BookingsWindow

CREATE = "/subscribe/createmeet"


@pytest_asyncio.fixture
async def dialog(sim: Sim, api: Client, qapp: object, tmp_path: Path) -> AsyncIterator[BookingDialog]:
    settings = Settings(server=sim.url, account=DEMO_ACCOUNT)
    found = BookingDialog(api, settings, ContactCache(tmp_path, sim.url, DEMO_ACCOUNT))
    await found.load()
    yield found
    found.close()
    sim.faults.release.set()


def _sim_themes(sim: Sim) -> list[str]:
    return sorted(b.theme for b in sim.state.tenants[DEMO_PUBLIC_KEY].bookings.values())


def _creates(sim: Sim) -> int:
    return sum(1 for path, _ in sim.stats.bodies if path == CREATE)


def _fill(dialog: BookingDialog, theme: str = "Design review", hours: int = 3) -> datetime:
    start = (datetime.now().astimezone() + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)
    dialog.theme.setText(theme)
    dialog.start.setDateTime(_to_qt(start))
    dialog.duration.setCurrentIndex(dialog.duration.findData(60))
    return start


async def _book(dialog: BookingDialog) -> None:
    """Click Book and wait for the outcome of that submission."""
    dialog.book_button.click()
    assert dialog.pending is not None
    await dialog.pending


async def test_the_dialog_books_and_hands_over_the_invitation(sim: Sim, dialog: BookingDialog, tmp_path: Path) -> None:
    assert dialog.room.count() == len(sim.state.tenants[DEMO_PUBLIC_KEY].rooms)
    assert dialog.picker.model.rowCount() == 40  # the sim's contacts, fetched and cached
    start = dialog.start.dateTime()
    assert start.time().minute() in (0, 30)  # the next half hour by default
    _fill(dialog)
    dialog.picker.search.setText("2")
    dialog.picker.model.toggle(0)
    chosen = dialog.picker.chosen()
    dialog.picker.search.setText("")  # a search never loses a choice
    assert dialog.picker.chosen() == chosen
    dialog.generate_passwords()
    booked: list[object] = []
    dialog.booked.connect(booked.append)
    await _book(dialog)
    assert dialog.pages.currentIndex() == 1, dialog.status.text()
    assert _sim_themes(sim) == ["Design review"]
    (made,) = sim.state.tenants[DEMO_PUBLIC_KEY].bookings.values()
    assert [str(v[0]) for v in made.visitors] == chosen
    assert made.host_pwd == dialog.host_pwd.text()
    assert dialog.result_fields["link"].text().endswith(f"S{made.id:05d}")
    assert dialog.result_fields["guest"].text() == dialog.guest_pwd.text()
    assert len(booked) == 1
    dialog.findChild(QPushButton, "copy:link").click()
    assert QGuiApplication.clipboard().text() == dialog.result_fields["link"].text()
    assert await dialog.export_ics(tmp_path / "b.ics")
    (event,) = icalendar.Calendar.from_ical((tmp_path / "b.ics").read_bytes()).walk("VEVENT")
    assert event.decoded("dtstart") == made.start.replace(tzinfo=sim_zone())


def sim_zone():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d.theme.setText("  "), "theme", "required"),
        (lambda d: d.theme.setText("x" * 65), "theme", "at most 64"),
        (lambda d: d.start.setDateTime(_to_qt(datetime.now().astimezone() - timedelta(hours=2))), "start", "past"),
        (lambda d: d.host_pwd.setText("12ab"), "host_pwd", "digits"),
        (lambda d: d.guest_pwd.setText("12"), "guest_pwd", "4 to 10 digits"),
        (
            lambda d: (
                d.duration.setCurrentIndex(d.duration.findData(UNTIL)),
                d.end.setDateTime(d.start.dateTime().addSecs(-1800)),
            ),
            "end",
            "after the start",
        ),
    ],
)
async def test_each_field_is_checked_with_its_reason_and_nothing_is_sent(
    sim: Sim, dialog: BookingDialog, change: object, field: str, words: str
) -> None:
    _fill(dialog)
    change(dialog)  # type: ignore[operator]
    typed = dialog.theme.text()
    assert await dialog.submit() is None
    assert words in dialog.form.error(field)
    assert _creates(sim) == 0
    assert dialog.theme.text() == typed  # nothing typed is lost


async def test_a_taken_room_keeps_everything_and_one_click_books_a_free_time(
    sim: Sim, api: Client, dialog: BookingDialog
) -> None:
    start = _fill(dialog, theme="First")
    await _book(dialog)
    dialog.pages.setCurrentIndex(0)
    dialog.theme.setText("Second")
    dialog.introduction.setPlainText("agenda: budget")
    dialog.start.setDateTime(_to_qt(start))
    await _book(dialog)
    assert "already booked" in dialog.status.text()
    assert dialog.pages.currentIndex() == 0
    assert dialog.theme.text() == "Second"
    assert dialog.introduction.toPlainText() == "agenda: budget"
    await until(lambda: not dialog.proposals.isHidden(), "proposals")
    nearest = dialog.proposals.findChildren(QPushButton)[0]
    assert nearest.objectName().startswith("propose-start:")
    nearest.click()
    await until(lambda: dialog.pages.currentIndex() == 1, "booked at the proposed time")
    assert _sim_themes(sim) == ["First", "Second"]
    room_button = dialog.proposals.findChildren(QPushButton)[-1]
    assert room_button.objectName().startswith("propose-room:")


async def test_a_lost_answer_then_retry_leaves_exactly_one_booking(sim: Sim, qapp: object, tmp_path: Path) -> None:
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=1.0) as api:
        settings = Settings(server=sim.url, account=DEMO_ACCOUNT)
        dialog = BookingDialog(api, settings, ContactCache(tmp_path, sim.url, DEMO_ACCOUNT))
        await dialog.load()
        _fill(dialog, theme="Board")
        sim.faults.queue("hang-after", path=CREATE)  # booked, but the answer never comes
        sim.faults.queue("pass", path="/subscribe/getsubmeetings")  # (the look before the create)
        sim.faults.queue("reset", path="/subscribe/getsubmeetings")  # nor can it be checked at once
        dialog.book_button.click()
        await until(lambda: "Not booked" in dialog.status.text(), "the failure said")
        assert dialog.book_button.isEnabled()  # free to retry
        await _book(dialog)  # Book again: it looks first and finds it
        assert dialog.pages.currentIndex() == 1, dialog.status.text()
        assert _sim_themes(sim) == ["Board"]
        assert _creates(sim) == 1
        dialog.close()
        sim.faults.release.set()


async def test_book_is_disabled_while_in_flight(sim: Sim, dialog: BookingDialog) -> None:
    _fill(dialog)
    sim.faults.latency_ms = 300
    dialog.book_button.click()
    await until(lambda: dialog.status.text() == "Booking…", "in flight")
    assert not dialog.book_button.isEnabled()
    dialog.book_button.click()  # a second click does nothing
    await until(lambda: dialog.pages.currentIndex() == 1, "booked")
    assert _creates(sim) == 1


async def test_my_bookings_lists_copies_and_cancels(sim: Sim, api: Client, dialog: BookingDialog) -> None:
    _fill(dialog, theme="Retro")
    await _book(dialog)
    agenda = Agenda(api, DEMO_ACCOUNT)
    await agenda.refresh()
    window = BookingsWindow(agenda, dialog.settings)
    window.show()
    assert window.model.rowCount() == 1
    assert window.model.data(window.model.index(0, 1)) == "Retro"
    window.copy_invitation()
    assert "Retro" in QGuiApplication.clipboard().text()
    assert dialog.host_pwd.text() not in QGuiApplication.clipboard().text() or not dialog.host_pwd.text()
    box = window.ask_cancel()
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes).click()
    await until(lambda: window.model.rowCount() == 0, "gone from the list")
    assert _sim_themes(sim) == []
    assert "Cancelled" in window.status.text()
    window.close()


async def test_the_app_offers_booking_and_reminds_once(qapp: object) -> None:
    async with demo_app() as app:
        dialog = await open_window(app, "book", BookingDialog)
        await until(lambda: dialog.picker.model.rowCount() > 0, "contacts loaded")
        start = _fill(dialog, theme="Planning")
        await _book(dialog)
        assert any("Booked" in a.title for a in app.tray.alerts)
        window = await open_window(app, "bookings", BookingsWindow)
        await until(lambda: window.model.rowCount() == 1, "My bookings lists it")
        assert app.agenda is not None
        app.agenda.tick = 0.01
        app.agenda.clock = lambda: start - timedelta(minutes=5)
        app.agenda.request_refresh()
        await until(lambda: any("starts in" in a.title for a in app.tray.alerts), "the reminder")
        reminded = next(a.title for a in app.tray.alerts if "starts in" in a.title)
        assert re.fullmatch(r"“Planning” starts in \d+ minutes", reminded), reminded  # not "… minute(s)"
        app.agenda.clock = lambda: start - timedelta(minutes=4)
        app.agenda.request_refresh()
        await until(lambda: app.agenda is not None and app.agenda.updated == start - timedelta(minutes=4), "again")
        assert sum("starts in" in a.title for a in app.tray.alerts) == 1
    assert not app.windows
    QApplication.processEvents()


async def test_an_edit_after_a_lost_answer_finds_the_earlier_booking_first(
    sim: Sim, qapp: object, tmp_path: Path
) -> None:
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=1.0) as api:
        dialog = BookingDialog(api, Settings(server=sim.url, account=DEMO_ACCOUNT), ContactCache(tmp_path, "s", "a"))
        await dialog.load()
        _fill(dialog, theme="Board")
        sim.faults.queue("hang-after", path=CREATE)
        sim.faults.queue("pass", path="/subscribe/getsubmeetings")  # the look before the create
        sim.faults.queue("reset", path="/subscribe/getsubmeetings")  # the look after it
        await _book(dialog)
        assert "Not booked" in dialog.status.text()
        dialog.theme.setText("Board meeting")  # the user changes something, then books
        await _book(dialog)
        assert dialog.pages.currentIndex() == 1
        assert "“Board”" in dialog.result_title.text()  # the booking that was made, shown
        assert _sim_themes(sim) == ["Board"]
        dialog.close()
        sim.faults.release.set()


async def test_a_room_added_since_the_tray_last_asked_shows_once_its_list_is_old(
    sim: Sim, api: Client, qapp: object, tmp_path: Path
) -> None:
    """The dialog opens with what the tray knew, then asks the directory, which asks the service
    when what it has is older than its max_age (before, a list given at opening was never renewed)."""
    now = [0.0]
    directory = RoomDirectory(api, DEMO_ACCOUNT, max_age=600, clock=lambda: now[0])
    known = await directory.rooms()
    tenant = sim.state.tenants[DEMO_PUBLIC_KEY]
    added = sim.state.add_room(tenant, "100799", "New boardroom")
    now[0] = 601.0
    settings = Settings(server=sim.url, account=DEMO_ACCOUNT)
    contacts = ContactCache(tmp_path, sim.url, DEMO_ACCOUNT)
    found = BookingDialog(api, settings, contacts, rooms=known, directory=directory)
    try:
        assert found.room.findData(added.pid) == -1  # what was known at opening
        await found.load()
        assert found.room.findData(added.pid) >= 0
    finally:
        found.close()
