"""Download when ready: a recording whose files the service lists at last (making.Ready) is
queued at once when the setting wants it — the ones this app started, or every recording of
a favourite room. The queue does the rest as for a download the user asked for: a fresh
link, resume, verify, the opt-in delete; a file already downloaded is not fetched again.

"Ready, not yet handed on" is kept in the catalog (`ready_at`), not in memory: a crash between
the listing and the queueing, a failure to queue (the network), or another process that found
the recording ready first, all end with the recording queued at a later turn. Only a recording
ready within READY_WINDOW is taken: turning the setting on does not fetch last month's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection

from vmrtray.api import VmrError

from .catalog import Catalog, Source
from .errors import CoreError
from .making import GIVE_UP, Made
from .settings import AutoFetch
from .targets import DownloadError

log = logging.getLogger(__name__)

READY_WINDOW = GIVE_UP  # seconds: how long a ready recording waits to be handed on

Queue = Callable[[str], Awaitable[object]]  # DownloadQueue.add


def wanted(policy: AutoFetch, source: str, room: str | None, favourites: Collection[str]) -> bool:
    """Whether a ready recording (learned of as `source`, in `room`) is downloaded at once."""
    if policy is AutoFetch.MINE:
        return source == Source.OPENED
    if policy is AutoFetch.FAVOURITES:
        return room is not None and room in favourites
    return False


class AutoDownload:
    """A FilesWatch listener: at each turn, queues the ready recordings the policy wants.

    `add` is the queue's (DownloadQueue.add); `policy` and `favourites` are read at each turn,
    so a changed setting counts from the next one.
    """

    def __init__(
        self,
        catalog: Catalog,
        add: Queue,
        policy: Callable[[], AutoFetch],
        favourites: Callable[[], Collection[str]],
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.catalog, self.add, self.policy, self.favourites = catalog, add, policy, favourites
        self.clock = clock or catalog.clock  # the clock the catalog marks recordings ready by
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def __call__(self, made: list[Made]) -> None:
        """FilesWatch's listener: look (once at a time; a turn during a look makes one more)."""
        if self.policy() is AutoFetch.OFF:
            return
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._looks())

    async def _looks(self) -> None:
        self._again = True
        while self._again:
            self._again = False
            await self.catch_up()

    async def catch_up(self) -> list[str]:
        """Queue each ready recording the policy wants; the record ids queued."""
        policy, favourites = self.policy(), self.favourites()
        if policy is AutoFetch.OFF:
            return []
        queued = []
        since = int(self.clock() - READY_WINDOW)
        for record_id, room, source in await asyncio.to_thread(self.catalog.ready, since):
            if not wanted(policy, source, room, favourites):
                continue
            try:
                await self.add(record_id)
            except (VmrError, CoreError, DownloadError, OSError) as exc:
                # left ready: tried again at the next turn
                log.warning("recording %s is ready but could not be queued: %s", record_id, exc)
                continue
            await asyncio.to_thread(self.catalog.handed_on, record_id)
            queued.append(record_id)
        return queued

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
