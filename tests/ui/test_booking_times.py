"""Booking times where the clocks change (issue 15, point 9), in TZ=Europe/Berlin: a time the
clocks skip is refused beside its field, in the user's language, and nothing is sent; a time
they repeat is booked as its first (summer) occurrence and shown with its UTC offset."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QDateTimeEdit

from tests.support.zones import local_zone
from vmrtray.api import Client, Lang
from vmrtray.core.agenda import Agenda
from vmrtray.core.contacts import ContactCache
from vmrtray.core.settings import Settings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim
from vmrtray.ui.booking_dialog import UNTIL, WALL, BookingDialog, _to_qt
from vmrtray.ui.bookings_window import BookingsWindow

CREATE = "/subscribe/createmeet"
SKIPPED_EN = "2031-03-30 02:30 does not exist here: the clocks go forward at 02:00 that day (to 03:00)"
SKIPPED_ZH = "2031-03-30 02:30 在本地时区不存在：当天 02:00 时钟拨快到 03:00"


@pytest.fixture
def berlin() -> Iterator[None]:
    with local_zone("Europe/Berlin"):
        yield


async def _dialog(sim: Sim, api: Client, tmp_path: Path, lang: Lang = "en") -> BookingDialog:
    settings = Settings(server=sim.url, account=DEMO_ACCOUNT)
    dialog = BookingDialog(api, settings, ContactCache(tmp_path, sim.url, DEMO_ACCOUNT), lang=lang)
    await dialog.load()
    return dialog


@pytest_asyncio.fixture
async def dialog(berlin: None, sim: Sim, api: Client, qapp: object, tmp_path: Path) -> AsyncIterator[BookingDialog]:
    found = await _dialog(sim, api, tmp_path)
    yield found
    found.close()


def _creates(sim: Sim) -> int:
    return sum(1 for path, _ in sim.stats.bodies if path == CREATE)


def _pick_day_after(edit: QDateTimeEdit, year: int, month: int, day: int, hour: int, minute: int) -> None:
    """As a user does: the day before at that time, then the day stepped up by one."""
    edit.setDateTime(_to_qt(datetime(year, month, day - 1, hour, minute).astimezone()))
    edit.setSelectedSection(QDateTimeEdit.Section.DaySection)
    edit.stepBy(1)


async def test_a_start_the_clocks_skip_is_refused_beside_the_field_and_not_booked(
    sim: Sim, dialog: BookingDialog
) -> None:
    dialog.theme.setText("Spring forward")
    _pick_day_after(dialog.start, 2031, 3, 30, 2, 30)
    assert dialog.start.text() == "2031-03-30 02:30"  # what the user picked stays what they see
    assert await dialog.submit() is None
    assert dialog.form.error("start") == SKIPPED_EN
    assert _creates(sim) == 0
    assert dialog.pages.currentIndex() == 0


async def test_an_end_the_clocks_skip_is_refused_too(sim: Sim, dialog: BookingDialog) -> None:
    dialog.theme.setText("Spring forward")
    dialog.start.setDateTime(_to_qt(datetime(2031, 3, 30, 1, 0).astimezone()))
    dialog.duration.setCurrentIndex(dialog.duration.findData(UNTIL))
    _pick_day_after(dialog.end, 2031, 3, 30, 2, 30)
    assert await dialog.submit() is None
    assert dialog.form.error("end") == SKIPPED_EN
    assert _creates(sim) == 0


async def test_the_reason_is_in_the_users_language(
    berlin: None, sim: Sim, api: Client, qapp: object, tmp_path: Path
) -> None:
    dialog = await _dialog(sim, api, tmp_path, lang="zh")
    try:
        dialog.theme.setText("春季")
        _pick_day_after(dialog.start, 2031, 3, 30, 2, 30)
        assert await dialog.submit() is None
        assert dialog.form.error("start") == SKIPPED_ZH
        assert _creates(sim) == 0
    finally:
        dialog.close()


async def test_a_duration_across_the_change_ends_at_the_real_time(sim: Sim, dialog: BookingDialog) -> None:
    dialog.theme.setText("Across")
    dialog.start.setDateTime(_to_qt(datetime(2031, 3, 30, 1, 30).astimezone()))
    dialog.duration.setCurrentIndex(dialog.duration.findData(60))
    assert dialog.end.text() == "2031-03-30 03:30"  # an hour later by the clock on the wall is 02:30: skipped


async def test_a_repeated_time_is_booked_first_and_shown_with_its_offset(
    sim: Sim, api: Client, dialog: BookingDialog
) -> None:
    dialog.theme.setText("Fall back")
    _pick_day_after(dialog.start, 2031, 10, 26, 2, 30)
    dialog.duration.setCurrentIndex(dialog.duration.findData(60))
    booking = await dialog.submit()
    assert booking is not None, dialog.status.text()
    assert booking.start_date == datetime(2031, 10, 26, 0, 30, tzinfo=UTC)  # the summer 02:30
    shown = "2031-10-26 02:30 UTC+02:00–02:30 UTC+01:00"
    assert shown in dialog.result_title.text()
    agenda = Agenda(api, DEMO_ACCOUNT)
    await agenda.refresh()
    window = BookingsWindow(agenda, dialog.settings)
    try:
        assert window.model.data(window.model.index(0, 0)) == shown
        assert "Time: 2031-10-26 02:30 UTC+02:00 – 02:30 UTC+01:00" in window.details.toPlainText()
    finally:
        window.close()
    (made,) = sim.state.tenants[DEMO_PUBLIC_KEY].bookings.values()
    assert made.theme == "Fall back"


async def test_a_start_in_the_far_future_cannot_be_picked_and_its_end_is_still_shown(
    sim: Sim, dialog: BookingDialog
) -> None:
    """9999-12-31 23:50 plus an hour overflowed in the dialog's own slot: the end was left as it
    was, showing a booking that would not be made. The editors stop a year past what core takes
    (which then says why at Book)."""
    dialog.start.setDateTime(QDateTime(QDate(9999, 12, 31), QTime(23, 50), WALL))  # typed or picked
    dialog.duration.setCurrentIndex(dialog.duration.findData(60))
    picked = dialog.start.dateTime()
    assert picked.date().year() <= datetime.now().year + 7
    minutes = "yyyy-MM-dd HH:mm"
    assert dialog.end.dateTime().toString(minutes) == picked.addSecs(3600).toString(minutes)
