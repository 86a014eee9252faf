"""One writer per download across processes: a lock beside the `.part`.

The tray and vmrctl share the default folder; two of them fetching one file into one
`.part` wrote over each other (issue 13). `filelock` takes an OS lock (flock on Unix,
LockFileEx on Windows) on `<name>.part.lock`: the OS drops it when the process dies, so a
killed download never leaves the file locked. It is taken without waiting (timeout 0): the
second process says at once that another one is downloading (`DownloadBusy`), and the
queue waits for it. Acquiring and releasing run in a thread (a lock is a blocking call).

The lock file is removed while still held, then released: filelock re-opens a lock file
that was unlinked under it, so a process that opened the old one never believes it holds
the lock (its flock lands on an unlinked inode, which filelock checks).
"""

from __future__ import annotations

import asyncio
import contextlib
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


@contextlib.asynccontextmanager
async def holding(target: Path) -> AsyncIterator[None]:
    """Hold the download lock of `target` for the block; `DownloadBusy` if another process has it."""
    lock = FileLock(lock_of(target), timeout=0, thread_local=False)
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
