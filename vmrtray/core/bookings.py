"""Booking rooms: the checks and calls the booking dialog and `vmrctl book` share.

Times are entered in the user's local zone and sent in the server's (the client formats
them as the document's `YYYY-MM-DD HH:MM`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from vmrtray.api import Booking, BookingRequest, Client

THEME_MAX = 64
PASSWORD = re.compile(r"^\d{4,10}$")
ENTRY_FORMAT = "%Y-%m-%d %H:%M"


class InvalidBooking(ValueError):
    """One or more fields are not valid; `reasons` maps each field to why."""

    def __init__(self, reasons: dict[str, str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(f"{field}: {why}" for field, why in reasons.items()))


def parse_local(text: str, field: str) -> datetime:
    """'YYYY-MM-DD HH:MM' in the user's local zone, as an aware datetime."""
    try:
        return datetime.strptime(text.strip(), ENTRY_FORMAT).astimezone()
    except ValueError:
        raise InvalidBooking({field: f"{text!r} is not a time like 2026-12-01 09:30"}) from None


def build_request(
    *,
    account: str,
    theme: str,
    start: datetime,
    end: datetime | None = None,
    minutes: int | None = None,
    introduction: str = "",
    participants: Sequence[str] = (),
    host_pwd: str = "",
    guest_pwd: str = "",
    auto_open: bool = False,
    pid: int | None = None,
    now: datetime | None = None,
) -> BookingRequest:
    """A checked booking request, or InvalidBooking naming every field that is wrong."""
    reasons: dict[str, str] = {}
    if end is None and minutes is not None:
        if minutes <= 0:
            reasons["minutes"] = "the duration must be more than 0 minutes"
        end = start + timedelta(minutes=minutes)
    if end is None:
        reasons["end"] = "give an end time or a duration"
    elif end <= start:
        reasons["end"] = "the end must be after the start"
    elif end - start > timedelta(hours=24):
        reasons["end"] = "a booking lasts at most 24 hours"
    if start < (now or datetime.now(start.tzinfo)) - timedelta(minutes=1):
        reasons["start"] = "the start is in the past"
    theme = theme.strip()
    if not theme:
        reasons["theme"] = "a theme is required"
    elif len(theme) > THEME_MAX:
        reasons["theme"] = f"the theme has {len(theme)} characters; at most {THEME_MAX}"
    for field, pwd in (("host_pwd", host_pwd), ("guest_pwd", guest_pwd)):
        if pwd and not PASSWORD.match(pwd):
            reasons[field] = "a password is 4 to 10 digits"
    bad_ids = [p for p in participants if not p.strip().isdigit()]
    if bad_ids:
        reasons["participants"] = f"not user ids: {', '.join(bad_ids)}"
    if reasons or end is None:
        raise InvalidBooking(reasons)
    return BookingRequest(
        account=account,
        theme=theme,
        start=start,
        end=end,
        introduction=introduction,
        visitor_ids=tuple(p.strip() for p in participants),
        auto_open=auto_open,
        pid=pid,
        host_pwd=host_pwd,
        guest_pwd=guest_pwd,
    )


async def create(api: Client, request: BookingRequest) -> Booking:
    return await api.create_meeting(request)


async def upcoming_and_past(api: Client, account: str) -> list[Booking]:
    """The account's bookings, sorted by start."""
    return sorted(await api.get_bookings(account), key=lambda b: (b.start_date, b.id))


async def cancel(api: Client, booking_id: str) -> None:
    await api.cancel_meeting(booking_id)
