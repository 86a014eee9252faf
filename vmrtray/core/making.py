"""Recordings being made: after a stop, the service makes and uploads the files before
`getRecords` lists them, and until then it answers an empty list (API_NOTES.md, "the
service's pace"). An empty list right after a stop means "not yet", not "no files".

Each stop this app learns of (its own, one seen while polling, the meeting ending) is
written to the catalog (`stopped`) with when to ask next. `FilesWatch.check` asks for those
due, with a backoff from FIRST_CHECK doubling to MOST_BETWEEN, for up to GIVE_UP after the
stop: a listing is kept in the catalog and told as `Ready`; a recording never listed by
then is told as `Unlisted` (most likely deleted) and no longer asked for. The schedule is
in the catalog, so a restart goes on where it was. The watch runs on the one poller loop,
only while someone listens (the tray, `vmrctl watch`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from vmrtray.api import Client, Lang

from .catalog import Catalog
from .errors import NoFiles
from .lang import pick
from .polling import Poller
from .recordings import listing
from .units import size_text

FIRST_CHECK = 15.0  # seconds after the stop
MOST_BETWEEN = 600.0  # the longest pause between two questions
GIVE_UP = 48 * 3600.0  # after the stop


def pause_after(checks: int) -> float:
    """The pause before question `checks + 1`: 15 s, 30 s, 60 s … at most 10 min."""
    return min(MOST_BETWEEN, FIRST_CHECK * 2.0 ** min(checks, 16))


@dataclass(frozen=True)
class Ready:
    """A recording whose files are listed now."""

    record_id: str
    room: str
    room_name: str
    files: int
    size: int

    def describe(self, lang: Lang = "en") -> str:
        where = self.room_name or self.room
        size = size_text(self.size)
        return pick(
            lang,
            f"Recording of {where} is ready: {self.files} file{'s' if self.files != 1 else ''}, {size}",
            f"{where} 的录制已就绪：{self.files} 个文件，{size}",
        )


@dataclass(frozen=True)
class Unlisted:
    """A recording the service never listed within GIVE_UP of its stop."""

    record_id: str

    def describe(self, lang: Lang = "en") -> str:
        hours = int(GIVE_UP // 3600)
        return pick(
            lang,
            f"Recording {self.record_id} was still not listed {hours} hours after it stopped: most likely deleted",
            f"录制 {self.record_id} 停止 {hours} 小时后仍未列出文件：很可能已被删除",
        )


Made = Ready | Unlisted


class FilesWatch:
    """Asks for the files of stopped recordings until they are listed; tells listeners of each."""

    def __init__(
        self, api: Client, catalog: Catalog, *, clock: Callable[[], float] = time.time, first_check: float = FIRST_CHECK
    ) -> None:
        self.api, self.catalog, self.clock = api, catalog, clock
        self.first_check = first_check  # seconds after a stop before its files are first asked for
        self._next: float | None = None  # epoch second of the next question due, None: nothing to ask
        self.poller: Poller[[list[Made]]] = Poller("the recordings being made", self._update, self._interval)

    def add_listener(self, listener: Callable[[list[Made]], None]) -> Callable[[], None]:
        return self.poller.add_listener(listener)

    async def stopped(self, record_id: str, at: datetime | None = None) -> None:
        """A recording stopped: its files are asked for from FIRST_CHECK after `at` (now) on."""
        await asyncio.to_thread(self.catalog.stopped, record_id, at or datetime.now(UTC), self.first_check)
        await self._plan()
        self.poller.wake()

    async def check_now(self, record_id: str) -> None:
        """The user's "Check now": asked at the next turn of the loop, whatever the backoff said."""
        await asyncio.to_thread(self.catalog.check_again, record_id, int(self.clock()))
        await self._plan()
        self.poller.request_refresh()

    async def check(self) -> list[Made]:
        """Ask once for each recording due; what became ready or was given up."""
        now = self.clock()
        made: list[Made] = []
        for record_id, stopped_at, next_check, checks in await asyncio.to_thread(self.catalog.being_made):
            if next_check > now:
                break  # in order of next_check: the rest are not due either
            made += await self._ask(record_id, datetime.fromisoformat(stopped_at).timestamp(), checks, now)
        await self._plan()
        return made

    async def _ask(self, record_id: str, stopped: float, checks: int, now: float) -> list[Made]:
        try:
            listed = await listing(self.api, self.catalog, record_id)
        except NoFiles:
            if now - stopped >= GIVE_UP:
                await asyncio.to_thread(self.catalog.check_again, record_id, None)
                return [Unlisted(record_id)]
            await asyncio.to_thread(self.catalog.check_again, record_id, int(now + pause_after(checks + 1)))
            return []
        await asyncio.to_thread(self.catalog.listed_at_last, record_id, int(now))
        files, size = listed.files, sum(f.file_size for f in listed.files)
        return [Ready(record_id, files[0].conference_key, listed.room_name, len(files), size)]

    async def _update(self) -> None:
        # told at each turn, even of nothing: the download-when-ready listener looks then for
        # recordings another process (or a run that crashed) found ready
        self.poller.notify(await self.check())

    async def _plan(self) -> None:
        due = await asyncio.to_thread(self.catalog.being_made)
        self._next = float(due[0][2]) if due else None

    def _interval(self) -> float:
        """Until the next question is due (at least a second; at most MOST_BETWEEN when idle)."""
        if self._next is None:
            return MOST_BETWEEN
        return min(MOST_BETWEEN, max(1.0, self._next - self.clock()))
