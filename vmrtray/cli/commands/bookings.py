"""`book`, `bookings` and `cancel`: the account's bookings, settled first when a run was cut short."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from vmrtray.api import ApiError, Booking, BookingRequest, Client
from vmrtray.core import bookings, slots
from vmrtray.core.directory import RoomDirectory
from vmrtray.core.ics import save_ics
from vmrtray.core.lang import pick
from vmrtray.core.paths import data_dir
from vmrtray.core.pending import PendingBookings
from vmrtray.core.untrusted import plain

from ..context import Context
from ..exits import Exit, UsageError
from ..output import local_time, warn


async def book(ctx: Context) -> int:
    request = _request(ctx)
    ics = await asyncio.to_thread(_ics_target, ctx)  # a file that cannot be one: said before booking
    async with ctx.client() as api:
        journal = await _settle_pending(ctx, api, leave=request)  # ours is taken over below, not settled
        submission = bookings.Submission(
            api,
            request,
            journal=journal,
            timeout=_deadline(ctx),
            tell=lambda wait, until: warn(bookings.wait_words(wait, until, ctx.lang)),
        )
        try:
            booking = await submission.submit()
        except ApiError as error:
            if error.code == bookings.ROOM_TAKEN:
                directory = RoomDirectory(api, ctx.account)
                _propose(ctx, await slots.alternatives(api, directory, request.pid, request.start, request.end))
            raise
    if submission.adopted and submission.recovered:
        _say_already(ctx, booking)
    if ics is not None:
        await asyncio.to_thread(_write_ics, ctx, ics, [booking])
    ctx.emit(booking.to_api())
    _say_booked(ctx, booking)
    return Exit.OK


def _deadline(ctx: Context) -> float:
    """The client's timeout for one answer (journalled with each create)."""
    return ctx.timeout or ctx.settings.timeout


def _say_already(ctx: Context, booking: Booking) -> None:
    """On stderr: this run sent nothing, an earlier run (or another process) had booked it."""
    warn(
        pick(
            ctx.lang,
            f"Already booked (an earlier try of this same booking went through): booking id {booking.id}; "
            "nothing was sent again.",
            f"已预约（此预约先前的一次尝试已成功）：预约 ID {booking.id}；未再次发送。",
        )
    )


def _request(ctx: Context) -> BookingRequest:
    """The booking the arguments describe, checked before anything is sent."""
    args = ctx.args
    if (args.end is None) == (args.minutes is None):
        raise UsageError("give either --end or --minutes")
    start, end = bookings.parse_times(args.start, args.end or None, ctx.lang)
    return bookings.build_request(
        account=ctx.account,
        theme=args.theme,
        start=start,
        end=end,
        minutes=args.minutes,
        introduction=args.intro or "",
        participants=[p for p in (args.participants or "").split(",") if p.strip()],
        host_pwd=args.host_pwd or "",
        guest_pwd=args.guest_pwd or "",
        auto_open=args.auto_open,
        pid=args.room,
        lang=ctx.lang,
    )


def _say_booked(ctx: Context, booking: Booking) -> None:
    """What was booked, in lines of their own: the service's words in them (theme, link,
    passwords) made plain, so that a line break or an escape in them adds no line."""
    when = f"{local_time(booking.start_date)} – {local_time(booking.end_date)}"
    theme, link = plain(booking.theme), plain(booking.short_address or "")
    host, guest = plain(booking.random_host_pwd or ""), plain(booking.random_visitor_pwd or "")
    ctx.say(
        f"Booked {theme!r}: room {booking.sipkey}, {when}, "
        f"booking id {booking.id}.\n  share link: {link}\n  host password: {host}"
        f"\n  guest password: {guest or '(none)'}",
        f"已预约“{theme}”：会议室 {booking.sipkey}，{when}，"
        f"预约 ID {booking.id}。\n  分享链接：{link}\n  主持人密码：{host}"
        f"\n  访客密码：{guest or '（无）'}",
    )


