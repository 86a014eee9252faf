"""My bookings, kept fresh, and the reminders before they start. No Qt.

One object owns the account's bookings for everyone who shows them (My bookings, the
booking dialog's proposals) and for the reminders, like the room coordinator does for
rooms: it refreshes every `interval` or on request, tells its listeners, keeps the last
good list when a refresh fails, and wakes for the next reminder. The clock is re-read at
least every `tick` seconds, so a sleep or a clock change cannot make a reminder late by
more than that.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from vmrtray.api import AuthError, Booking, Client, VmrError

from .reminders import Reminders

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
        self._listeners: list[Listener] = []
        self._remind: list[ReminderSink] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- who listens ----------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def on_reminder(self, sink: ReminderSink) -> None:
        self._remind.append(sink)

    def upcoming(self) -> list[Booking]:
        now = self.clock()
        return [b for b in self.bookings if b.end_date > now]

    def past(self) -> list[Booking]:
        now = self.clock()
        return sorted((b for b in self.bookings if b.end_date <= now), key=lambda b: b.start_date, reverse=True)

    # -- refreshing -----------------------------------------------------------------------------

    async def refresh(self) -> None:
        """Fetch now; on failure keep the last list and say why in `error`."""
        try:
            found = await self.api.get_bookings(self.account)
        except VmrError as error:
            if self.error is None:
                log.info("could not list the bookings: %s", error)
            self.error = error
        else:
            if self.error is not None:
                log.info("bookings listed again")
            self.error = None
            self.bookings = sorted(found, key=lambda b: (b.start_date, b.id))
            self.updated = self.clock()
        for listener in list(self._listeners):
            listener(self)

    def request_refresh(self) -> None:
        """Refresh soon (after a booking or a cancel), without waiting for the interval."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()  # a request made from here on asks for one more refresh
            await self.refresh()
            if isinstance(self.error, AuthError):
                return  # the key was rejected: the tray says so; a new key starts a new agenda
            next_refresh = loop.time() + self.interval
            while loop.time() < next_refresh:
                await self._remind_due()
                if await self._sleep(min(self._seconds_to_reminder(), self.tick, next_refresh - loop.time())):
                    break  # asked to refresh now

    async def _sleep(self, seconds: float) -> bool:
        """Until `seconds` pass (False) or a refresh is asked for (True), one made meanwhile too."""
        try:
            await asyncio.wait_for(self._wake.wait(), max(0.0, seconds))
        except TimeoutError:
            return False
        return True

    def _seconds_to_reminder(self) -> float:
        if self.reminders is None:
            return float("inf")
        now = self.clock()
        at = self.reminders.next_at(self.bookings, now)
        return float("inf") if at is None else max(0.0, (at - now).total_seconds())

    async def _remind_due(self) -> None:
        if self.reminders is None:
            return
        for booking in await self.reminders.due(self.bookings, self.clock()):
            for sink in list(self._remind):
                sink(booking)
