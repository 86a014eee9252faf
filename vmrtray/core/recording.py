"""Starting and stopping a room's cloud recording: the one toggle the tray and vmrctl share.

`openRecord` answering with a recordId does not mean the service records: a recorder joins
the meeting first, and `getLiveRecStatus` says `record: false` with the new recordId until
it has (API_NOTES.md, "the service's pace") — or names a `failedReason`. So a start is
confirmed by asking again with a short backoff until it records, fails, or `wait` runs out
("not confirmed yet": neither started nor failed). Every recordId
the toggle learns goes to the `RecordSink` (the catalog) before anything else can fail.
The outcome carries the reason in words, and the error it came from, so that each face
decides what to do with it (the coordinator marks a room that may not be recorded, vmrctl
picks its exit code).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from vmrtray.api import ApiError, Client, Lang, VmrError

from .catalog import Catalog, Source
from .lang import pick
from .untrusted import plain

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: The business code for "this room may not be recorded" (its subscription has no recording).
MAY_NOT_RECORD = 200004
#: How long a start is confirmed for, by default (vmrctl's `--wait`).
START_WAIT = 30.0
#: The pauses between the confirming questions: from the first to the longest.
CONFIRM_FIRST, CONFIRM_MOST = 0.5, 3.0

#: (record_id, room, source, the room's name when the caller knows it: the Recordings window
#: names a recording still being made by it)
RecordSink = Callable[[str, str, Source, str | None], Awaitable[None]]
StopSink = Callable[[str], Awaitable[None]]  # a recordId that stopped


class Action(StrEnum):
    START = "start"
    STOP = "stop"


@dataclass(frozen=True)
class RecordOutcome:
    room: str
    action: Action
    ok: bool
    record_id: str | None = None
    reason: str = ""  # why not, one sentence in the user's language
    error: VmrError | None = field(default=None, compare=False)  # the service's error, when it gave one
    unconfirmed: bool = False  # a start the service neither confirmed nor refused within the wait

    @property
    def watched(self) -> bool:
        """Told by the coordinator as an event (core.coordinator), once; the tray does not say
        this outcome again. A start the service accepted (openRecord answered with a recordId):
        whatever the outcome says — started, failed with the service's reason, not confirmed
        yet, or the confirming question unanswered — it follows it on its polling and tells its
        end. A stop that closeRecord answered: "recording stopped", told as it answers."""
        return self.record_id is not None and (self.action == Action.START or self.ok)

    @property
    def may_not_record(self) -> bool:
        """The service said this room may not be recorded at all."""
        return isinstance(self.error, ApiError) and self.error.code == MAY_NOT_RECORD

    def describe(self, lang: Lang = "en") -> str:
        if self.ok and self.action == Action.START:
            return pick(lang, f"{self.room}: recording started", f"{self.room}：已开始录制")
        if self.ok:
            return pick(lang, f"{self.room}: recording stopped", f"{self.room}：已停止录制")
        if self.unconfirmed:
            return pick(
                lang,
                f"{self.room}: recording not confirmed yet — {self.reason}",
                f"{self.room}：录制尚未确认——{self.reason}",
            )
        verb_zh = "开始" if self.action == Action.START else "停止"
        return pick(
            lang,
            f"{self.room}: could not {self.action} recording — {self.reason}",
            f"{self.room}：{verb_zh}录制失败——{self.reason}",
        )


def catalog_sink(catalog: Catalog) -> RecordSink:
    """A sink that remembers each recordId in `catalog` (off the event loop)."""

    async def remember(record_id: str, room: str, source: Source, name: str | None) -> None:
        await asyncio.to_thread(catalog.add, record_id, room=room, source=source, room_name=name)

    return remember


async def toggle(
    client: Client,
    room: str,
    action: Action,
    *,
    sink: RecordSink | None = None,
    stopped: StopSink | None = None,
    ours: str | None = None,
    wait: float = START_WAIT,
    lang: Lang = "en",
) -> RecordOutcome:
    """Start or stop recording in `room`; `ours` is the recordId this app last started there;
    a start is confirmed for up to `wait` seconds. A start the service accepted keeps its
    recordId in the outcome even when confirming it failed. A stop is told to `stopped` (its
    files are being made: core.making.catalog_stopped writes that down) after the sink."""
    record_id: str | None = None
    try:
        if action == Action.STOP:
            record_id = await client.close_record(room)
            await remember(sink, record_id, room, Source.OPENED if ours == record_id else Source.SEEN)
            await _tell_stopped(stopped, record_id)
            return RecordOutcome(room, action, True, record_id)
        record_id = await client.open_record(room)
        await remember(sink, record_id, room, Source.OPENED)
        return await _confirm(client, room, record_id, wait, lang)
    except VmrError as error:
        return RecordOutcome(room, action, False, record_id, reason=error.describe(lang), error=error)


async def _confirm(client: Client, room: str, record_id: str, wait: float, lang: Lang) -> RecordOutcome:
    """Ask getLiveRecStatus until it records with `record_id`, names a failure, or `wait` is
    over; a question still unanswered when the wait is over (or, with no wait left, after
    CONFIRM_FIRST: a wait of 0 asks once) is given up — a slow service does not hold the
    caller past its wait."""
    loop = asyncio.get_running_loop()
    deadline, pause = loop.time() + wait, CONFIRM_FIRST
    while True:
        status = await answered_by(max(deadline, loop.time() + CONFIRM_FIRST), client.get_live_rec_status(room))
        if status is not None and status.record and status.record_id == record_id:
            return RecordOutcome(room, Action.START, True, record_id)
        if status is not None and status.failed_reason and status.record_id in (None, "", record_id):
            return RecordOutcome(room, Action.START, False, record_id, failure_words(status.failed_reason, lang))
        left = deadline - loop.time()
        if status is None or left <= 0:
            waited = pick(
                lang,
                f"the service has not said it records after {wait:g} s; it may still start",
                f"等待 {wait:g} 秒后服务仍未确认在录制，可能稍后开始",
            )
            return RecordOutcome(room, Action.START, False, record_id, waited, unconfirmed=True)
        await asyncio.sleep(min(pause, left))
        pause = min(CONFIRM_MOST, pause * 2)


async def answered_by(deadline: float, question: Awaitable[_T]) -> _T | None:
    """`question`'s answer, or None when it has not come by `deadline` (the loop's clock): the
    question is then cancelled. Its own failure (a VmrError) is raised as it is."""
    timeout = asyncio.timeout_at(deadline)
    try:
        async with timeout:
            return await question
    except TimeoutError:
        if timeout.expired():
            return None
        raise


def failure_words(reason: str, lang: Lang = "en") -> str:
    """A failedReason as it is said: the service's words made plain, or that it gave none (a
    reason of only spaces or invisible characters)."""
    return plain(reason) or pick(lang, "the service gave no reason", "服务未说明原因")


async def remember(sink: RecordSink | None, record_id: str, room: str, source: Source, name: str | None = None) -> None:
    """Tell `sink` of a recording; a failing catalog must not stop a toggle the service has
    already carried out, nor the polling that saw it (logged, not raised)."""
    if sink is None:
        return
    try:
        await sink(record_id, room, source, name)
    except Exception:
        log.exception("could not remember recording %s", record_id)


async def _tell_stopped(stopped: StopSink | None, record_id: str) -> None:
    """As `remember`: the service has stopped it; a failing catalog is logged, not raised."""
    if stopped is None:
        return
    try:
        await stopped(record_id)
    except Exception:
        log.exception("could not note that recording %s stopped", record_id)