def _propose(ctx: Context, offer: slots.Alternatives) -> None:
    """On stderr (stdout may be --json data): what could be booked instead."""
    lines = [f"  {local_time(start)}" for start in offer.starts]
    lines += [f"  --room {room.pid}  ({room.p_desc or room.sipkey})" for room in offer.rooms]
    if lines:
        heading = pick(ctx.lang, "Free instead (as far as this account can see):", "可改约（据本账号可见的预约）：")
        print(heading, file=sys.stderr)
        print("\n".join(lines), file=sys.stderr)


def _ics_target(ctx: Context) -> Path | None:
    """`--ics FILE`, refused before anything is sent when it cannot be a file to write: empty,
    or naming what is there and no file (a folder, /dev/null or another device, a pipe: the
    file is written through a temporary one and a rename, which would put a file in place of
    /dev/null for root), or a file in the place of its folder."""
    given = ctx.args.ics
    if given is None:
        return None
    if not given.strip():
        raise UsageError("--ics: an empty file name: name the file to write the calendar to")
    path = Path(given)
    try:
        if "\x00" in given:
            raise ValueError("a NUL")
        if path.exists() and not path.is_file():
            raise UsageError(f"cannot write {path}: it is not a file (a folder or a device): name a file")
        if path.parent.exists() and not path.parent.is_dir():
            raise UsageError(f"cannot write {path}: {path.parent} is not a folder")
    except (OSError, ValueError):  # a NUL in the name, a path the system refuses to look at
        raise UsageError(f"cannot write {path}: not a file name") from None
    return path


def _write_ics(ctx: Context, path: Path, found: Sequence[Booking]) -> None:
    try:
        save_ics(path, found, ctx.settings.zone, host=urlsplit(ctx.server).hostname or "vmrtray")
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or "not a file name"
        raise UsageError(f"cannot write {path}: {why}") from None


async def _settle_pending(ctx: Context, api: Client, leave: BookingRequest | None = None) -> PendingBookings:
    """What an interrupted `book` (or tray) left unsettled: found, sent, given up, or left
    while it may still land; said on stderr. Another process's booking in flight is not
    touched; `leave`: the request about to be booked (it takes its own entries over)."""
    journal = PendingBookings(data_dir(), api.server, ctx.account)
    for outcome in await bookings.settle_pending(api, journal, deadline=_deadline(ctx), leave=leave):
        warn(outcome.describe(ctx.lang))
    return journal


async def list_bookings(ctx: Context) -> int:
    ics = await asyncio.to_thread(_ics_target, ctx)
    async with ctx.client() as api:
        await _settle_pending(ctx, api)
        found = await bookings.upcoming_and_past(api, ctx.account)
    if ics is not None:
        await asyncio.to_thread(_write_ics, ctx, ics, found)
    ctx.emit(
        [b.to_api() for b in found],
        lambda: (
            ["ID", "THEME", "ROOM", "START", "END", "PEOPLE"],
            [
                [b.id, b.theme, b.sipkey or "", local_time(b.start_date), local_time(b.end_date), len(b.visitor_list)]
                for b in found
            ],
        ),
    )
    if not found:
        ctx.say("No bookings.", "没有预约。")
    return Exit.OK


async def cancel(ctx: Context) -> int:
    booking_id = ctx.args.booking_id.strip()
    if not (booking_id.isascii() and booking_id.isdigit()):  # isdigit alone takes "١٢٣", which the service does not
        raise UsageError(f"{ctx.args.booking_id!r} is not a booking id (ASCII digits 0-9)")
    async with ctx.client() as api:
        await bookings.cancel(api, booking_id)
    ctx.emit({"id": booking_id, "cancelled": True})
    ctx.say(f"Cancelled booking {booking_id}.", f"已取消预约 {booking_id}。")
    return Exit.OK
