"""Booking rooms: the checks and calls the booking dialog and `vmrctl book` share.

Times are entered in the user's local zone and sent in the server's (the client formats
them as the document's `YYYY-MM-DD HH:MM`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import Enum
from pathlib import Path
from typing import Any

from vmrtray.api import SERVER_TZ, ApiError, Booking, BookingRequest, Client, Lang, NetworkError, VmrError
from vmrtray.api.client import DEFAULT_TIMEOUT  # an entry journalled without its sender's timeout
from vmrtray.api.models import format_server_time

from . import localtime
from .errors import CoreError
from .lang import pick
from .pending import Claim, ClaimKind, PendingBookings

log = logging.getLogger(__name__)

THEME_MAX = 64
#: The business code for "the room is already booked for that time".
ROOM_TAKEN = 200009
#: ASCII digits only (`\d` in a str pattern also takes Arabic-Indic and other Unicode digits).
PASSWORD = re.compile(r"[0-9]{4,10}")  # fullmatch: `$` would also take a trailing newline
#: A user id: ASCII digits, at most as many as a room's short number (core.settings): the
#: service's ids are a few digits; thousands of them are a paste gone wrong, not an id.
ID_DIGITS = 20
USER_ID = re.compile(rf"[0-9]{{1,{ID_DIGITS}}}")
ENTRY_FORMAT = "%Y-%m-%d %H:%M"
#: A time typed with its UTC offset, as `localtime.shown` writes a repeated one: "2031-10-26
#: 02:30 UTC+01:00" (or "+01:00"), which says which of the two 02:30s is meant.
WITH_OFFSET = re.compile(r"(?P<wall>.*?[0-9])(?:\s+|\s*UTC\s*)(?P<sign>[+-])(?P<h>[0-9]{2}):(?P<m>[0-9]{2})", re.I)
#: How far ahead a booking may start. The service documents no limit and the dialog's date
#: field goes to the year 9999; but a start years away is a mistyped year (2062 for 2026),
#: and one near the year 9999 cannot even be written in the service's zone (an OverflowError
#: after the request was journalled, once). Five years is beyond any room's planning and far
#: inside every zone's range. Counted from today's date (29 February: from the 28th).
MAX_AHEAD_YEARS = 5
#: A booking's longest duration.
MAX_LENGTH = timedelta(hours=24)


class InvalidBooking(ValueError):
    """One or more fields are not valid; `reasons` maps each field to why."""

    def __init__(self, reasons: dict[str, str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(f"{field}: {why}" for field, why in reasons.items()))


def parse_times(start: str, end: str | None, lang: Lang = "en") -> tuple[datetime, datetime | None]:
    """The start and (if given) end as typed, each as `parse_local` reads it; an end without
    a UTC offset after a start with one follows the start's occurrence: of the times the
    clocks repeat, the first one after the start ("02:30 +01:00" to "02:55" is 25 minutes,
    the second 02:55), if one is."""
    begins = parse_local(start, "start", lang)
    if end is None:
        return begins, None
    given = WITH_OFFSET.fullmatch(start.strip()) is not None
    return begins, parse_local(end, "end", lang, after=begins if given else None)


def parse_local(text: str, field: str, lang: Lang = "en", after: datetime | None = None) -> datetime:
    """'YYYY-MM-DD HH:MM' in the user's local zone, as an aware datetime (`local_time`);
    with a UTC offset after it ('2031-10-26 02:30 UTC+01:00', '… +01:00'), the occurrence
    of that wall-clock time at that offset, which must be one it has here. Without one,
    a time the clocks repeat is its first occurrence later than `after`, if one is."""
    written = text.strip()
    offset: timedelta | None = None
    if (given := WITH_OFFSET.fullmatch(written)) is not None:
        hours, minutes = int(given["h"]), int(given["m"])
        if hours > 14 or minutes > 59:
            raise InvalidBooking({field: _unreadable(text, lang)})
        offset = (-1 if given["sign"] == "-" else 1) * timedelta(hours=hours, minutes=minutes)
        written = given["wall"]
    try:
        wall = datetime.strptime(written, ENTRY_FORMAT)
    except ValueError:
        raise InvalidBooking({field: _unreadable(text, lang)}) from None
    return local_time(wall, field, lang, offset, after)


def local_time(
    wall: datetime, field: str, lang: Lang = "en", offset: timedelta | None = None, after: datetime | None = None
) -> datetime:
    """A wall-clock time in the user's local zone (naive), as an aware datetime.

    A time the clocks skip (the hour summer time starts) is refused with why; one they repeat
    (the hour it ends) is its first occurrence, the summer one (as zoneinfo's fold=0), unless
    `offset` says which (or, without it, `after`: the first one later than that), and is
    shown with its UTC offset wherever a booking's times are shown (core.localtime.shown).
    An `offset` the time does not have here is refused with its own."""
    try:
        return localtime.aware(wall, offset, after)
    except localtime.Skipped as skipped:
        raise InvalidBooking({field: skipped_words(skipped, lang)}) from None
    except localtime.NotItsOffset as wrong:
        raise InvalidBooking({field: _not_its_offset(wrong, lang)}) from None
    except (ValueError, OverflowError, OSError):  # a year the platform cannot place
        when = wall.isoformat(" ", "minutes")
        raise InvalidBooking(
            {field: pick(lang, f"{when} is out of the range of times here", f"{when} 超出本地可表示的时间范围")}
        ) from None


def skipped_words(skipped: localtime.Skipped, lang: Lang = "en") -> str:
    """Why a time the clocks skip cannot be booked."""
    when = f"{skipped.wall:%Y-%m-%d %H:%M}"
    if skipped.jump_from is None or skipped.jump_to is None:
        return pick(
            lang,
            f"{when} does not exist here: the clocks skip it that day",
            f"{when} 在本地时区不存在：当天时钟跳过了这一时刻",
        )
    at, to = f"{skipped.jump_from:%H:%M}", f"{skipped.jump_to:%H:%M}"
    return pick(
        lang,
        f"{when} does not exist here: the clocks go forward at {at} that day (to {to})",
        f"{when} 在本地时区不存在：当天 {at} 时钟拨快到 {to}",
    )


def _not_its_offset(wrong: localtime.NotItsOffset, lang: Lang) -> str:
    when = f"{wrong.wall:%Y-%m-%d %H:%M}"
    own = [f"UTC{localtime.offset_words(o)}" for o in wrong.offsets]
    given = f"UTC{localtime.offset_words(wrong.given)}"
    return pick(
        lang,
        f"{when} is at {' or '.join(own)} here, not {given}",
        f"{when} 在本地时区为 {' 或 '.join(own)}，不是 {given}",
    )


def _unreadable(text: str, lang: Lang) -> str:
    shown = _short(text)
    return pick(
        lang,
        f"{shown} is not a time like 2026-12-01 09:30 (or 2026-10-25 02:30 UTC+01:00)",
        f"{shown} 不是时间（格式如 2026-12-01 09:30，或 2026-10-25 02:30 UTC+01:00）",
    )


def _short(text: str, most: int = 40) -> str:
    """`text` as repr, cut to `most` characters: an error repeats what was typed, not a page of it."""
    return repr(text) if len(text) <= most else f"{text[:most]!r}… ({len(text)} characters)"


def _far_ahead(start: datetime, now: datetime, lang: Lang) -> str | None:
    """Why `start` is too far ahead to book, if it is."""
    try:
        latest = now.replace(year=now.year + MAX_AHEAD_YEARS, day=min(now.day, 28) if now.month == 2 else now.day)
    except ValueError:  # a clock near the year 9999: the service's zone decides (`unsendable`)
        return None
    if start <= latest:
        return None
    return pick(
        lang,
        f"the start is more than {MAX_AHEAD_YEARS} years ahead (after {latest:%Y-%m-%d}): check the year",
        f"开始时间在 {MAX_AHEAD_YEARS} 年以后（晚于 {latest:%Y-%m-%d}）：请检查年份",
    )


def unsendable(moment: datetime, zone: tzinfo = SERVER_TZ, lang: Lang = "en") -> str | None:
    """Why `moment` cannot be written in the service's zone and form, if it cannot."""
    try:
        format_server_time(moment, zone)
    except (OverflowError, ValueError, OSError):
        when = moment.isoformat(" ", "minutes")
        return pick(
            lang,
            f"{when} cannot be written in the service's time zone ({zone})",
            f"{when} 无法换算为服务端时区（{zone}）的时间",
        )
    return None


def check_sendable(request: BookingRequest, zone: tzinfo = SERVER_TZ, lang: Lang = "en") -> None:
    """InvalidBooking unless both times of `request` can be sent in the service's `zone`."""
    reasons = {
        field: why
        for field, moment in (("start", request.start), ("end", request.end))
        if (why := unsendable(moment, zone, lang)) is not None
    }
    if reasons:
        raise InvalidBooking(reasons)


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
    lang: Lang = "en",
    zone: tzinfo = SERVER_TZ,
) -> BookingRequest:
    """A checked booking request, or InvalidBooking naming every field that is wrong.
    `zone`: the service's, which both times must be writable in. End after start compares
    instants: 02:50 summer time to 02:10 winter time (the clocks going back) is 20 minutes."""
    reasons: dict[str, str] = {}
    now = now or datetime.now(start.tzinfo)
    too_long = pick(lang, "a booking lasts at most 24 hours", "一次预约最长 24 小时")
    if start < now - timedelta(minutes=1):
        reasons["start"] = pick(lang, "the start is in the past", "开始时间已过")
    elif (far := _far_ahead(start, now, lang) or unsendable(start, zone, lang)) is not None:
        reasons["start"] = far
    if end is None and minutes is not None:
        if minutes <= 0:
            reasons["minutes"] = pick(lang, "the duration must be more than 0 minutes", "时长须大于 0 分钟")
        elif minutes > MAX_LENGTH // timedelta(minutes=1):  # never added: a huge one overflows
            reasons["end"] = too_long
        elif "start" not in reasons or start < now:  # one near the year 9999 is not added to
            end = start + timedelta(minutes=minutes)
    if end is not None:
        if end <= start:
            reasons["end"] = pick(lang, "the end must be after the start", "结束时间须晚于开始时间")
        elif end - start > MAX_LENGTH:
            reasons["end"] = too_long
        elif (unwritable := unsendable(end, zone, lang)) is not None:
            reasons["end"] = unwritable
    elif minutes is None:
        reasons["end"] = pick(lang, "give an end time or a duration", "请填写结束时间或时长")
    theme = theme.strip()
    if not theme:
        reasons["theme"] = pick(lang, "a theme is required", "请填写会议主题")
    elif len(theme) > THEME_MAX:
        reasons["theme"] = pick(
            lang,
            f"the theme has {len(theme)} characters; at most {THEME_MAX}",
            f"主题有 {len(theme)} 个字，最多 {THEME_MAX} 个",
        )
    for field, pwd in (("host_pwd", host_pwd), ("guest_pwd", guest_pwd)):
        if pwd and not PASSWORD.fullmatch(pwd):
            reasons[field] = pick(lang, "a password is 4 to 10 digits 0-9", "密码为 4 到 10 位数字（0-9）")
    bad_ids = [p for p in participants if not USER_ID.fullmatch(p.strip())]
    if bad_ids:
        shown = ", ".join(p if p.isprintable() and len(p) <= ID_DIGITS else _short(p) for p in bad_ids[:5])
        shown += ", …" if len(bad_ids) > 5 else ""
        reasons["participants"] = (
            pick(
                lang,
                f"not user ids (1 to {ID_DIGITS} digits 0-9): ",
                f"不是用户 ID（须为 1 到 {ID_DIGITS} 位数字 0-9）：",
            )
            + shown
        )
    if pid is not None and not 0 < pid < 10**ID_DIGITS:
        reasons["room"] = pick(
            lang, f"a room id is 1 to {ID_DIGITS} digits 0-9", f"会议室 ID 为 1 到 {ID_DIGITS} 位数字（0-9）"
        )
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


