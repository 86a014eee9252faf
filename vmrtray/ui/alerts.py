"""What the tray says when something happens besides the rooms: a booking made or settled,
a meeting about to start, a download stopped or done.

The rooms' own alerts come from core (`core.notifications`); these are worded here, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QObject

from vmrtray.api import Booking, Lang
from vmrtray.core.bookings import Settled
from vmrtray.core.download_queue import State, Transfer
from vmrtray.core.localtime import shown
from vmrtray.core.notifications import Alert
from vmrtray.core.untrusted import plain


def booked(booking: Booking) -> Alert:
    """The booking dialog's booking, now the service's."""
    when = shown(booking.start_date)  # a time the clocks repeat with its offset
    return Alert(QCoreApplication.translate("Alerts", "Booked “{theme}”").format(theme=plain(booking.theme)), when)


class Alerts(QObject):
    """The "Alerts" translation context for words with a plural: pyside6-lupdate marks a
    string as plural (numerus) only when it comes through a QObject's `tr`, not through
    `QCoreApplication.translate` (measured: the English reminder said "5 minute(s)")."""

    def starts_in(self, minutes: int) -> str:
        return self.tr("“{theme}” starts in %n minute(s)", "", minutes)


def reminder(booking: Booking, now: datetime) -> Alert:
    """`booking` starts soon (the agenda decides when to remind)."""
    minutes = max(0, round((booking.start_date - now).total_seconds() / 60))
    title = Alerts().starts_in(minutes)
    body = f"{shown(booking.start_date, '%H:%M')} · {plain(booking.sipkey or '')}"
    return Alert(title.format(theme=plain(booking.theme)), body)


def settled(outcome: Settled, lang: Lang) -> Alert:
    """A booking a crash left unanswered, settled at start (its words are core's, shared with vmrctl)."""
    # Urgent only when it was not booked; one still being answered is not yet either.
    urgent = outcome.booking is None and outcome.in_flight is None
    return Alert(outcome.title(lang), outcome.detail(lang), urgent=urgent)


def download(transfer: Transfer, transfers: Iterable[Transfer]) -> Alert | None:
    """What a download's change calls for, if anything: it stopped with a reason, or it was the
    last file of its recording (`transfers`: every transfer of the queue)."""
    if transfer.retrying:  # it goes on by itself: said, not urgent
        return Alert(QCoreApplication.translate("Alerts", "Download will be tried again"), transfer.error or "")
    if transfer.state == State.FAILED or (transfer.state == State.PAUSED and transfer.error):
        return Alert(QCoreApplication.translate("Alerts", "Download stopped"), transfer.error or "", urgent=True)
    if transfer.state == State.DONE:
        rest = [t for t in transfers if t.record_id == transfer.record_id]
        if all(t.state == State.DONE for t in rest):
            return Alert(QCoreApplication.translate("Alerts", "Recording downloaded"), str(transfer.target.parent))
    return None
