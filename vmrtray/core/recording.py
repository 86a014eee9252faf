"""Starting and stopping a room's cloud recording: the one toggle the tray and vmrctl share.

`openRecord` answering with a recordId does not mean the service records: it may accept
and fail a moment later, so a start is confirmed with `getLiveRecStatus`. Every recordId
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

from vmrtray.api import ApiError, Client, Lang, VmrError

from .catalog import Catalog, Source
from .lang import pick

log = logging.getLogger(__name__)

#: The business code for "this room may not be recorded" (its subscription has no recording).
MAY_NOT_RECORD = 200004

RecordSink = Callable[[str, str, Source], Awaitable[None]]  # (record_id, room, source)


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

    @property
    def may_not_record(self) -> bool:
        """The service said this room may not be recorded at all."""
        return isinstance(self.error, ApiError) and self.error.code == MAY_NOT_RECORD

    def describe(self, lang: Lang = "en") -> str:
        if self.ok and self.action == Action.START:
            return pick(lang, f"{self.room}: recording started", f"{self.room}：已开始录制")
        if self.ok:
            return pick(lang, f"{self.room}: recording stopped", f"{self.room}：已停止录制")
        verb_zh = "开始" if self.action == Action.START else "停止"
        return pick(
            lang,
            f"{self.room}: could not {self.action} recording — {self.reason}",
            f"{self.room}：{verb_zh}录制失败——{self.reason}",
        )


def catalog_sink(catalog: Catalog) -> RecordSink:
    """A sink that remembers each recordId in `catalog` (off the event loop)."""

    async def remember(record_id: str, room: str, source: Source) -> None:
        await asyncio.to_thread(catalog.add, record_id, room=room, source=source)

    return remember


async def toggle(
    client: Client,
    room: str,
    action: Action,
    *,
    sink: RecordSink | None = None,
    ours: str | None = None,
    lang: Lang = "en",
) -> RecordOutcome:
    """Start or stop recording in `room`; `ours` is the recordId this app last started there."""
    try:
        if action == Action.STOP:
            record_id = await client.close_record(room)
            await remember(sink, record_id, room, Source.OPENED if ours == record_id else Source.SEEN)
            return RecordOutcome(room, action, True, record_id)
        record_id = await client.open_record(room)
        await remember(sink, record_id, room, Source.OPENED)
        status = await client.get_live_rec_status(room)
    except VmrError as error:
        return RecordOutcome(room, action, False, reason=error.describe(lang), error=error)
    if status.record and status.record_id == record_id:
        return RecordOutcome(room, action, True, record_id)
    reason = status.failed_reason or pick(lang, "the service did not start recording", "服务未开始录制")
    return RecordOutcome(room, action, False, record_id, reason)


async def remember(sink: RecordSink | None, record_id: str, room: str, source: Source) -> None:
    """Tell `sink` of a recording; a failing catalog must not stop a toggle the service has
    already carried out, nor the polling that saw it (logged, not raised)."""
    if sink is None:
        return
    try:
        await sink(record_id, room, source)
    except Exception:
        log.exception("could not remember recording %s", record_id)
