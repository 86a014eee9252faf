"""Free times and free rooms, proposed when the service says a room is taken (200009).

Only the bookings the account can see are known, so a proposal is a good guess, not a
promise: the service still decides when it is booked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from vmrtray.api import Booking, Client, Room

from .directory import RoomDirectory

STEP = timedelta(minutes=30)
HORIZON = timedelta(days=7)


@dataclass(frozen=True)
class Alternatives:
    """Other starts for the same room (nearest first) and other rooms free at the asked time."""

    starts: list[datetime]
    rooms: list[Room]


def overlaps(booking: Booking, start: datetime, end: datetime) -> bool:
    return booking.start_date < end and start < booking.end_date


def is_free(bookings: Iterable[Booking], pid: int | None, start: datetime, end: datetime) -> bool:
    return not any(b.biz_product_id == pid and overlaps(b, start, end) for b in bookings)


def nearest_free_starts(
    bookings: Sequence[Booking],
    pid: int | None,
    start: datetime,
    length: timedelta,
    *,
    not_before: datetime,
    count: int = 3,
) -> list[datetime]:
    """Up to `count` starts for `pid`, stepping out from `start` both ways, nearest first."""
    found: list[datetime] = []
    steps = int(HORIZON / STEP)
    for k in range(1, steps + 1):
        for candidate in (start - k * STEP, start + k * STEP):
            if candidate >= not_before and is_free(bookings, pid, candidate, candidate + length):
                found.append(candidate)
                if len(found) == count:
                    return found
    return found


def free_rooms(rooms: Sequence[Room], bookings: Sequence[Booking], start: datetime, end: datetime) -> list[Room]:
    return [room for room in rooms if is_free(bookings, room.pid, start, end)]


async def alternatives(
    api: Client,
    directory: RoomDirectory,
    pid: int | None,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
) -> Alternatives:
    """What to offer instead of a taken room: nearby starts for it, other rooms at that time."""
    bookings = await api.get_bookings(directory.account)
    rooms = await directory.rooms()
    not_before = (now or datetime.now(start.tzinfo)).replace(second=0, microsecond=0)
    starts = nearest_free_starts(bookings, pid, start, end - start, not_before=not_before) if pid else []
    others = [room for room in free_rooms(rooms, bookings, start, end) if room.pid != pid]
    return Alternatives(starts, others)
