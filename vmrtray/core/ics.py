"""Bookings as an iCalendar file (RFC 5545) that any calendar app imports.

Times carry the service's zone (a VTIMEZONE is included), so a calendar in another zone
shows the right moment. The service's words (theme, link, introduction…) are made plain
(core.untrusted) before `icalendar` escapes and folds them (RFC 5545): a CR/LF in them can
neither break the file (a URI with one is refused: ValueError) nor add lines of its own.
`icalendar` is imported on use: the tray never pays for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from vmrtray.api import Booking

from .atomic import write_atomic
from .invitation import LINK_LIMIT, booking_invitation
from .untrusted import plain

PRODID = "-//vmrtray//vmrtray bookings//EN"


def to_ics(bookings: Sequence[Booking], zone: ZoneInfo, *, host: str = "vmrtray") -> bytes:
    """One VEVENT per booking; `host` (the service's) makes each UID unique to its service."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    stamp = datetime.now(UTC)
    for booking in bookings:
        event = Event()
        event.add("uid", f"booking-{plain(booking.id)}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", booking.start_date.astimezone(zone))
        event.add("dtend", booking.end_date.astimezone(zone))
        event.add("summary", plain(booking.theme) or f"Booking {plain(booking.id)}")
        event.add("description", booking_invitation(booking, zone))  # every line made plain
        if address := plain(booking.short_address, LINK_LIMIT):
            event.add("location", address)
            if address.startswith(("http://", "https://")) and not any(ch.isspace() for ch in address):
                event.add("url", address)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def save_ics(path: Path, bookings: Sequence[Booking], zone: ZoneInfo, *, host: str = "vmrtray") -> Path:
    return write_atomic(path, to_ics(bookings, zone, host=host))