def next_half_hour(now: datetime | None = None) -> datetime:
    """The next :00 or :30 after `now`, in the local zone: the dialog's default start."""
    now = (now or datetime.now()).astimezone().replace(second=0, microsecond=0)
    return now + timedelta(minutes=30 - now.minute % 30)


def new_password(digits: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(digits))


#: How far the service's clock may be behind ours and a lost booking still be recognised —
#: only for an entry journalled before the equal bookings were listed ahead of the first send
#: (`before`), which tells ours apart without reading anyone's clock.
CLOCK_SKEW = timedelta(minutes=10)
#: How long after its sender's deadline a create may still be carried out by the service.
#: The client's deadline covers the whole exchange (connect, send, answer), so by then the
#: sender has given up; the margin covers a request that reached the service late in that
#: time and the work the service had begun when the answer was abandoned (the simulator's
#: slowest knob in the tests is 4 s; a gateway answering 504 does so within seconds). Past
#: it, a create is taken as lost and sent again, after one more look.
IN_FLIGHT_MARGIN = timedelta(seconds=10)
#: A create is taken as possibly still carried out for at least this long after it was sent,
#: however short its sender's own deadline (`vmrctl book --timeout 2`): the service does not
#: know that deadline, and its own gateways answer within about this.
IN_FLIGHT_FLOOR = 20.0
#: How often a retry looks for an earlier create that may still be carried out.
LOOK_EVERY = 2.0


