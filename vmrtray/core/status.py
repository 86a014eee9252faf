"""The state of a set of rooms, fetched concurrently under one bound.

`getmeetinginfo` for every room, `getLiveRecStatus` only for rooms that are started. The
coordinator of the tray and `vmrctl status` both use this. The service's words that are
shown — the room's name, a failedReason — are made plain here (core.untrusted), once, so no
face gets them raw: a menu title, an alert, a tooltip, a terminal.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vmrtray.api import Client, LiveRecStatus, MeetingInfo, ServerError, VmrError

from .untrusted import plain

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 16

#: The kinds of unexpected failure already logged with their traceback (once each, not every refresh).
_logged: set[str] = set()


@dataclass(frozen=True)
class RoomStatus:
    room: str
    info: MeetingInfo | None = None
    live: LiveRecStatus | None = None
    error: VmrError | None = None

    @property
    def started(self) -> bool:
        return bool(self.info and self.info.started)

    @property
    def recording(self) -> bool:
        return bool(self.live and self.live.record)

    @property
    def streaming(self) -> bool:
        return bool(self.live and self.live.live)

    def to_api(self) -> dict[str, Any]:
        """The API's own field names, both answers merged, plus `error` when there was one."""
        merged: dict[str, Any] = {"conferenceKey": self.room}
        if self.info is not None:
            merged.update(self.info.to_api())
            merged.pop("code", None)
            merged.pop("msg", None)
            merged.pop("hostpwd", None)  # a glance at a room never shows its host password
        if self.live is not None:
            merged.update(self.live.to_api())
        if self.error is not None:
            merged["error"] = str(self.error)
        return merged


async def fetch_statuses(client: Client, rooms: Sequence[str], *, limit: int = DEFAULT_CONCURRENCY) -> list[RoomStatus]:
    """One status per room, in the order given; a failing room carries its error.

    `limit` workers serve one queue of requests: every room's `getmeetinginfo` first, and a
    started room's `getLiveRecStatus` joins the back of the queue when its answer comes. So
    at most `limit` requests are in flight, all `limit` stay busy until the queue is empty,
    and only `limit` tasks exist however many rooms there are (200 tasks started at once
    stall the event loop for a moment; 16 do not).
    """
    statuses = [RoomStatus(room) for room in rooms]
    queue: deque[tuple[int, bool]] = deque((index, False) for index in range(len(rooms)))  # (room, live?)

    async def worker() -> None:
        while queue:
            index, live = queue.popleft()
            room = rooms[index]
            try:
                if live:
                    live_status = _shown_live(await client.get_live_rec_status(room))
                    statuses[index] = RoomStatus(room, statuses[index].info, live_status)
                    continue
                info = _shown_info(await client.get_meeting_info(room))
            except VmrError as error:
                statuses[index] = RoomStatus(room, error=error)
                continue
            except Exception as error:  # a bug, or an answer no rule foresaw: this room fails alone
                statuses[index] = RoomStatus(room, error=_unexpected(error, room))
                continue
            statuses[index] = RoomStatus(room, info)
            if info.started:
                queue.append((index, True))

    await asyncio.gather(*(worker() for _ in range(min(limit, len(rooms)))))
    return statuses


def _unexpected(error: Exception, room: str) -> VmrError:
    """An exception no rule foresaw, as a failure of the room's answer: the room is marked with a
    sentence, never a traceback, and the others go on; its traceback goes to the log once."""
    kind = type(error).__name__
    if kind not in _logged:
        _logged.add(kind)
        log.warning("an unexpected %s while asking for room %s", kind, room, exc_info=error)
    return ServerError(f"its answer for room {room} could not be read (an unexpected {kind}; see the log)")


def _shown_info(info: MeetingInfo) -> MeetingInfo:
    """The room's name made plain."""
    return info.model_copy(update={"name": plain(info.name)}) if info.name else info


def _shown_live(live: LiveRecStatus) -> LiveRecStatus:
    """The failedReason made plain; one of nothing printable (only spaces, say) stays a
    failure, as one space: core.recording.failure_words says the service gave no reason."""
    reason = live.failed_reason
    return live.model_copy(update={"failed_reason": plain(reason) or " "}) if reason else live
