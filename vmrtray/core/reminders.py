"""Reminders before a booking of mine starts: each booking once, even across restarts.

A booking is keyed by its id and start, so one moved to another time is reminded again.
The reminded keys are kept in a small JSON file (written atomically) and forgotten a day
after their start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vmrtray.api import Booking

from .atomic import write_atomic

KEEP = timedelta(days=1)


def _key(booking: Booking) -> str:
    return f"{booking.id}@{booking.start_date.astimezone(UTC).isoformat()}"


class Reminders:
    def __init__(self, path: Path, lead: timedelta) -> None:
        self.path = path
        self.lead = lead
        self._done: dict[str, str] = self._load()

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}  # none yet, or unreadable: at worst a reminder comes twice
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    @property
    def enabled(self) -> bool:
        return self.lead > timedelta(0)

    async def due(self, bookings: Iterable[Booking], now: datetime) -> list[Booking]:
        """Bookings whose reminder time has come and that have not started; each only once."""
        if not self.enabled:
            return []
        found = [b for b in bookings if b.start_date - self.lead <= now < b.start_date and _key(b) not in self._done]
        if found:
            for booking in found:
                self._done[_key(booking)] = booking.start_date.astimezone(UTC).isoformat()
            await asyncio.to_thread(self._save, now)
        return sorted(found, key=lambda b: b.start_date)

    def next_at(self, bookings: Iterable[Booking], now: datetime) -> datetime | None:
        """When the next reminder falls due, for a timer; None if none is pending."""
        if not self.enabled:
            return None
        times = [b.start_date - self.lead for b in bookings if b.start_date > now and _key(b) not in self._done]
        return min(times, default=None)

    def _save(self, now: datetime) -> None:
        horizon = now - KEEP
        self._done = {k: v for k, v in self._done.items() if datetime.fromisoformat(v) >= horizon}
        with contextlib.suppress(OSError):  # remembered in memory for this run; a full disk must not stop a reminder
            write_atomic(self.path, json.dumps(self._done, indent=0).encode())