class Wait(Enum):
    """Why a submission waits before sending (told to the user as it starts waiting)."""

    OTHER_PROCESS = "other-process"  # another vmrctl or vmrtray is making this same booking
    IN_FLIGHT = "in-flight"  # an earlier try's create may still be carried out by the service


def wait_words(wait: Wait, until: datetime, lang: Lang = "en") -> str:
    """One sentence for a wait (vmrctl's stderr)."""
    at = f"{until.astimezone():%H:%M:%S}"
    if wait is Wait.OTHER_PROCESS:
        return pick(
            lang,
            f"Another vmrctl or vmrtray is making this same booking: waiting for it (until {at} at most).",
            f"另一个 vmrctl 或 vmrtray 正在进行同一预约：等待其完成（最迟到 {at}）。",
        )
    return pick(
        lang,
        f"An earlier try of this same booking may still be carried out by the service: "
        f"looking for it until {at} before sending it again.",
        f"此预约先前的一次尝试可能仍在服务端处理：将查找到 {at}，届时仍未找到才再次发送。",
    )


class BookingBusy(CoreError):
    """Another process holds this same booking and did not finish in time."""

    def __init__(self, theme: str) -> None:
        self.theme = theme
        super().__init__(self.describe("en"))

    def describe(self, lang: Lang = "en") -> str:
        return pick(
            lang,
            f"Another vmrctl or vmrtray is still making the booking “{self.theme}”; nothing was sent. "
            "Look with `vmrctl bookings` once it is done.",
            f"另一个 vmrctl 或 vmrtray 仍在进行预约“{self.theme}”；本次未发送。完成后请用 vmrctl bookings 查看。",
        )


class Submission:
    """One booking the user asked for, made at most once however often it is sent.

    A create that times out or loses its connection may well have been carried out. So after
    such a failure, and before every later attempt, the account's bookings are searched for
    it (same theme, start, end and room, made since this submission began); only when it is
    not there is it sent again. The dialog and `vmrctl book` both submit through this.

    With a journal the promise holds across processes: the request is claimed there first.
    An equal request journalled by a process that is gone is taken over (its start time and
    all) and looked for before anything is sent; while its last create may still be carried
    out, it is looked for again until that time is over. An equal request whose owner is
    alive is waited for, then looked for.
    """

    def __init__(
        self,
        api: Client,
        request: BookingRequest,
        *,
        journal: PendingBookings | None = None,
        began: datetime | None = None,
        timeout: float | None = None,
        tell: Callable[[Wait, datetime], None] | None = None,
    ) -> None:
        """`timeout`: the client's deadline for one answer, `api.timeout` unless given
        (journalled: a settler waits it out before sending again). `tell`: told when the
        submission starts a wait."""
        self.api = api
        self.request = request
        self.began = began or datetime.now(UTC)
        self.uncertain = False  # a create may have reached the service unanswered
        self.recovered = False  # the booking was found, not answered
        self.adopted = False  # an earlier try of this request (another run) was taken over
        self.journal = journal  # where the request waits until settled (survives a crash)
        self.timeout = api.timeout if timeout is None else timeout
        self._tell = tell
        self._claim: Claim | None = None
        self._in_flight_until: datetime | None = None  # an adopted create may land until then
        #: The equal bookings that existed before this request's first create (None: not known).
        self.before: frozenset[str] | None = None

    async def submit(self) -> Booking:
        """Booked (or found booked); InvalidBooking, before anything is journalled or sent,
        for times the service's zone cannot hold."""
        check_sendable(self.request, self.api.server_tz)
        if self.journal is not None and self._claim is None:
            await self._take_part(self.journal)
        if self.uncertain and (found := await self.find()) is not None:
            return found
        if (found := await self._wait_out_in_flight()) is not None:
            return found
        await self._note_before()
        await self._journal_sending()
        try:
            booking = await self.api.create_meeting(self.request)
        except NetworkError:
            self.uncertain = True
            if (found := await self._find_quietly()) is not None:
                return found
            raise
        except ApiError:
            await self._settled(None)  # refused: nothing was booked, nothing to settle later
            raise
        self.uncertain = False
        await self._settled(booking)
        return booking

    async def abandon(self) -> None:
        """The user gave up on it (closed the dialog): a later start does not send it."""
        await self._settled(None)

    async def close(self) -> None:
        """Let go of the journalled entry unsettled (a settler or a retry takes it over)."""
        claim, self._claim = self._claim, None
        if claim is not None:
            await asyncio.to_thread(claim.release)

    async def find(self) -> Booking | None:
        """The booking among the account's, if the service made it; raises if it cannot say."""
        for booking in await self.api.get_bookings(self.request.account):
            if self._is_ours(booking):
                self.uncertain, self.recovered = False, True
                await self._settled(booking)
                return booking
        return None

    def adopt(self, claim: Claim) -> None:
        """Work on a journalled entry we hold (an earlier try): look for it before sending."""
        self._claim = claim
        if claim.before is not None:
            self.before = claim.before
        if claim.kind in (ClaimKind.ADOPTED, ClaimKind.SETTLED):
            self.began, self.uncertain, self.adopted = claim.began, True, True
        if claim.kind is ClaimKind.ADOPTED and claim.sent is not None:  # a settled one was answered
            self._in_flight_until = in_flight_until(claim.sent, claim.timeout)

    @property
    def in_flight_until(self) -> datetime | None:
        """Until when an earlier try's create may still be carried out (None: it cannot)."""
        until = self._in_flight_until
        return until if until is not None and until > datetime.now(UTC) else None

    async def _take_part(self, journal: PendingBookings) -> None:
        """Claim the request in the journal; wait for a live owner of the same one."""
        held: Claim | None = None
        deadline: datetime | None = None
        while True:
            claim = await asyncio.to_thread(journal.claim, self.request, self.began, self.timeout, held)
            if claim.kind is not ClaimKind.BUSY:
                return self.adopt(claim)
            if deadline is None:  # as long as that owner can take: its create, a look, a wait
                deadline = datetime.now(UTC) + 3 * _seconds(max(self.timeout, claim.timeout or 0)) + IN_FLIGHT_MARGIN
                self._say(Wait.OTHER_PROCESS, deadline)
            held = await self._wait_for(journal, claim, deadline)

    async def _wait_for(self, journal: PendingBookings, claim: Claim, deadline: datetime) -> Claim:
        """The entry's lock once its owner lets go. In short slices: a thread blocked on a
        lock cannot be cancelled, and Ctrl-C must not wait for it."""
        while (left := (deadline - datetime.now(UTC)).total_seconds()) > 0:
            held = await asyncio.to_thread(journal.wait_for_owner, claim, min(left, 0.5))
            if held is not None:
                return held
        raise BookingBusy(self.request.theme)

    async def _wait_out_in_flight(self) -> Booking | None:
        """An adopted create may still be carried out: look for it until that time is over."""
        if (until := self.in_flight_until) is None:
            return None
        self._say(Wait.IN_FLIGHT, until)
        while (left := (until - datetime.now(UTC)).total_seconds()) > 0:
            await asyncio.sleep(min(LOOK_EVERY, left))
            if (found := await self.find()) is not None:
                return found
        self._in_flight_until = None
        return await self.find()  # the last look, at the end of the window

    def _say(self, wait: Wait, until: datetime) -> None:
        if self._tell is not None:
            self._tell(wait, until)

    async def _note_before(self) -> None:
        """Before the first create: which equal bookings exist already, so that a later look
        takes only a new one for ours (the service's createTime needs a clock that agrees
        with ours; this does not). A list that cannot be had does not stop the booking: a
        later look then goes by createTime, as it did before there was this list."""
        if self.before is not None or self.uncertain:
            return
        try:
            listed = await self.api.get_bookings(self.request.account)
        except VmrError as error:
            log.info("the bookings could not be listed before booking (%s): told apart by createTime", error)
            return
        self.before = frozenset(b.id for b in listed if self._same(b))

    async def _journal_sending(self) -> None:
        if self.journal is not None and self._claim is not None:
            await asyncio.to_thread(self.journal.sending, self._claim.token, self.timeout, self.before)

    async def _settled(self, booking: Booking | None) -> None:
        """The outcome is known: booked (kept journalled, settled) or not (removed)."""
        claim, self._claim = self._claim, None
        if self.journal is None or claim is None:
            return
        try:
            if booking is None:
                await asyncio.to_thread(self.journal.done, claim.token)
            else:
                await asyncio.to_thread(self.journal.settled, claim.token, str(booking.id))
        finally:
            await asyncio.to_thread(claim.release)

    async def _find_quietly(self) -> Booking | None:
        try:
            return await self.find()
        except NetworkError:
            return None  # still uncertain: the next submit looks again first

    def _same(self, booking: Booking) -> bool:
        """A booking of what this request asks for (whoever made it, whenever)."""
        request = self.request
        return (
            booking.theme.strip() == request.theme
            and _minute(booking.start_date) == _minute(request.start)
            and _minute(booking.end_date) == _minute(request.end)
            and (request.pid is None or booking.biz_product_id == request.pid)
        )

    def _is_ours(self, booking: Booking) -> bool:
        """An equal booking that was not there before our first create (when that is known;
        else one the service says it made since this submission began, give or take its clock)."""
        if not self._same(booking):
            return False
        if self.before is not None:
            return booking.id not in self.before
        return booking.create_time is None or booking.create_time >= self.began - CLOCK_SKEW


