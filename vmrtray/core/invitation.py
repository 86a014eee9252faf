"""The invitation to a booked meeting: what is copied, shared and put in a calendar.

The guest password is always in it; the host password only when asked for.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from vmrtray.api import Booking, Lang

from .lang import pick


def booking_invitation(booking: Booking, zone: ZoneInfo | None = None, *, lang: Lang = "en", host: bool = False) -> str:
    """The meeting's theme, time (in `zone`, else the local one), number, link and passwords."""
    start = booking.start_date.astimezone(zone)
    end = booking.end_date.astimezone(zone)
    when = f"{start:%Y-%m-%d %H:%M} – {end:%H:%M}" + (f" ({zone.key})" if zone else "")
    lines = [
        pick(lang, f"Meeting: {booking.theme}", f"会议：{booking.theme}"),
        pick(lang, f"Time: {when}", f"时间：{when}"),
    ]
    if booking.sipkey:
        lines.append(pick(lang, f"Meeting number: {booking.sipkey}", f"会议号：{booking.sipkey}"))
    if booking.short_address:
        lines.append(pick(lang, f"Join: {booking.short_address}", f"入会链接：{booking.short_address}"))
    guest = booking.random_visitor_pwd
    lines.append(
        pick(lang, f"Guest password: {guest}", f"访客密码：{guest}")
        if guest
        else pick(lang, "No guest password", "无访客密码")
    )
    if host and booking.random_host_pwd:
        lines.append(pick(lang, f"Host password: {booking.random_host_pwd}", f"主持人密码：{booking.random_host_pwd}"))
    if booking.introduction:
        lines.append(booking.introduction)
    return "\n".join(lines)
