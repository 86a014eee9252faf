"""Booking rooms: the checks and calls the booking dialog and `vmrctl book` share.

Times are entered in the user's local zone and sent in the server's (the client formats
them as the document's `YYYY-MM-DD HH:MM`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from vmrtray.api import ApiError, Booking, BookingRequest, Client, Lang, NetworkError

from .lang import pick
from .pending import PendingBookings

log = logging.getLogger(__name__)

THEME_MAX = 64
#: The business code for "the room is already booked for that time".
ROOM_TAKEN = 200009
PASSWORD = re.compile(r"^\d{4,10}$")
ENTRY_FORMAT = "%Y-%m-%d %H:%M"


class InvalidBooking(ValueError):
    """One or more fields are not valid; `reasons` maps each field to why."""

    def __init__(self, reasons: dict[str, str]) -> None:
        self.reasons = reasons
        super().__init__("; ".join(f"{field}: {why}" for field, why in reasons.items()))


def parse_local(text: str, field: str, lang: Lang = "en") -> datetime:
    """'YYYY-MM-DD HH:MM' in the user's local zone, as an aware datetime."""
    try:
        return datetime.strptime(text.strip(), ENTRY_FORMAT).astimezone()
    except ValueError:
        raise InvalidBooking(
            {
                field: pick(
                    lang,
                    f"{text!r} is not a time like 2026-12-01 09:30",
                    f"{text!r} 不是时间（格式如 2026-12-01 09:30）",
                )
            }
        ) from None


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
) -> BookingRequest:
    """A checked booking request, or InvalidBooking naming every field that is wrong."""
    reasons: dict[str, str] = {}
    if end is None and minutes is not None:
        if minutes <= 0:
            reasons["minutes"] = pick(lang, "the duration must be more than 0 minutes", "时长须大于 0 分钟")
        end = start + timedelta(minutes=minutes)
    if end is None:
        reasons["end"] = pick(lang, "give an end time or a duration", "请填写结束时间或时长")
    elif end <= start:
        reasons["end"] = pick(lang, "the end must be after the start", "结束时间须晚于开始时间")
    elif end - start > timedelta(hours=24):
        reasons["end"] = pick(lang, "a booking lasts at most 24 hours", "一次预约最长 24 小时")
    if start < (now or datetime.now(start.tzinfo)) - timedelta(minutes=1):
        reasons["start"] = pick(lang, "the start is in the past", "开始时间已过")
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
        if pwd and not PASSWORD.match(pwd):
            reasons[field] = pick(lang, "a password is 4 to 10 digits", "密码为 4 到 10 位数字")
    bad_ids = [p for p in participants if not p.strip().isdigit()]
    if bad_ids:
        reasons["participants"] = pick(lang, "not user ids: ", "不是用户 ID：") + ", ".join(bad_ids)
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


#: How far the service's clock may be behind ours and a lost booking still be recognised.
CLOCK_SKEW = timedelta(minutes=10)


class Submission:
    """One booking the user asked for, made at most once however often it is sent.

    A create that times out or loses its connection may well have been carried out. So after
    such a failure, and before every later attempt, the account's bookings are searched for
    it (same theme, start, end and room, made since this submission began); only when it is
    not there is it sent again. The dialog and `vmrctl book` both submit through this.
    """

    def __init__(
        self,
        api: Client,
        request: BookingRequest,
        *,
        journal: PendingBookings | None = None,
        began: datetime | None = None,
    ) -> None:
        self.api = api
        self.request = request
        self.began = began or datetime.now(UTC)
        self.uncertain = False  # a create may have reached the service unanswered
        self.recovered = False  # the booking was found, not answered
        self.journal = journal  # where the request waits until settled (survives a crash)
        self._token: str | None = None

    async def submit(self) -> Booking:
        if self.journal is not None and self._token is None:
            self._token = await asyncio.to_thread(self.journal.add, self.request, self.began)
        if self.uncertain and (found := await self.find()) is not None:
            return found
        try:
            booking = await self.api.create_meeting(self.request)
        except NetworkError:
            self.uncertain = True
            if (found := await self._find_quietly()) is not None:
                return found
            raise
        except ApiError:
            await self._settled()  # refused: nothing was booked, nothing to settle later
            raise
        self.uncertain = False
        await self._settled()
        return booking

    async def abandon(self) -> None:
        """The user gave up on it (closed the dialog): a later start does not send it."""
        await self._settled()

    async def _settled(self) -> None:
        if self.journal is not None and self._token is not None:
            await asyncio.to_thread(self.journal.done, self._token)
            self._token = None

    async def find(self) -> Booking | None:
        """The booking among the account's, if the service made it; raises if it cannot say."""
        for booking in await self.api.get_bookings(self.request.account):
            if self._is_ours(booking):
                self.uncertain, self.recovered = False, True
                await self._settled()
                return booking
        return None

    async def _find_quietly(self) -> Booking | None:
        try:
            return await self.find()
        except NetworkError:
            return None  # still uncertain: the next submit looks again first

    def _is_ours(self, booking: Booking) -> bool:
        request = self.request
        return (
            booking.theme.strip() == request.theme
            and _minute(booking.start_date) == _minute(request.start)
            and _minute(booking.end_date) == _minute(request.end)
            and (request.pid is None or booking.biz_product_id == request.pid)
            and (booking.create_time is None or booking.create_time >= self.began - CLOCK_SKEW)
        )


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

    request: BookingRequest
    booking: Booking | None  # None: not booked (its time had passed, or the service refused)
    found: bool  # True: it had been booked before the crash; False: sent now (or not at all)
    refusal: ApiError | None = None

    def title(self, lang: Lang = "en") -> str:
        theme = self.request.theme
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
        when = f"{self.request.start.astimezone():%Y-%m-%d %H:%M}"
        if self.booking is not None:
            return pick(lang, f"{when}, booking id {self.booking.id}", f"{when}，预约 ID {self.booking.id}")
        why = self.refusal.describe(lang) if self.refusal else pick(lang, "its time has passed", "时间已过")
        return f"{when}: {why}" if lang == "en" else f"{when}：{why}"

    def describe(self, lang: Lang = "en") -> str:
        """In one line (vmrctl's stderr)."""
        return f"{self.title(lang)} — {self.detail(lang)}"


async def settle_pending(api: Client, journal: PendingBookings) -> list[Settled]:
    """Each booking a crash left in `journal`: found, or sent now if still ahead, or given up."""
    outcomes = []
    for entry in await asyncio.to_thread(journal.entries):
        try:
            request = BookingRequest.model_validate(entry["request"])
            began = datetime.fromisoformat(entry["began"])
        except (KeyError, ValueError) as exc:
            log.warning("a pending booking cannot be read (%s): dropped", exc)
            await asyncio.to_thread(journal.done, str(entry.get("token")))
            continue
        outcomes.append(await _settle(Submission(api, request, began=began)))
        await asyncio.to_thread(journal.done, entry["token"])
    return outcomes


async def _settle(submission: Submission) -> Settled:
    request = submission.request
    if (found := await submission.find()) is not None:  # the answer never came: look first
        return Settled(request, found, found=True)
    if request.start <= datetime.now(UTC):
        return Settled(request, None, found=False)
    try:
        return Settled(request, await submission.submit(), found=False)
    except ApiError as refusal:
        return Settled(request, None, found=False, refusal=refusal)