def in_flight_until(sent: datetime, timeout: float | None) -> datetime:
    """Until when a create sent at `sent` with that deadline may still be carried out."""
    return sent + _seconds(max(IN_FLIGHT_FLOOR, timeout if timeout is not None else DEFAULT_TIMEOUT)) + IN_FLIGHT_MARGIN


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def _minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


async def create(api: Client, request: BookingRequest, journal: PendingBookings | None = None) -> Booking:
    """Book once: a lost answer is looked for before the caller sees a failure."""
    return await Submission(api, request, journal=journal).submit()


async def upcoming_and_past(api: Client, account: str) -> list[Booking]:
    """The account's bookings, sorted by start."""
    return sorted(await api.get_bookings(account), key=lambda b: (b.start_date, b.id))


async def cancel(api: Client, booking_id: str) -> None:
    await api.cancel_meeting(booking_id)


# -- what a crash left: settled at the next start ------------------------------------------------


@dataclass(frozen=True)
class Settled:
    """What became of a booking a crash (or a kill) left between sending and hearing the answer."""

    request: BookingRequest | None  # None: its entry could not be read (`set_aside`)
    booking: Booking | None  # None: not booked (its time had passed, or the service refused)
    found: bool  # True: it had been booked before the crash; False: sent now (or not at all)
    refusal: ApiError | None = None
    in_flight: datetime | None = None  # left: its last create may be carried out until then
    #: Its entry could not be read or settled: moved out of the journal into this file (kept
    #: for a human to look at), so that it is told once and stops nothing.
    set_aside: Path | None = None

    def title(self, lang: Lang = "en") -> str:
        if self.set_aside is not None or self.request is None:
            return pick(
                lang,
                "An interrupted booking could not be read or settled and was set aside",
                "一个中断的预约无法读取或处理，已移出待处理记录",
            )
        theme = self.request.theme
        if self.in_flight is not None:
            return pick(
                lang,
                f"An interrupted booking: “{theme}” is still being answered by the service",
                f"中断的预约：“{theme}”仍在等待服务端处理",
            )
        if self.booking is None:
            return pick(lang, f"An interrupted booking: “{theme}” was not booked", f"中断的预约：“{theme}”未预约")
        if self.found:
            return pick(
                lang,
                f"An interrupted booking: “{theme}” is booked (confirmed)",
                f"中断的预约：“{theme}”已预约（已确认）",
            )
        return pick(
            lang, f"An interrupted booking: “{theme}” is booked (sent now)", f"中断的预约：“{theme}”已预约（现已发送）"
        )

    def detail(self, lang: Lang = "en") -> str:
        if self.set_aside is not None or self.request is None:
            return str(self.set_aside or "")
        when = _when(self.request.start)
        if self.in_flight is not None:
            at = f"{self.in_flight.astimezone():%H:%M:%S}"
            return pick(
                lang,
                f"{when}: nothing was sent again; it will be looked for again after {at}",
                f"{when}：未再次发送；{at} 之后会再次查找",
            )
        if self.booking is not None:
            return pick(lang, f"{when}, booking id {self.booking.id}", f"{when}，预约 ID {self.booking.id}")
        why = self.refusal.describe(lang) if self.refusal else pick(lang, "its time has passed", "时间已过")
        return f"{when}: {why}" if lang == "en" else f"{when}：{why}"

    def describe(self, lang: Lang = "en") -> str:
        """In one line (vmrctl's stderr)."""
        if self.set_aside is not None or self.request is None:
            return f"{self.title(lang)}: {self.detail(lang)}"
        return f"{self.title(lang)} — {self.detail(lang)}"


