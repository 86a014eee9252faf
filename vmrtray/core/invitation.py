"""The invitation to a booked meeting: what is copied, shared and put in a calendar.

The guest password is always in it; the host password only when asked for. Every word in it
comes from the service and is made plain (core.untrusted): the invitation is pasted into mail,
chats and calendars, where a control or a bidi override would do what it does there.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from vmrtray.api import Booking, Lang

from . import localtime
from .lang import pick
from .untrusted import plain

#: The longest line of an introduction kept (the service's own limit is far below).
TEXT_LIMIT = 2000
#: The longest link kept whole.
LINK_LIMIT = 2000


def booking_invitation(booking: Booking, zone: ZoneInfo | None = None, *, lang: Lang = "en", host: bool = False) -> str:
    """The meeting's theme, time (in `zone`, else the local one), number, link and passwords."""
    when = localtime.span(booking.start_date, booking.end_date, zone, dash=" – ") + (f" ({zone.key})" if zone else "")
    theme = plain(booking.theme)
    lines = [
        pick(lang, f"Meeting: {theme}", f"会议：{theme}"),
        pick(lang, f"Time: {when}", f"时间：{when}"),
    ]
    if number := plain(booking.sipkey or ""):
        lines.append(pick(lang, f"Meeting number: {number}", f"会议号：{number}"))
    if link := plain(booking.short_address, LINK_LIMIT):
        lines.append(pick(lang, f"Join: {link}", f"入会链接：{link}"))
    guest = plain(booking.random_visitor_pwd)
    lines.append(
        pick(lang, f"Guest password: {guest}", f"访客密码：{guest}")
        if guest
        else pick(lang, "No guest password", "无访客密码")
    )
    if host and (host_pwd := plain(booking.random_host_pwd)):
        lines.append(pick(lang, f"Host password: {host_pwd}", f"主持人密码：{host_pwd}"))
    lines.extend(text_lines(booking.introduction))
    return "\n".join(lines)


def text_lines(text: str) -> list[str]:
    """A text of several lines from the service (a booking's introduction), each made plain
    (core.untrusted): its line breaks kept, every other control, bidi or format character dropped,
    blank lines at its ends left out."""
    lines = [plain(line, TEXT_LIMIT) for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines
