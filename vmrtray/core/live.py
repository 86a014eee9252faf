"""Starting and stopping a room's live stream: the one path the tray and vmrctl share.

`openLive` answers at once with the watch address (`data.liveurl`); that the meeting is
really streamed is confirmed as a recording's start is (core.recording): `getLiveRecStatus`
is asked with a short backoff until it says `live: true`, or `wait` runs out ("not confirmed
yet"). The address kept is openLive's `liveurl` — the page a viewer opens (API_NOTES.md: "the
watch address") — not the status's `rtmpUrl`, which is the stream itself for a player.

These endpoints are only in the vendor's 2019 document: a server without them answers 404
or a web page, which the client turns into `NoLiveError`; the outcome says so (`no_live`)
so that a face can stop offering live streaming for that server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from vmrtray.api import ApiError, Client, Lang, NoLiveError, VmrError

from .lang import pick
from .recording import Action, answered_by

#: The business codes of the live endpoints: already on, may not be streamed.
ALREADY_ON, MAY_NOT_STREAM = 200002, 200005
#: How long a start is confirmed for, by default.
START_WAIT = 15.0
#: The pauses between the confirming questions: from the first to the longest.
CONFIRM_FIRST, CONFIRM_MOST = 0.5, 3.0

__all__ = ["ALREADY_ON", "MAY_NOT_STREAM", "START_WAIT", "Action", "LiveOutcome", "start", "stop"]


@dataclass(frozen=True)
class LiveOutcome:
    room: str
    action: Action
    ok: bool
    url: str | None = None  # the watch address openLive gave (checked http(s)), also when not confirmed
    reason: str = ""  # why not, one sentence in the user's language
    error: VmrError | None = field(default=None, compare=False)  # the service's error, when it gave one
    unconfirmed: bool = False  # a start the service accepted but did not confirm within the wait

    @property
    def no_live(self) -> bool:
        """The server has no live endpoints at all: stop offering live streaming for it."""
        return isinstance(self.error, NoLiveError)

    @property
    def already_on(self) -> bool:
        """A start refused because the meeting is already streamed (200002)."""
        return isinstance(self.error, ApiError) and self.error.code == ALREADY_ON

    @property
    def may_not_stream(self) -> bool:
        """The service said this meeting may not be streamed (200005)."""
        return isinstance(self.error, ApiError) and self.error.code == MAY_NOT_STREAM

    def describe(self, lang: Lang = "en") -> str:
        if self.ok and self.action == Action.START:
            return pick(
                lang,
                f"{self.room}: live streaming started, watch at {self.url}",
                f"{self.room}：已开始直播，观看地址 {self.url}",
            )
        if self.ok:
            return pick(lang, f"{self.room}: live streaming stopped", f"{self.room}：已停止直播")
        if self.no_live:
            return self.reason
        if self.unconfirmed:
            return pick(
                lang,
                f"{self.room}: live streaming not confirmed yet — {self.reason}",
                f"{self.room}：直播尚未确认——{self.reason}",
            )
        verb_zh = "开始" if self.action == Action.START else "停止"
        return pick(
            lang,
            f"{self.room}: could not {self.action} live streaming — {self.reason}",
            f"{self.room}：{verb_zh}直播失败——{self.reason}",
        )


async def start(client: Client, room: str, *, wait: float = START_WAIT, lang: Lang = "en") -> LiveOutcome:
    """Start streaming `room`'s meeting and confirm it for up to `wait` seconds. A start the
    service accepted keeps its watch address in the outcome even when confirming failed."""
    url: str | None = None
    try:
        url = await client.open_live(room)
        return await _confirm(client, room, url, wait, lang)
    except VmrError as error:
        return LiveOutcome(room, Action.START, False, url, reason=error.describe(lang), error=error)


async def stop(client: Client, room: str, *, lang: Lang = "en") -> LiveOutcome:
    """Stop streaming `room`'s meeting (a meeting not streamed is no error to the service)."""
    try:
        await client.close_live(room)
    except VmrError as error:
        return LiveOutcome(room, Action.STOP, False, reason=error.describe(lang), error=error)
    return LiveOutcome(room, Action.STOP, True)


async def _confirm(client: Client, room: str, url: str, wait: float, lang: Lang) -> LiveOutcome:
    """Ask getLiveRecStatus until it says `live`, or `wait` is over (a question still
    unanswered then is given up)."""
    loop = asyncio.get_running_loop()
    deadline, pause = loop.time() + wait, CONFIRM_FIRST
    while True:
        status = await answered_by(max(deadline, loop.time() + CONFIRM_FIRST), client.get_live_rec_status(room))
        if status is not None and status.live:
            return LiveOutcome(room, Action.START, True, url)
        left = deadline - loop.time()
        if status is None or left <= 0:
            waited = pick(
                lang,
                f"the service has not said it streams after {wait:g} s; it may still start",
                f"等待 {wait:g} 秒后服务仍未确认在直播，可能稍后开始",
            )
            return LiveOutcome(room, Action.START, False, url, waited, unconfirmed=True)
        await asyncio.sleep(min(pause, left))
        pause = min(CONFIRM_MOST, pause * 2)