def _when(moment: datetime) -> str:
    """`moment` as the user reads it (a time the clocks repeat with its offset); in UTC if
    the local zone cannot hold it (a journal written before such times were refused)."""
    try:
        return localtime.shown(moment)
    except (OverflowError, ValueError, OSError):
        return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


async def settle_pending(
    api: Client, journal: PendingBookings, *, deadline: float | None = None, leave: BookingRequest | None = None
) -> list[Settled]:
    """Each booking left unsettled in `journal` by a process that is gone: found, or sent
    now if still ahead and no earlier create of it can still land, or given up. Entries
    whose owner is alive (a `vmrctl book` waiting for its answer) are not touched, nor
    those equal to `leave` (the request the caller is about to submit: it takes them over).
    `deadline`: this client's timeout (`api.timeout` unless given), journalled with what is sent now."""
    deadline = api.timeout if deadline is None else deadline
    outcomes: list[Settled] = []
    try:
        taken = await asyncio.to_thread(journal.orphans, leave)
    except CoreError:  # the journal's own (its folder or lock cannot be used): said as such
        raise
    except Exception:  # anything else is no reason to fail a listing, a booking or the tray
        log.exception("the interrupted bookings could not be read")
        taken = []
    outcomes += _told_aside(journal)
    try:
        for entry, claim in taken:
            try:
                outcome = await _settle_entry(api, journal, entry, claim, deadline)
            except (VmrError, CoreError):  # the service's or the journal's, not this entry's: all stay
                raise
            except Exception as exc:  # this entry's (a time no zone holds, a field of another kind)
                outcome = await _set_aside(journal, entry, exc)
            if outcome is not None:
                outcomes.append(outcome)
    finally:  # those left (or all, if the service failed us): free for the next settler
        await asyncio.to_thread(_release, [claim for _, claim in taken])
    return outcomes + _told_aside(journal)


