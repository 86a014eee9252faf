"""Keyboard and screen readers: every window named field by field, tabbed through in
reading order, and a booking made with the keyboard alone."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest_asyncio
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from tests.support.settings_keys import MemoryKeys
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core.agenda import Agenda
from vmrtray.core.catalog import Catalog
from vmrtray.core.contacts import ContactCache
from vmrtray.core.download_queue import DownloadQueue
from vmrtray.core.downloads import new_file_session
from vmrtray.core.reminders import Reminders
from vmrtray.core.settings import Settings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim
from vmrtray.ui.booking_dialog import BookingDialog
from vmrtray.ui.bookings_window import BookingsWindow
from vmrtray.ui.forms import INPUTS
from vmrtray.ui.recordings_window import RecordingsWindow
from vmrtray.ui.settings_dialog import SettingsDialog


def tab_stops(window: QWidget) -> list[QWidget]:
    """The widgets Tab visits, in its order (Qt's focus chain, as Tab walks it)."""
    stops, widget = [], window.nextInFocusChain()
    while widget is not window:
        internal = isinstance(widget.parentWidget(), INPUTS)  # a spin box's or a combo box's own editor
        tab = widget.focusPolicy() & Qt.FocusPolicy.TabFocus == Qt.FocusPolicy.TabFocus
        if tab and widget.isVisible() and widget.isEnabled() and not internal:
            stops.append(widget)
        widget = widget.nextInFocusChain()
    return stops


def unnamed(stops: list[QWidget]) -> list[str]:
    """Stops a screen reader could not name: inputs without a name, buttons without words."""
    missing = []
    for widget in stops:
        words = widget.text() if isinstance(widget, QAbstractButton) else widget.accessibleName()
        if not words.strip():
            missing.append(f"{type(widget).__name__}:{widget.objectName()}")
    return missing


def out_of_order(window: QWidget, stops: list[QWidget]) -> list[str]:
    """Pairs where Tab jumps back up the window, or leftwards within a line."""
    wrong = []
    for a, b in itertools.pairwise(stops):
        pa, pb = (w.mapTo(window, QPoint(0, w.height() // 2)) for w in (a, b))
        same_line = abs(pa.y() - pb.y()) <= 6
        if (same_line and pb.x() < pa.x()) or (not same_line and pb.y() < pa.y()):
            wrong.append(f"{type(a).__name__}:{a.objectName()} -> {type(b).__name__}:{b.objectName()}")
    return wrong


def assert_keyboard_ready(window: QWidget) -> None:
    window.show()
    QApplication.processEvents()
    stops = tab_stops(window)
    assert len(stops) >= 3
    assert not unnamed(stops), f"{type(window).__name__}: no name for {unnamed(stops)}"
    assert not out_of_order(window, stops), f"{type(window).__name__}: Tab order {out_of_order(window, stops)}"


@pytest_asyncio.fixture
async def booking(sim: Sim, api: Client, qapp: object, tmp_path: Path) -> AsyncIterator[BookingDialog]:
    dialog = BookingDialog(api, Settings(server=sim.url, account=DEMO_ACCOUNT), ContactCache(tmp_path, "s", "a"))
    await dialog.load()
    yield dialog
    dialog.close()


async def test_every_window_is_named_and_tabs_in_reading_order(
    sim: Sim, api: Client, booking: BookingDialog, tmp_path: Path
) -> None:
    assert_keyboard_ready(SettingsDialog(Settings(), MemoryKeys().keys()))
    assert_keyboard_ready(booking)
    agenda = Agenda(api, DEMO_ACCOUNT, Reminders(tmp_path / "r.json", timedelta(0)))
    bookings_window = BookingsWindow(agenda, Settings())  # it listens, so the agenda polls
    await until(lambda: agenda.updated is not None, "listed")  # a task stepped inside processEvents wedges qasync
    assert_keyboard_ready(bookings_window)
    await agenda.aclose()
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        queue = DownloadQueue(api, catalog, http, lambda: tmp_path)
        window = RecordingsWindow(catalog, queue)
        assert_keyboard_ready(window)
        window.close()
        await queue.aclose()
    catalog.close()


async def test_a_meeting_booked_with_the_keyboard_alone(sim: Sim, booking: BookingDialog) -> None:
    booking.show()
    booking.activateWindow()
    await until(booking.isActiveWindow, "the dialog active")
    booking.theme.setFocus()
    QTest.keyClicks(booking.theme, "Weekly")
    start = (datetime.now().astimezone() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    stops = tab_stops(booking)
    booking.start.setFocus()
    booking.start.setDateTime(booking.start.dateTime().fromSecsSinceEpoch(int(start.timestamp())))
    # to the participants' search: type an account, Enter picks the first match (and books nothing)
    while QApplication.focusWidget() is not booking.picker.search and stops:
        QTest.keyClick(QApplication.focusWidget() or booking, Qt.Key.Key_Tab)
        stops.pop()
    assert QApplication.focusWidget() is booking.picker.search
    QTest.keyClicks(booking.picker.search, booking.picker.model.people[3].account or "")  # QTest types ASCII only
    QTest.keyClick(booking.picker.search, Qt.Key.Key_Return)
    assert booking.pending is None
    assert booking.picker.chosen() == [booking.picker.model.people[3].id]
    # Enter anywhere else books
    booking.theme.setFocus()
    QTest.keyClick(booking.theme, Qt.Key.Key_Return)
    assert booking.pending is not None
    await booking.pending
    made = list(sim.state.tenants[DEMO_PUBLIC_KEY].bookings.values())
    assert [b.theme for b in made] == ["Weekly"]
    assert booking.pages.currentIndex() == 1
    QTest.keyClick(booking, Qt.Key.Key_Return)  # and on the result, Enter closes
    assert not booking.isVisible()


async def test_escape_closes_and_f5_refreshes(sim: Sim, api: Client, qapp: object, tmp_path: Path) -> None:
    agenda = Agenda(api, DEMO_ACCOUNT, Reminders(tmp_path / "r.json", timedelta(0)))
    refreshes: list[object] = []
    agenda.add_listener(refreshes.append)
    window = BookingsWindow(agenda, Settings())
    window.show()
    window.activateWindow()
    await until(window.isActiveWindow, "the window active")
    await until(lambda: len(refreshes) == 1, "My bookings listed")
    QTest.keyClick(window, Qt.Key.Key_F5)
    await until(lambda: len(refreshes) == 2, "F5 refreshed My bookings")
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()
    await agenda.aclose()
    dialog = SettingsDialog(Settings(), MemoryKeys().keys())
    dialog.show()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
