"""The app's downloads: a queue with a limit on parallel files, pause, resume, cancel, progress.

Each file of a recording is one Transfer. At most `limit` run at once; the rest wait in the
order they were asked for. Every state change is written to the catalog, so a quit or a
crash resumes on the next start (`restore`): a file that was queued or downloading is
queued again and continues from its `.part`. A full disk pauses a file with the reason
instead of failing it; so does a key the service rejects (at the start, or when a link is
renewed mid-download), and such a file is kept as interrupted: the next start or sign-in
resumes it. Listeners hear of state changes at once and of progress at most
every `tick` seconds per file, with a smoothed speed and an ETA. No Qt.

Where a file goes is claimed in the catalog for its recording and index (recordings.place):
a look-alike recording never shares a name or a `.part`, and a file on disk counts as done
only when the catalog says it is this one and its bytes agree. When another vmrtray or
vmrctl is downloading the same file (DownloadBusy: its `.part` is locked, or the file's own
lock is held, whatever folder the other process downloads into — core.claims), the transfer
waits in ELSEWHERE, trying again every `retry` seconds without holding a slot, and then
adopts what the other process fetched and verified (where it put it: not fetched again, not
copied), or downloads what is missing.

A failure of the server or the network while asking for a file's link (a 502 from
`getRecords`, a timeout, a refused connection), or of the file server past the download's own
retries (DownloadError.passing), is not the file's: it is paused with the reason
("waiting to try again: …") and tried again by itself after `backoff` (5 s, doubling to
5 min, for as long as the app runs), and kept in the catalog as queued, so the next start goes
on with it. Only what trying again cannot change fails the file: the recording no longer
listed or deleted, a refusal with a business code, the disk. The opt-in delete from the cloud
is checked only when this queue finishes a recording's file (its own download, or one another
process of this app downloaded and it adopts), and happens only when the catalog says every
file of the recording it knows was fetched and verified by this app, the service lists exactly
those files now, and that list has stayed the same for DELETE_SETTLE (the service may list a
file later): until then the check is made again by itself, and after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from vmrtray.api import AuthError, Broke, Client, Lang, NetworkError, RecordFile, ServerError, VmrError

from .catalog import Catalog, FileRow
from .claims import claiming, done_elsewhere
from .errors import CatalogBusy, CoreError
from .lang import pick
from .listeners import Listeners
from .polling import SIGN_OUT_AFTER
from .recordings import Listing, delete, file_row, fresh_file, keep_adopted, listing, name_in, place
from .targets import DownloadBusy, DownloadError, part_of, remove_files, segments_sidecar, stream_sidecar

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
    ELSEWHERE = "elsewhere"  # another vmrtray or vmrctl is downloading it: waited for, not failed


#: How many tries a file another process renamed into place may stay unrecorded before it is
#: taken for someone else's (the other was killed between the two steps).
SETTLE_TRIES = 3

#: Seconds before a file whose link the server or the network failed to give is tried again:
#: the first wait, doubling at each failure in a row up to the longest.
RETRY_FIRST, RETRY_MOST = 5.0, 300.0

#: Seconds a recording's list of files must have stayed the same (its newest file first listed
#: that long ago) before the opt-in delete removes it from the cloud: the service lists a
#: recording's files one by one while it makes them.
DELETE_SETTLE = 600.0

#: The states a transfer goes on from at the next start.
GOING_ON = (State.QUEUED, State.DOWNLOADING, State.ELSEWHERE)


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
    _due: bool = field(default=False, repr=False)  # ELSEWHERE, and its time to try again has come
    _settling: int = field(default=0, repr=False)  # tries that found the other's file renamed, not yet recorded
    _retrying: bool = field(default=False, repr=False)  # PAUSED by a server or network failure: tried again by itself
    _failures: int = field(default=0, repr=False)  # such failures in a row (the backoff's step)
    _refused: int = field(default=0, repr=False)  # tries the service refused the key in, with no success between

    @property
    def key(self) -> Key:
        return (self.record_id, self.idx)

    @property
    def retrying(self) -> bool:
        """Paused by a server or network failure, and tried again by itself (nothing to do)."""
        return self._retrying and self.state == State.PAUSED

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
        retry: float = 2.0,
        lang: Lang = "en",
    ) -> None:
        self.api = api  # replaced when the user signs in again
        self.catalog, self.folder = catalog, folder
        # a session given is the caller's; one made here (on the first download) is closed here
        self._http: aiohttp.ClientSession | None = None if callable(http) else http
        self._make_http = http if callable(http) else None
        self.limit, self.segments, self.auto_delete, self.tick, self.lang = limit, segments, auto_delete, tick, lang
        self.retry = retry  # seconds between tries of a file another process is downloading
        self.backoff = (RETRY_FIRST, RETRY_MOST)  # after a server or network failure: first and longest wait
        self.transfers: dict[Key, Transfer] = {}
        self._order: list[Key] = []
        self._tasks: dict[Key, asyncio.Task[None]] = {}
        self._timers: dict[Key, asyncio.TimerHandle] = {}
        self._listeners: Listeners[[Transfer]] = Listeners("the downloads")
        self._closing = False
        self._deleting = asyncio.Lock()  # one check-then-delete from the cloud at a time
        self._deleted: set[str] = set()  # recordings this queue deleted from the cloud
        self.settle = DELETE_SETTLE  # how long a recording's files must stay the same before its delete
        self._checks: dict[str, asyncio.TimerHandle] = {}  # delete checks waiting to be made again
        self._checking: set[asyncio.Task[None]] = set()  # delete checks under way from a timer or a restart
        self._check_failures: dict[str, int] = {}  # re-lists failed in a row, by recording (the backoff's step)
        self._check_refusals: dict[str, int] = {}  # delete checks refused the key in a row, by recording

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        return self._listeners.add(listener)

    def _tell(self, transfer: Transfer) -> None:
        self._listeners.notify(transfer)

    # -- asking ---------------------------------------------------------------------------------

    async def add(self, record_id: str) -> list[Transfer]:
        """Queue every file of a recording not yet downloaded; VmrError, or NoFiles if it has none.

        Each file's name is claimed now (a look-alike queued with it gets another); a file
        already there that the catalog proves is this one is adopted, not fetched again.
        """
        listed = await listing(self.api, self.catalog, record_id)
        return await self._add_listed(record_id, listed)

    async def _add_listed(self, record_id: str, listed: Listing, only: Collection[int] | None = None) -> list[Transfer]:
        """Queue the files of `listed` (those of catalog index in `only`, if given) not yet downloaded."""
        folder = self.folder()
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        known = {row.idx: row for row in await asyncio.to_thread(self.catalog.files, record_id)}
        on_disk = await asyncio.to_thread(_on_disk, known.values())
        added = []
        for n, file in listed.items():
            if only is not None and n not in only:
                continue
            existing = self.transfers.get((record_id, n))
            if n in on_disk and existing is None:  # downloaded before, maybe by another process: said where
                self._there(record_id, n, on_disk[n])
            if n in on_disk or (existing is not None and existing.state in GOING_ON):
                continue
            row = known.get(n)
            first = Path(row.target) if row is not None and row.target else name_in(folder, listed, n)
            transfer = Transfer(record_id, n, file.file_size, first)
            added.append(await self._place_now(transfer) or await self._queue(transfer))
        self._pump()
        return added

    async def _place_now(self, transfer: Transfer) -> Transfer | None:
        """At `add`: the transfer, done, if its file is already downloaded (here or by another
        process, into any folder). Placed only while no other process holds the file (its lock):
        one that is downloading it keeps its claim, and the queue waits for it."""
        try:
            async with claiming(self.catalog, *transfer.key, transfer.target):
                return await self._adopt_elsewhere(transfer) or await self._place(transfer)
        except DownloadBusy:  # queued aiming at the other's claim, which stays its own
            row = await file_row(self.catalog, *transfer.key)
            if row is not None and row.target:
                transfer.target = Path(row.target)
            return None

    async def _adopt_elsewhere(self, transfer: Transfer) -> Transfer | None:
        """The transfer, done where the catalog says its file is, if it is there, proven (another
        process may have downloaded it into another folder): not fetched again."""
        found = await done_elsewhere(self.catalog, *transfer.key, transfer.size)
        if found is None:
            return None
        adopted, verified = found
        await keep_adopted(self.catalog, *transfer.key, adopted, verified=verified)
        transfer.target, transfer.sha256 = adopted.path, adopted.sha256
        transfer.done, transfer.speed = transfer.size, 0.0
        transfer.state, transfer.error = State.DONE, None
        self._known(transfer)
        self._tell(transfer)
        return transfer

    async def _resume_claim(self, transfer: Transfer) -> None:
        """Aim at the part another process left (killed, or gone) in its folder, to go on from its
        bytes, rather than begin again under this transfer's name. Called holding the file's lock."""
        row = await file_row(self.catalog, *transfer.key)
        if row is None or not row.target or row.local_path or Path(row.target) == transfer.target:
            return
        if await asyncio.to_thread(part_of(Path(row.target)).is_file):
            transfer.target = Path(row.target)

    def _there(self, record_id: str, idx: int, row: FileRow) -> None:
        """A file downloaded before (by this app or another process): told as done, where it is."""
        path = Path(row.local_path or "")
        transfer = Transfer(record_id, idx, row.file_size, path, State.DONE, row.file_size, sha256=row.sha256)
        self._known(transfer)
        self._tell(transfer)

    def _known(self, transfer: Transfer) -> None:
        self.transfers[transfer.key] = transfer
        if transfer.key not in self._order:
            self._order.append(transfer.key)

    async def _place(self, transfer: Transfer) -> Transfer | None:
        """Claim the transfer's name (moving it past another's file); the transfer, done, if adopted."""
        placement = await place(self.catalog, *transfer.key, transfer.size, transfer.target)
        transfer.target = placement.target
        if placement.adopted is None:
            return None
        await keep_adopted(self.catalog, *transfer.key, placement.adopted, verified=placement.verified)
        transfer.sha256, transfer.done, transfer.speed = placement.adopted.sha256, transfer.size, 0.0
        transfer.state, transfer.error = State.DONE, None
        self.transfers[transfer.key] = transfer
        if transfer.key not in self._order:
            self._order.append(transfer.key)
        self._tell(transfer)
        return transfer

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
        rows = await asyncio.to_thread(self.catalog.files, states=(*GOING_ON, State.PAUSED))
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
        if self.auto_delete():  # a delete check still to be made when the app stopped is made now
            for record_id in await asyncio.to_thread(self.catalog.delete_pending):
                self._check_later(record_id, 0.0)
        return restored

    async def pause(self, key: Key) -> None:
        """Pause a file; one waiting to try again after a failure stops trying."""
        transfer = self.transfers.get(key)
        if transfer is None or (transfer.state not in GOING_ON and not transfer._retrying):
            return
        await self._stop_task(key)
        transfer._retrying = False
        await self._set(transfer, State.PAUSED)
        self._pump()

    async def resume(self, key: Key) -> None:
        """Go on with a paused or failed file now (one waiting to try again: without waiting)."""
        transfer = self.transfers.get(key)
        if transfer is None or transfer.state not in (State.PAUSED, State.FAILED):
            return
        if transfer._retrying and key in self._tasks:
            return  # a try is under way
        await self._stop_task(key)
        transfer._retrying = False
        await self._queue(transfer)
        self._pump()

    async def cancel(self, key: Key) -> None:
        """Stop and forget the partial file: the recording stays in the cloud.

        A file another process is downloading is only forgotten here: its `.part` is that
        process's, not ours to remove.
        """
        transfer = self.transfers.get(key)
        if transfer is None or transfer.state == State.DONE:
            return
        elsewhere = transfer.state == State.ELSEWHERE
        await self._stop_task(key)
        if not elsewhere:
            part = part_of(transfer.target)
            await asyncio.to_thread(remove_files, part, segments_sidecar(part), stream_sidecar(part))
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
        for timer in [*self._timers.values(), *self._checks.values()]:
            timer.cancel()
        self._timers.clear()
        self._checks.clear()
        for check in list(self._checking):  # kept pending in the catalog: the next start makes it
            check.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await check
        for key, task in list(self._tasks.items()):
            transfer = self.transfers[key]
            # a try of ELSEWHERE, or one after a failure, may be fetching
            if transfer.state not in (State.DOWNLOADING, State.ELSEWHERE) and not transfer._retrying:
                with contextlib.suppress(asyncio.CancelledError):
                    await task  # it is only writing down how it ended (paused, failed, done)
                continue
            await self._stop_task(key)
            state = State.QUEUED if transfer._retrying else transfer.state
            await asyncio.to_thread(self.catalog.set_state, *key, state, bytes_done=transfer.done)
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
            if key in self._tasks:
                continue
            if transfer.state == State.QUEUED:
                transfer.state = State.DOWNLOADING
                self._tasks[key] = asyncio.ensure_future(self._run(transfer))
            elif (transfer.state == State.ELSEWHERE or transfer._retrying) and transfer._due:
                # stays ELSEWHERE until its first byte or the next DownloadBusy; one trying
                # again after a failure stays paused until the link is given
                transfer._due = False
                self._tasks[key] = asyncio.ensure_future(self._run(transfer))

    async def _run(self, transfer: Transfer) -> None:
        try:
            if transfer.state == State.ELSEWHERE and await self._other_finishing(transfer):
                self._try_again(transfer)
                return
            async with claiming(self.catalog, *transfer.key, transfer.target):  # another process's: DownloadBusy
                await self._resume_claim(transfer)
                if transfer.state == State.DOWNLOADING:  # not a try of ELSEWHERE, nor one after a failure
                    await self._set(transfer, State.DOWNLOADING)
                if not await self._adopt_elsewhere(transfer) and await self._place(transfer) is None:
                    await self._fetch(transfer)
            transfer._failures = transfer._refused = 0
            if transfer.state == State.DONE:  # fetched here, or adopted (another process's, or after a kill)
                await self._maybe_delete(transfer.record_id, transfer)
        except DownloadBusy as busy:
            await self._wait_elsewhere(transfer, busy)
        except DownloadError as error:
            if await self._beaten(transfer, error):  # another process finished it just now
                await self._wait_elsewhere(transfer, error)
                return
            if error.passing:  # the file server or the network kept failing: tried again later
                await self._wait_retry(transfer, error)
                return
            transfer._retrying = False
            state = State.PAUSED if error.disk_full else State.FAILED
            await self._set(transfer, state, error=error.describe(self.lang))
        except AuthError as error:  # once: tried again like a server's failure; twice in a row: sign-in
            transfer._refused += 1
            if transfer._refused < SIGN_OUT_AFTER:
                await self._wait_retry(transfer, error)
            else:
                transfer._retrying = False
                await self._wait_sign_in(transfer)
        except (VmrError, CoreError) as error:
            if _passing(error):
                await self._wait_retry(transfer, error)
            else:
                transfer._retrying = False
                await self._set(transfer, State.FAILED, error=error.describe(self.lang))
        except OSError as error:  # the folder cannot be made or written, the catalog failed
            transfer._retrying = False
            await self._set(transfer, State.FAILED, error=f"{transfer.target.parent}: {error.strerror or error}")
        finally:
            self._tasks.pop(transfer.key, None)
            self._pump()

    async def _fetch(self, transfer: Transfer) -> None:
        """This queue's own download of the file: verified by this app, recorded so."""
        from .downloads import download  # aiohttp loads with the first download

        result = await download(
            await self._file(transfer),
            transfer.target,
            http=self.http(),
            refresh=lambda: self._fresh_link(transfer),
            on_progress=lambda done, total: self._progress(transfer, done),
            segments=self.segments,
        )
        transfer.sha256, transfer.done, transfer.speed = result.sha256, transfer.size, 0.0
        await asyncio.to_thread(
            self.catalog.mark_downloaded, *transfer.key, result.path, result.sha256, verified=result.vouched
        )
        transfer.state, transfer.error = State.DONE, None
        self._tell(transfer)

    async def _beaten(self, transfer: Transfer, error: DownloadError) -> bool:
        """The download refused because a file appeared at its name after it was placed: most
        likely the other process's, finished between the two steps. Placed again shortly
        (adopted if the catalog says so, else another name), a few times at most."""
        if error.disk_full or transfer._settling >= SETTLE_TRIES:
            return False
        if not await asyncio.to_thread(os.path.lexists, transfer.target):
            return False
        transfer._settling += 1
        return True

    async def _wait_sign_in(self, transfer: Transfer) -> None:
        """The service rejected the key (asked for the file's link, or for a fresh one in the
        middle of the download) on two tries in a row — one refusal is tried again after the
        backoff, as a server's failure is: not the file's fault. Paused here with the reason,
        and kept in the catalog as an interrupted download, so that the next start or sign-in
        (`restore`, with the new key) resumes it from its bytes; "resume" tries again at once."""
        reason = pick(self.lang, "waiting for sign-in: the service rejected the key", "等待登录：服务拒绝了鉴权 KEY")
        await self._pause_kept(transfer, reason)
        self._tell(transfer)

    async def _pause_kept(self, transfer: Transfer, reason: str) -> None:
        """Paused here with `reason`, and kept in the catalog as an interrupted download (queued,
        with its bytes), so that the next start (`restore`) goes on with it."""
        transfer.speed, transfer.state, transfer.error = 0.0, State.PAUSED, reason
        await asyncio.to_thread(
            self.catalog.set_state,
            *transfer.key,
            State.QUEUED,
            bytes_done=transfer.done,
            target=transfer.target,
            error=transfer.error,
        )

    async def _wait_retry(self, transfer: Transfer, error: VmrError | CoreError | DownloadError) -> None:
        """The server or the network failed (a 5xx, a web page, a timeout, a refused connection;
        the file server kept failing in the middle of the download, past its own retries):
        not the file's fault, nor for good. Paused with the reason, tried again by itself after
        the backoff, and kept in the catalog as an interrupted download, so that the next start
        goes on with it (`restore`); "resume" tries again at once. Told when the reason changes,
        not at every try."""
        first, most = self.backoff
        delay = min(most, first * 2**transfer._failures)
        transfer._failures += 1
        said = error.describe(self.lang)
        reason = pick(self.lang, f"waiting to try again: {said}", f"等待重试：{said}")
        log.info("%s/%d: %s; trying again in %.0f s", transfer.record_id, transfer.idx, error, delay)
        quiet = transfer._retrying and transfer.state == State.PAUSED and transfer.error == reason
        transfer._retrying = True
        await self._pause_kept(transfer, reason)
        if not quiet:
            self._tell(transfer)
        if not self._closing:
            self._timers[transfer.key] = asyncio.get_running_loop().call_later(delay, self._due, transfer.key)

    async def _wait_elsewhere(self, transfer: Transfer, busy: DownloadError) -> None:
        """Another process holds the file's lock: wait in ELSEWHERE, and try again in `retry` seconds.

        Written down without a target: the file's name is the other process's claim, not taken away."""
        transfer.speed = 0.0
        transfer._retrying = False
        if transfer.state != State.ELSEWHERE:  # said once, not at every try
            log.info("%s: %s; trying again every %.0f s", transfer.record_id, busy, self.retry)
            transfer.state, transfer.error = State.ELSEWHERE, None
            await asyncio.to_thread(self.catalog.set_state, *transfer.key, State.ELSEWHERE, bytes_done=transfer.done)
            self._tell(transfer)
        self._try_again(transfer)

    def _try_again(self, transfer: Transfer) -> None:
        if not self._closing:
            self._timers[transfer.key] = asyncio.get_running_loop().call_later(self.retry, self._due, transfer.key)

    async def _other_finishing(self, transfer: Transfer) -> bool:
        """The other process has renamed the file into place but not yet recorded it: give it a
        few more tries before taking the file for someone else's (a crash in between)."""
        row = await file_row(self.catalog, *transfer.key)
        there = await asyncio.to_thread(transfer.target.exists)
        if there and (row is None or row.local_path != str(transfer.target)) and transfer._settling < SETTLE_TRIES:
            transfer._settling += 1
            return True
        return False

    def _due(self, key: Key) -> None:
        self._timers.pop(key, None)
        transfer = self.transfers.get(key)
        if transfer is not None and (transfer.state == State.ELSEWHERE or transfer._retrying):
            transfer._due = True
            self._pump()

    async def _file(self, transfer: Transfer) -> RecordFile:
        file = await fresh_file(self.api, self.catalog, *transfer.key)
        if transfer._retrying:  # the link the failure kept back is given: downloading again
            transfer._retrying = False
            await self._set(transfer, State.DOWNLOADING)
        return file

    async def _fresh_link(self, transfer: Transfer) -> str:
        return (await self._file(transfer)).down_url

    def _progress(self, transfer: Transfer, done: int) -> None:
        now = time.monotonic()
        then, before = transfer._mark
        transfer.done = done
        if transfer.state == State.ELSEWHERE:  # the other process is gone: this one has the file now
            transfer.state = State.DOWNLOADING
            self._tell(transfer)
        if now - then < self.tick:
            return
        if then:
            rate = (done - before) / (now - then)
            transfer.speed = rate if not transfer.speed else 0.7 * transfer.speed + 0.3 * rate
        transfer._mark = (now, done)
        self._tell(transfer)

    async def _maybe_delete(self, record_id: str, transfer: Transfer | None = None) -> None:
        """The opt-in: delete from the cloud once every file was fetched and verified by this app.

        Checked when a file of the recording is done here, again by itself while the check
        cannot conclude yet, and at the next start (the catalog keeps it pending). The files
        are listed again first (the catalog knows only what the last listing said, and the
        service lists a recording's files one by one): the recording is deleted only when every
        file the catalog knows of it, listed now or not, is one this app fetched and verified,
        each its own object (`verified_whole`), the service lists exactly those files now, and
        the newest of them was first listed `settle` seconds ago or more. An adopted file, a
        look-alike or another's bytes never count. A file listed for the first time now is
        queued with the others. A missed delete is acceptable, a wrong one never.
        """
        if not self.auto_delete():
            return
        async with self._deleting:  # two files done at once: one check, one delete
            if record_id in self._deleted:
                return
            try:
                await self._check_and_delete(record_id, transfer)
            except (CoreError, OSError) as error:  # the catalog failed: checked again at the next start
                log.warning("could not check %s for the delete from the cloud: %s", record_id, error)

    async def _check_and_delete(self, record_id: str, transfer: Transfer | None) -> None:
        self._cancel_check(record_id)
        await asyncio.to_thread(self.catalog.set_delete_pending, record_id, True)
        rows = await asyncio.to_thread(self.catalog.files, record_id)
        going_on = any(t.record_id == record_id and t.state in GOING_ON for t in self.transfers.values())
        if not await asyncio.to_thread(self.catalog.verified_whole, record_id):
            if not going_on and not any(t.record_id == record_id and t.retrying for t in self.transfers.values()):
                await self._kept_for_good(
                    record_id,
                    transfer,
                    "not every file listed was downloaded and verified here",
                    "Kept in the cloud: not every file the service lists now was downloaded and verified here.",
                    "仍保留在云端：服务现在列出的文件并非都已在此下载并校验。",
                )
            return  # else checked again when the last of them is done
        try:
            listed = await listing(self.api, self.catalog, record_id)
        except AuthError as error:
            self._check_refused(record_id, error)
            return
        except (VmrError, CoreError) as error:
            if _passing(error) and not self._closing:  # the server or the network: asked again later
                first, most = self.backoff
                failures = self._check_failures.get(record_id, 0)
                self._check_failures[record_id] = failures + 1
                delay = min(most, first * 2**failures)
                log.info("%s: could not list its files again (%s); checking again in %.0f s", record_id, error, delay)
                self._check_later(record_id, delay)
                return
            await self._kept_for_good(
                record_id,
                transfer,
                f"its files could not be listed again ({error})",
                "Kept in the cloud: its files could not be listed again to check them.",
                "仍保留在云端：无法再次列出文件以进行核对。",
            )
            return
        self._check_failures.pop(record_id, None)
        self._check_refusals.pop(record_id, None)
        known = {row.idx for row in rows}
        new = [n for n in listed.indexes if n not in known]
        if new:  # listed only now: fetched with the others, and the delete waits for it
            await self._add_listed(record_id, listed, only=new)
            if not any(t.record_id == record_id and t.state in GOING_ON for t in self.transfers.values()):
                self._check_later(record_id, 0.0)  # found done already (another process's): checked again
            return
        if not await asyncio.to_thread(self.catalog.verified_whole, record_id, listed.indexes):
            await self._kept_for_good(
                record_id,
                transfer,
                "the service no longer lists every file downloaded here",
                "Kept in the cloud: the service no longer lists every file downloaded here.",
                "仍保留在云端：服务已不再列出此处下载的全部文件。",
            )
            return
        newest = await asyncio.to_thread(self.catalog.newest_listed, record_id)
        wait = (newest or 0) + self.settle - self.catalog.clock()
        if wait > 0:  # its list of files may still grow: checked again once it has stayed the same
            log.info("%s: its list of files is new; checking again for the delete in %.0f s", record_id, wait)
            self._check_later(record_id, wait)
            return
        try:
            await delete(self.api, self.catalog, record_id)
        except AuthError as error:
            self._check_refused(record_id, error)
            return
        except VmrError as error:
            log.warning("could not delete %s from the cloud after downloading it: %s", record_id, error)
            await asyncio.to_thread(self.catalog.set_delete_pending, record_id, False)
            return
        self._deleted.add(record_id)
        await asyncio.to_thread(self.catalog.set_delete_pending, record_id, False)
        for kept in [t for t in self.transfers.values() if t.record_id == record_id and t.state == State.DONE]:
            if kept.error:  # said while another file was still coming: no longer so
                kept.error = None
                self._tell(kept)

    def _check_refused(self, record_id: str, error: AuthError) -> None:
        """The service refused the key to the delete check (its listing, or the delete): that
        is no reason to keep the recording for good. A first refusal is checked again after the
        backoff; a second in a row leaves it pending in the catalog, for `restore` at the next
        start or sign-in."""
        refused = self._check_refusals[record_id] = self._check_refusals.get(record_id, 0) + 1
        if refused < SIGN_OUT_AFTER and not self._closing:
            delay = self.backoff[0]
            log.info("%s: the service refused the delete check (%s); checking again in %.0f s", record_id, error, delay)
            self._check_later(record_id, delay)
            return
        self._check_refusals.pop(record_id, None)
        log.warning("%s: the service refused the key again; the delete from the cloud waits for a sign-in", record_id)

    def _check_later(self, record_id: str, delay: float) -> None:
        """Make the delete check of `record_id` again in `delay` seconds (kept pending in the catalog)."""
        if self._closing:
            return
        self._cancel_check(record_id)
        self._checks[record_id] = asyncio.get_running_loop().call_later(delay, self._check_due, record_id)

    def _cancel_check(self, record_id: str) -> None:
        timer = self._checks.pop(record_id, None)
        if timer is not None:
            timer.cancel()

    def _check_due(self, record_id: str) -> None:
        self._checks.pop(record_id, None)
        if self._closing:
            return
        check = asyncio.ensure_future(self._maybe_delete(record_id))
        self._checking.add(check)
        check.add_done_callback(self._checking.discard)

    async def _kept_for_good(
        self, record_id: str, transfer: Transfer | None, why: str, english: str, chinese: str
    ) -> None:
        """The check concluded without a delete: no longer pending; said on the file just done (or the last one)."""
        log.info("%s stays in the cloud: %s", record_id, why)
        await asyncio.to_thread(self.catalog.set_delete_pending, record_id, False)
        if transfer is None:
            done = [t for t in self.transfers.values() if t.record_id == record_id and t.state == State.DONE]
            transfer = max(done, key=lambda t: t.idx, default=None)
        if transfer is not None:
            self._kept(transfer, english, chinese)

    def _kept(self, transfer: Transfer, english: str, chinese: str) -> None:
        """The recording stays in the cloud: said, with the reason, on the file just done."""
        transfer.error = pick(self.lang, english, chinese)
        self._tell(transfer)

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
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        task = self._tasks.pop(key, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _on_disk(rows: Iterable[FileRow]) -> dict[int, FileRow]:
    """The files already downloaded and still where they were put, at their size, by index."""
    return {
        r.idx: r for r in rows if r.state == State.DONE and r.local_path and _holds(Path(r.local_path), r.file_size)
    }


def _passing(error: VmrError | CoreError) -> bool:
    """A failure that trying again may mend: the server's (a 5xx, a web page, a garbled answer),
    the network's (but an untrusted certificate, which waits for the user), a catalog busy
    elsewhere. Not a rejected key (waits for sign-in), a refusal with a business code, nor a
    recording no longer listed."""
    if isinstance(error, NetworkError):
        return error.reason is not Broke.TLS_UNTRUSTED
    return isinstance(error, ServerError | CatalogBusy)


def _holds(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size and not path.is_symlink()
    except OSError:
        return False