def _told_aside(journal: PendingBookings) -> list[Settled]:
    """The entries (or whole journals) `journal` set aside while reading, each told once."""
    return [Settled(None, None, found=False, set_aside=where) for where in journal.taken_aside()]


async def _set_aside(journal: PendingBookings, entry: dict[str, Any], exc: Exception) -> Settled | None:
    """An entry that cannot be read or settled: out of the journal into a file of its own, so
    that it breaks no later listing or booking and is told once; None if that failed (a
    journal that cannot be written: then the next run tries again)."""
    log.info("an interrupted booking cannot be settled (%s: %s): set aside", type(exc).__name__, exc)
    try:
        where = await asyncio.to_thread(journal.set_aside, entry, f"{type(exc).__name__}: {exc}")
    except (OSError, CoreError) as failed:
        log.warning("the unreadable booking could not be set aside either (%s)", failed)
        return None
    return Settled(None, None, found=False, set_aside=where)


def _release(claims: list[Claim]) -> None:
    for claim in claims:
        claim.release()


async def _settle_entry(
    api: Client, journal: PendingBookings, entry: dict[str, Any], claim: Claim, deadline: float
) -> Settled | None:
    request = BookingRequest.model_validate(entry["request"])  # else set aside by the caller
    check_sendable(request, api.server_tz)  # one journalled before such times were refused: likewise
    submission = Submission(api, request, journal=journal, timeout=deadline)
    submission.adopt(claim)
    if (found := await submission.find()) is not None:  # the answer never came: look first
        return Settled(request, found, found=True)
    if request.start <= datetime.now(UTC):
        await submission.abandon()
        return Settled(request, None, found=False)
    if (until := submission.in_flight_until) is not None:  # it may still land: not sent twice
        await submission.close()
        return Settled(request, None, found=False, in_flight=until)
    submission.uncertain = False  # just looked: not there
    try:
        return Settled(request, await submission.submit(), found=False)
    except ApiError as refusal:
        return Settled(request, None, found=False, refusal=refusal)
