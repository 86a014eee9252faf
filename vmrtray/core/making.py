"""Recordings being made: after a stop, the service makes and uploads the files before
`getRecords` lists them, and until then it answers an empty list (API_NOTES.md, "the
service's pace"). An empty list right after a stop means "not yet", not "no files".

Each stop this app learns of (its own, `vmrctl record stop`, one seen while polling, the
meeting ending) is written to the catalog (`note_stopped`) with when to ask next.
`FilesWatch.check` asks for those due, with a backoff from FIRST_CHECK doubling to
MOST_BETWEEN, for up to GIVE_UP after the stop; a recording never listed by then is told as
`Unlisted` (most likely deleted) and no longer asked for. The user's "Check now" asks once
more without moving that schedule. The schedule is in the catalog, so a restart goes on
where it was.

Ready is the catalog's word, not the watch's: whoever lists a stopped recording's files
first — this watch, `vmrctl recordings show` in another process, the Recordings window, the
download queue — the catalog marks it ready once (`Catalog.set_files`), and the next turn of
a watch on that catalog takes it and tells it as `Ready` (once, whichever process takes it).
The watch runs on the one poller loop, only while someone listens (the tray, `vmrctl watch`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from vmrtray.api import AuthError, Client, Lang, VmrError

from .catalog import Catalog
from .errors import CatalogBusy, NoFiles
from .lang import pick
from .polling import Poller
from .recordings import listing
from .units import size_text

log = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class OpenRecord:
    """A recording the catalog knows of and does not know stopped (core.coordinator asks)."""

    record_id: str
    room: str
    first_seen: float  # epoch second
    recorded: bool = False  # a status said it records (seen by any process on this catalog)


StopSink = Callable[[str], Awaitable[None]]  # a recordId that stopped


def note_stopped(catalog: Catalog, record_id: str, at: datetime, first_check: float = FIRST_CHECK) -> None:
    """Write down that a recording stopped at `at`: its files are asked for from `first_check`
    seconds later on, by any FilesWatch on this catalog (this process's or another's). Blocks."""
    catalog.stopped(record_id, at, first_check)


def catalog_stopped(catalog: Catalog) -> StopSink:
    """A stop sink for a face without a FilesWatch (vmrctl record stop): the stop is written to
    the catalog as the tray's FilesWatch writes it, and a tray or `vmrctl watch` takes it up."""

    async def stopped(record_id: str) -> None:
        await asyncio.to_thread(note_stopped, catalog, record_id, datetime.fromtimestamp(catalog.clock(), UTC))

    return stopped


