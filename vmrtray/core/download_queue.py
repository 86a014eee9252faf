"""The app's downloads: a queue with a limit on parallel files, pause, resume, cancel, progress.

Each file of a recording is one Transfer. At most `limit` run at once; the rest wait in the
order they were asked for. Every state change is written to the catalog, so a quit or a
crash resumes on the next start (`restore`): a file that was queued or downloading is
queued again and continues from its `.part`. A full disk pauses a file with the reason
instead of failing it. Listeners hear of state changes at once and of progress at most
every `tick` seconds per file, with a smoothed speed and an ETA. No Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from vmrtray.api import Client, Lang, RecordFile, VmrError

from .catalog import Catalog, FileRow
from .errors import NoFiles
from .listeners import Listeners
from .recordings import delete, fresh_file, listing, target_for
from .targets import DownloadError, part_of, remove_files, segments_sidecar

if TYPE_CHECKING:
    import aiohttp

log = logging.getLogger(__name__)

Key = tuple[str, int]  # (record_id, file index)


class State(StrEnum):
    CLOUD = "cloud"
    QUEUED = "queued"
    DOWNLOADING = "downloading"
    PAUSED = "paused"
    DONE = "done"
    FAILED = "failed"


@dataclass
class Transfer:
    record_id: str
    idx: int
    size: int
    target: Path
    state: State = State.QUEUED
    done: int = 0
    speed: float = 0.0  # bytes per second, smoothed
    error: str | None = None
    sha256: str | None = None
    _mark: tuple[float, int] = field(default=(0.0, 0), repr=False)

    @property
    def key(self) -> Key:
        return (self.record_id, self.idx)

    @property
    def eta(self) -> float | None:
        """Seconds left at the current speed, if it is moving."""
        return (self.size - self.done) / self.speed if self.speed > 0 and self.state == State.DOWNLOADING else None


Listener = Callable[[Transfer], None]


class DownloadQueue:
    def __init__(
        self,
        api: Client,
        catalog: Catalog,
        http: aiohttp.ClientSession | Callable[[], aiohttp.ClientSession],
        folder: Callable[[], Path],
        *,
        limit: int = 2,
        segments: int = 1,
        auto_delete: Callable[[], bool] = lambda: False,
        tick: float = 0.25,
        lang: Lang = "en",
    ) -> None:
        self.api = api  # replaced when the user signs in again
        self.catalog, self.folder = catalog, folder
        # a session given is the caller's; one made here (on the first download) is closed here
        self._http: aiohttp.ClientSession | None = None if callable(http) else http
        self._make_http = http if callable(http) else None
        self.limit, self.segments, self.auto_delete, self.tick, self.lang = limit, segments, auto_delete, tick, lang
        self.transfers: dict[Key, Transfer] = {}
        self._order: list[Key] = []
        self._tasks: dict[Key, asyncio.Task[None]] = {}
        self._listeners: Listeners[[Transfer]] = Listeners("the downloads")
        self._closing = False

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        return self._listeners.add(listener)

    def _tell(self, transfer: Transfer) -> None:
        self._listeners.notify(transfer)

    # -- asking ---------------------------------------------------------------------------------

    async def add(self, record_id: str) -> list[Transfer]:
        """Queue every file of a recording not yet downloaded; VmrError, or NoFiles if it has none."""
        listed = await listing(self.api, self.catalog, record_id)
        folder = self.folder()
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        known = {row.idx: row for row in await asyncio.to_thread(self.catalog.files, record_id)}
        on_disk = await asyncio.to_thread(_on_disk, known.values())
        added = []
        for n, file in enumerate(listed.files):
            row = known.get(n)
            if n in on_disk:
                continue
            existing = self.transfers.get((record_id, n))
            if existing is not None and existing.state in (State.QUEUED, State.DOWNLOADING):
                continue
            target = Path(row.target) if row is not None and row.target else await target_for(folder, listed, n)
            added.append(await self._queue(Transfer(record_id, n, file.file_size, target)))
        self._pump()
        return added

    async def _queue(self, transfer: Transfer) -> Transfer:
        transfer.state, transfer.error = State.QUEUED, None
        self.transfers[transfer.key] = transfer
        if transfer.key not in self._order:
            self._order.append(transfer.key)
        await self._persist(transfer)
        self._tell(transfer)
        return transfer

    async def restore(self) -> list[Transfer]:
        """At start-up: what was queued or downloading when the app last stopped goes on."""
        rows = await asyncio.to_thread(self.catalog.files, states=(State.QUEUED, State.DOWNLOADING, State.PAUSED))
        restored = []
        for row in rows:
            if not row.target:
                continue
            transfer = Transfer(row.record_id, row.idx, row.file_size, Path(row.target), done=row.bytes_done)
            if row.state == State.PAUSED:
                transfer.state, transfer.error = State.PAUSED, row.error
                self.transfers[transfer.key] = transfer
                self._order.append(transfer.key)
                self._tell(transfer)
            else:
                restored.append(await self._queue(transfer))
        self._pump()
        return restored

    async def pause(self, key: Key) -> None:
        transfer = self.transfers.get(key)
        if transfer is None or transfer.state not in (State.QUEUED, State.DOWNLOADING):
            return
        await self._stop_task(key)
        await self._set(transfer, State.PAUSED)
        self._pump()

    async def resume(self, key: Key) -> None:
        transfer = self.transfers.get(key)
        if transfer is not None and transfer.state in (State.PAUSED, State.FAILED):
            await self._queue(transfer)
            self._pump()

    async def cancel(self, key: Key) -> None:
        """Stop and forget the partial file: the recording stays in the cloud."""
        transfer = self.transfers.get(key)
        if transfer is None or transfer.state == State.DONE:
            return
        await self._stop_task(key)
        part = part_of(transfer.target)
        await asyncio.to_thread(remove_files, part, segments_sidecar(part))
        transfer.done = 0
        await self._set(transfer, State.CLOUD)
        self.transfers.pop(key, None)
        self._order.remove(key)
        self._pump()

    def totals(self) -> tuple[int, int, int]:
        """Bytes done, bytes in all, files active — over what is queued or downloading."""
        live = [t for t in self.transfers.values() if t.state in (State.QUEUED, State.DOWNLOADING)]
        return sum(t.done for t in live), sum(t.size for t in live), sum(t.state == State.DOWNLOADING for t in live)

    async def aclose(self) -> None:
        """At quit: stop, keeping each file's state, so the next start resumes it."""
        self._closing = True
        for key, task in list(self._tasks.items()):
            transfer = self.transfers[key]
            if transfer.state != State.DOWNLOADING:
                with contextlib.suppress(asyncio.CancelledError):
                    await task  # it is only writing down how it ended (paused, failed, done)
                continue
            await self._stop_task(key)
            await asyncio.to_thread(self.catalog.set_state, *key, State.DOWNLOADING, bytes_done=transfer.done)
        if self._make_http is not None and self._http is not None:
            await self._http.close()
            self._http = None

    def http(self) -> aiohttp.ClientSession:
        """The object store's session; made with the first download when a maker was given."""
        if self._http is None:
            if self._make_http is None:
                raise RuntimeError("no session to download with")
            self._http = self._make_http()
        return self._http

    # -- running --------------------------------------------------------------------------------

    def _pump(self) -> None:
        if self._closing:
            return
        for key in self._order:
            if len(self._tasks) >= self.limit:
                return
            transfer = self.transfers[key]
            if transfer.state == State.QUEUED and key not in self._tasks:
                transfer.state = State.DOWNLOADING
                self._tasks[key] = asyncio.ensure_future(self._run(transfer))

    async def _run(self, transfer: Transfer) -> None:
        from .downloads import download  # aiohttp loads with the first download

        try:
            await self._set(transfer, State.DOWNLOADING)
            result = await download(
                await self._file(transfer),
                transfer.target,
                http=self.http(),
                refresh=lambda: self._fresh_link(transfer),
                on_progress=lambda done, total: self._progress(transfer, done),
                segments=self.segments,
            )
        except DownloadError as error:
            state = State.PAUSED if error.disk_full else State.FAILED
            await self._set(transfer, state, error=str(error))
        except (VmrError, NoFiles) as error:
            await self._set(transfer, State.FAILED, error=error.describe(self.lang))
        except OSError as error:  # the folder cannot be made or written, the catalog failed
            await self._set(transfer, State.FAILED, error=f"{transfer.target.parent}: {error.strerror or error}")
        else:
            transfer.sha256, transfer.done, transfer.speed = result.sha256, transfer.size, 0.0
            await asyncio.to_thread(self.catalog.mark_downloaded, *transfer.key, result.path, result.sha256)
            transfer.state = State.DONE
            self._tell(transfer)
            await self._maybe_delete(transfer.record_id)
        finally:
            self._tasks.pop(transfer.key, None)
            self._pump()

    async def _file(self, transfer: Transfer) -> RecordFile:
        return await fresh_file(self.api, self.catalog, *transfer.key)

    async def _fresh_link(self, transfer: Transfer) -> str:
        return (await self._file(transfer)).down_url

    def _progress(self, transfer: Transfer, done: int) -> None:
        now = time.monotonic()
        then, before = transfer._mark
        transfer.done = done
        if now - then < self.tick:
            return
        if then:
            rate = (done - before) / (now - then)
            transfer.speed = rate if not transfer.speed else 0.7 * transfer.speed + 0.3 * rate
        transfer._mark = (now, done)
        self._tell(transfer)

    async def _maybe_delete(self, record_id: str) -> None:
        """The opt-in: delete from the cloud once every file is downloaded and verified."""
        if not self.auto_delete():
            return
        rows = await asyncio.to_thread(self.catalog.files, record_id)
        if rows and all(r.state == State.DONE and r.sha256 for r in rows):
            try:
                await delete(self.api, self.catalog, record_id)
            except VmrError as error:
                log.warning("could not delete %s from the cloud after downloading it: %s", record_id, error)

    async def _set(self, transfer: Transfer, state: State, *, error: str | None = None) -> None:
        transfer.state, transfer.error = state, error
        if state != State.DOWNLOADING:
            transfer.speed = 0.0
        await self._persist(transfer)
        self._tell(transfer)

    async def _persist(self, transfer: Transfer) -> None:
        await asyncio.to_thread(
            self.catalog.set_state,
            *transfer.key,
            transfer.state,
            bytes_done=transfer.done,
            target=transfer.target,
            error=transfer.error,
        )

    async def _stop_task(self, key: Key) -> None:
        task = self._tasks.pop(key, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _on_disk(rows: Iterable[FileRow]) -> set[int]:
    """Indexes of the files already downloaded and still where they were put."""
    return {r.idx for r in rows if r.state == State.DONE and r.local_path and Path(r.local_path).exists()}
