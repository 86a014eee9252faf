"""My bookings, kept fresh, and the reminders before they start. No Qt.

One object owns the account's bookings for everyone who shows them (My bookings, the
booking dialog's proposals) and for the reminders: the generic poller (`core.polling`)
plus reminders. It polls only while someone listens — My bookings while its window is
open, the reminders while they are on — every `interval` or on request, tells its
listeners, and keeps the last good list when a refresh fails. Between refreshes the
poller runs the reminder watch, which re-reads the clock at least every `tick` seconds,
so a sleep or a clock change cannot make a reminder late by more than that.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime

from vmrtray.api import Booking, Client, VmrError

from .listeners import Listeners
from .polling import Poller
from .reminders import Reminders
from .untrusted import plain

log = logging.getLogger(__name__)

Listener = Callable[["Agenda"], None]
ReminderSink = Callable[[Booking], None]


def _now() -> datetime:
    return datetime.now().astimezone()


class Agenda:
    def __init__(
        self,
        api: Client,
        account: str,
        reminders: Reminders | None = None,
        *,
        interval: float = 600.0,
        tick: float = 30.0,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.api, self.account, self.reminders = api, account, reminders
        self.interval, self.tick, self.clock = interval, tick, clock
        self.bookings: list[Booking] = []
        self.error: VmrError | None = None
        self.updated: datetime | None = None
        self._poller: Poller[[Agenda]] = Poller(
            "the bookings", self._update, lambda: self.interval, watch=self._remind_due
        )
        self._remind: Listeners[[Booking]] = Listeners("the reminders")

    # -- who listens ----------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Told after every refresh; the agenda polls while someone listens. Returns the remover."""
        return self._poller.add_listener(listener)

    def on_reminder(self, sink: ReminderSink) -> Callable[[], None]:
        """Told when a booking's reminder falls due; while reminders are on, this listens too."""
        forget_sink = self._remind.add(sink)
        if self.reminders is None or not self.reminders.enabled:
            return forget_sink  # nothing will fall due: no reason to poll for it
        stop_listening = self._poller.add_listener(lambda _: None)

        def remove() -> None:
            forget_sink()
            stop_listening()

        return remove

    def upcoming(self) -> list[Booking]:
        now = self.clock()
        return [b for b in self.bookings if b.end_date > now]

    def past(self) -> list[Booking]:
        now = self.clock()
        return sorted((b for b in self.bookings if b.end_date <= now), key=lambda b: b.start_date, reverse=True)

    # -- refreshing -----------------------------------------------------------------------------

    async def refresh(self) -> None:
        """Fetch now; on failure keep the last list and say why in `error`."""
        await self._poller.refresh()

    def request_refresh(self) -> None:
        """Refresh soon (after a booking or a cancel), without waiting for the interval."""
        self._poller.request_refresh()

    async def aclose(self) -> None:
        await self._poller.aclose()

    async def _update(self) -> None:
        """The poller's job: tells the listeners either way; raises when the list could not be had."""
        try:
            found = await self.api.get_bookings(self.account)
        except VmrError as error:
            self.error = error
            self._poller.notify(self)
            raise
        self.error = None
        shown = [b.model_copy(update={"theme": plain(b.theme)}) for b in found]  # the reminder's title, the list's
        self.bookings = sorted(shown, key=lambda b: (b.start_date, b.id))
        self.updated = self.clock()
        self._poller.notify(self)

    # -- reminders, watched between refreshes ----------------------------------------------------

    async def _remind_due(self) -> float:
        """Tell of the reminders due; the seconds until the clock should be read again."""
        if self.reminders is None or not self.reminders.enabled:
            return math.inf
        for booking in await self.reminders.due(self.bookings, self.clock()):
            self._remind.notify(booking)
        return min(self._seconds_to_reminder(self.reminders), self.tick)

    def _seconds_to_reminder(self, reminders: Reminders) -> float:
        now = self.clock()
        at = reminders.next_at(self.bookings, now)
        return math.inf if at is None else max(0.0, (at - now).total_seconds())