class FilesWatch:
    """Asks for the files of stopped recordings until they are listed; tells listeners of each."""

    def __init__(
        self,
        api: Client,
        catalog: Catalog,
        *,
        clock: Callable[[], float] | None = None,
        first_check: float = FIRST_CHECK,
    ) -> None:
        self.api, self.catalog, self.clock = api, catalog, clock or catalog.clock
        self.first_check = first_check  # seconds after a stop before its files are first asked for
        self._next: float | None = None  # epoch second of the next question due, None: nothing to ask
        self._asked: set[str] = set()  # the user's "Check now", for the next turn
        self._failing: dict[str, float] = {}  # recordings whose question failed (logged once) → retry at
        self.poller: Poller[[list[Made]]] = Poller("the recordings being made", self._update, self._interval)

    def add_listener(self, listener: Callable[[list[Made]], None]) -> Callable[[], None]:
        return self.poller.add_listener(listener)

    async def stopped(self, record_id: str, at: datetime | None = None) -> None:
        """A recording stopped: its files are asked for from FIRST_CHECK after `at` (now) on."""
        at = at or datetime.fromtimestamp(self.clock(), UTC)
        await asyncio.to_thread(note_stopped, self.catalog, record_id, at, self.first_check)
        await self._plan()
        self.poller.wake()

    async def open_records(self, rooms: Sequence[str]) -> list[OpenRecord]:
        """The recordings of `rooms` seen within GIVE_UP that this catalog does not know stopped
        (nor listed, nor failed to start): the coordinator compares them with the rooms' state
        at each refresh (core.coordinator), so a stop nobody here saw is followed too. Also
        takes up, at once, a stop another process wrote down since this watch last planned."""
        since = datetime.now(UTC) - timedelta(seconds=GIVE_UP)
        rows = await asyncio.to_thread(self.catalog.open_records, list(rooms), since)
        planned = self._next
        await self._plan()
        if self._next is not None and (planned is None or self._next < planned):
            self.poller.wake()
        return [OpenRecord(record_id, room, float(seen), recorded) for record_id, room, seen, recorded in rows]

    async def recorded(self, record_id: str) -> None:
        """A status said this recording records: `record: false` with its id is a stop from now on."""
        await asyncio.to_thread(self.catalog.recorded, record_id)

    async def start_failed(self, record_id: str) -> None:
        """A start the service refused: no files will come, it is not followed as a stop."""
        await asyncio.to_thread(self.catalog.start_failed, record_id)

    async def check_now(self, record_id: str) -> None:
        """The user's "Check now": asked once at the next turn of the loop, whatever the backoff
        said; when nothing is listed yet, the schedule stays as it was (not one step further)."""
        self._asked.add(record_id)
        self.poller.request_refresh()

    async def check(self) -> list[Made]:
        """Ask once for each recording due (or asked for by the user); what became ready — here
        or through any other listing of the catalog — or was given up."""
        made, rejected = await self._check()
        if rejected is not None:  # what was found is told; the poller counts the rejection: asked again
            # at the backoff (nothing moved on: the schedule stays), a second in a row waits for a new key
            self.poller.notify(made)
            raise rejected
        return made

    async def _check(self) -> tuple[list[Made], AuthError | None]:
        """check's round: what was made, and the rejection of the key that cut it short."""
        now = self.clock()
        asked, self._asked = self._asked, set()
        made: list[Made] = []
        rejected: AuthError | None = None
        for record_id, stopped_at, next_check, checks in await asyncio.to_thread(self.catalog.being_made):
            due = max(next_check, self._failing.get(record_id, 0.0)) <= now
            if due or record_id in asked:
                try:
                    stopped = datetime.fromisoformat(stopped_at).timestamp()
                    made += await self._ask(record_id, stopped, checks, now, due)
                except AuthError as error:  # every other question would be refused as well
                    rejected = error
                    break
        made += await self._ready(now)
        await self._plan()
        return made, rejected

    async def _ask(self, record_id: str, stopped: float, checks: int, now: float, due: bool) -> list[Made]:
        """Ask for one recording's files; a listing marks it ready in the catalog (told by
        `_ready`). Nothing listed moves the schedule on only when the schedule asked. A question
        that fails (the service, the network, the catalog) fails alone: logged once while it
        keeps failing, its schedule kept (asked again at the next turn), the others asked."""
        try:
            await listing(self.api, self.catalog, record_id)
            self._failing.pop(record_id, None)
        except AuthError:
            raise
        except NoFiles:
            self._failing.pop(record_id, None)
            if not due:
                return []
            if now - stopped >= GIVE_UP:
                await asyncio.to_thread(self.catalog.check_again, record_id, None)
                return [Unlisted(record_id)]
            await asyncio.to_thread(self.catalog.check_again, record_id, int(now + pause_after(checks + 1)))
        except (VmrError, CatalogBusy) as error:
            if record_id not in self._failing:
                log.warning("could not ask for the files of recording %s: %s", record_id, error)
            self._failing[record_id] = now + self.first_check  # not asked again before (the schedule stays)
        return []

    async def _ready(self, now: float) -> list[Made]:
        """The recordings the catalog marked ready since the last turn, whoever listed them."""
        taken = await asyncio.to_thread(self.catalog.told_ready, int(now - GIVE_UP))
        return [Ready(r.record_id, r.room, r.room_name, r.files, r.size) for r in taken]

    async def _update(self) -> None:
        # told at each turn, even of nothing: the download-when-ready listener looks then for
        # recordings another process (or a run that crashed) found ready
        self.poller.notify(await self.check())

    async def _plan(self) -> None:
        due = await asyncio.to_thread(self.catalog.being_made)
        at = [max(float(next_check), self._failing.get(record_id, 0.0)) for record_id, _, next_check, _ in due]
        self._next = min(at) if at else None

    def _interval(self) -> float:
        """Until the next question is due (at least a second; at most MOST_BETWEEN when idle)."""
        if self._next is None:
            return MOST_BETWEEN
        return min(MOST_BETWEEN, max(1.0, self._next - self.clock()))
