"""One writer per download across processes: a lock beside the `.part`.

The tray and vmrctl share the default folder; two of them fetching one file into one
`.part` wrote over each other (issue 13). `filelock` takes an OS lock (flock on Unix,
LockFileEx on Windows) on `<name>.part.lock`: the OS drops it when the process dies, so a
killed download never leaves the file locked. It is taken without waiting (timeout 0): the
second process says at once that another one is downloading (`DownloadBusy`), and the
queue waits for it. Acquiring and releasing run in a thread (a lock is a blocking call).

A second lock is the file's own, whatever its folder (`holding_file`): one per recording and
index, in `<catalog>.downloading/` beside the catalog, which every process sharing it shares. Whoever holds
it chooses the file's name (claims it in the catalog), downloads it and writes it down; so a
tray downloading into ~/Downloads/vmrtray and a `vmrctl watch` into ~/Videos/vmrtray never
fetch one file twice, nor take each other's claim away.

The lock file is removed while still held, then released: filelock re-opens a lock file
that was unlinked under it, so a process that opened the old one never believes it holds
the lock (its flock lands on an unlinked inode, which filelock checks).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from filelock import FileLock, Timeout

from .targets import DownloadBusy, part_of
from .transfer import disk_error

log = logging.getLogger(__name__)


def lock_of(target: Path) -> Path:
    """The lock file of the download into `target` (`<name>.part.lock`, beside the part)."""
    part = part_of(target)
    return part.with_name(part.name + ".lock")


#: The folder of the files' own locks (`holding_file`), named after the catalog it sits beside.
FILE_LOCKS = ".downloading"


def file_lock_of(locks: Path, record_id: str, idx: int) -> Path:
    """The lock of file `idx` of `record_id` in the folder `locks`, whatever folder the file
    goes to (the id is the service's: hashed, never a path of its own)."""
    digest = hashlib.sha256(record_id.encode()).hexdigest()[:32]
    return locks / f"{digest}-{idx}.lock"


def holding(target: Path) -> contextlib.AbstractAsyncContextManager[None]:
    """Hold the download lock of `target` for the block; `DownloadBusy` if another process has it."""
    return _holding(lock_of(target), target)


@contextlib.asynccontextmanager
async def holding_file(locks: Path, record_id: str, idx: int, target: Path) -> AsyncIterator[None]:
    """Hold file `idx` of `record_id`'s own lock (in the folder `locks`) for the block, whatever
    folder it goes to; `DownloadBusy` (naming `target`) if another process has it."""
    path = file_lock_of(locks, record_id, idx)
    try:
        await asyncio.to_thread(path.parent.mkdir, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise disk_error(exc, path) from exc
    async with _holding(path, target):
        yield


@contextlib.asynccontextmanager
async def _holding(path: Path, target: Path) -> AsyncIterator[None]:
    lock = FileLock(path, timeout=0, thread_local=False)
    taking = asyncio.ensure_future(asyncio.to_thread(_take, lock, target))
    try:
        await asyncio.shield(taking)
    except asyncio.CancelledError:
        # The thread goes on and may take the lock: wait for it (it never blocks) and give it back.
        with contextlib.suppress(Exception):
            await taking
            await asyncio.to_thread(_give_back, lock)
        raise
    try:
        yield
    finally:
        await asyncio.shield(asyncio.to_thread(_give_back, lock))


def _take(lock: FileLock, target: Path) -> None:
    try:
        lock.acquire()
    except Timeout as exc:
        raise DownloadBusy(target) from exc
    except OSError as exc:  # a folder that cannot hold the lock file cannot hold the part either
        raise disk_error(exc, Path(lock.lock_file)) from exc


def _give_back(lock: FileLock) -> None:
    if not lock.is_locked:
        return
    try:
        Path(lock.lock_file).unlink(missing_ok=True)
    except OSError as exc:  # a lock file left behind costs nothing: the next download takes it again
        log.info("could not remove %s: %s", lock.lock_file, exc)
    lock.release()
