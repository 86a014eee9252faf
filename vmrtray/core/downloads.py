"""Fetching a recording file from the object store, resumable and verified.

A file streams into `<name>.part`; an interrupted download resumes with HTTP Range; an
expired link (403) is replaced by a fresh one from `getRecords`; an origin that ignores
Range makes it start over cleanly. A large file may come in segments instead (N parallel
Range requests, core.segments). Only a file whose size matches `fileSize` — and, when the
store sends one (`x-cos-hash-crc64ecma`), its CRC-64 — is renamed into place (atomically),
and its sha256 is returned. The API key is never sent here: the file origin is another
host, reached with a client that carries no `auth` header.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from pathlib import Path
from typing import Any

import aiohttp
from fastcrc import crc64

from vmrtray.api import RecordFile

from .segments import NoRange, Segmented
from .sink import Sink
from .targets import (
    Downloaded,
    DownloadError,
    OnProgress,
    Refresh,
    free_target,
    part_of,
    recording_filename,
    segments_sidecar,
)
from .transfer import (
    CHUNK,
    MAX_ATTEMPTS,
    MAX_REFRESHES,
    TRANSFER_ERRORS,
    Fetch,
    Fetched,
    check_crc,
    disk_error,
    expected_crc,
    new_file_session,
    sha256_of,
    write_due,
)

__all__ = [  # what the rest of core and vmrctl import from here (the light half lives in .targets)
    "DownloadError",
    "Downloaded",
    "OnProgress",
    "Refresh",
    "download",
    "free_target",
    "new_file_session",
    "recording_filename",
    "segments_sidecar",
]

log = logging.getLogger(__name__)

#: Files at least this large are fetched in segments when more than one is asked for.
SEGMENT_MIN = 32 << 20


async def download(
    file: RecordFile,
    target: Path,
    *,
    http: aiohttp.ClientSession,
    refresh: Refresh,
    on_progress: OnProgress | None = None,
    segments: int = 1,
) -> Downloaded:
    """Fetch `file` to `target` (its folder must exist); resume from `target.part`.

    With `segments` > 1 a large file comes as that many parallel Range requests, unless a
    single-stream `.part` is already there or the store ignores Range.
    """
    if await asyncio.to_thread(_holds, target, file.file_size):
        return Downloaded(target, await asyncio.to_thread(sha256_of, target), file.file_size)
    part = part_of(target)
    if segments > 1 and file.file_size >= SEGMENT_MIN:
        segmented = Segmented(file, part, http, refresh, on_progress, segments)
        if await asyncio.to_thread(segmented.may_run):
            try:
                resumed_from, sha256 = await segmented.run()
            except NoRange:
                log.info("the file server ignores Range: %s comes in one stream", part.name)
            else:
                await asyncio.to_thread(os.replace, part, target)
                return Downloaded(target, sha256, resumed_from)
    job = _Job(file, part, http, refresh, on_progress)
    resumed_from = await job.run()
    await asyncio.to_thread(os.replace, part, target)
    return Downloaded(target, job.digest.hexdigest(), resumed_from)


def _holds(path: Path, size: int) -> bool:
    """A finished download of this size is already there (an earlier run completed it)."""
    try:
        return path.stat().st_size == size
    except FileNotFoundError:
        return False


class _Job(Fetch):
    """One stream, from where the `.part` ends; hashed as it is written."""

    digest: Any  # hashlib's sha256 object
    crc: int
    offset: int

    async def run(self) -> int:
        self.digest, self.crc = hashlib.sha256(), 0
        self.offset = await asyncio.to_thread(self._adopt_part)
        resumed_from = self.offset
        attempts = refreshes = 0
        while self.offset < self.size or self.size == 0:
            try:
                outcome = await self._fetch()
            except TRANSFER_ERRORS as exc:
                attempts += 1
                if attempts >= MAX_ATTEMPTS:
                    raise DownloadError(
                        f"the file server kept failing ({type(exc).__name__}); the part is kept"
                    ) from exc
                log.info("download of %s broke at %d bytes, resuming", self.part.name, self.offset)
                await asyncio.sleep(min(8.0, 0.25 * 2**attempts))
                continue
            if outcome == Fetched.EXPIRED:
                refreshes += 1
                if refreshes > MAX_REFRESHES:
                    raise DownloadError("the file server keeps refusing the link (HTTP 403)")
                self.url = await self.refresh()
                continue
            if outcome == Fetched.DONE:
                break
        await asyncio.to_thread(self._finish)
        return resumed_from

    def _adopt_part(self) -> int:
        """The bytes already in `.part` (hashed now, so the final sha256 covers them)."""
        try:
            have = self.part.stat().st_size
        except FileNotFoundError:
            return 0
        if have > self.size or segments_sidecar(self.part).exists():
            self.part.unlink()  # too long, or a segmented download's (preallocated) part
            segments_sidecar(self.part).unlink(missing_ok=True)
            return 0
        with self.part.open("rb") as handle:
            while block := handle.read(CHUNK):
                self.digest.update(block)
                self.crc = crc64.xz(block, self.crc)
        return have

    async def _fetch(self) -> Fetched:
        headers = {"Range": f"bytes={self.offset}-"} if self.offset else {}
        async with self.http.get(self.url, headers=headers) as response:
            if response.status == 403:
                return Fetched.EXPIRED
            if response.status == 416 and self.offset == self.size:
                return Fetched.DONE
            if response.status == 200 and self.offset:
                log.info("the file server ignored Range: starting %s over", self.part.name)
                await asyncio.to_thread(self._restart)
            elif response.status == 206:
                self._check_content_range(response)
            elif response.status != 200:
                raise DownloadError(f"the file server answered HTTP {response.status}")
            self.expected_crc = expected_crc(response) or self.expected_crc
            self._check_length(response)
            await self._stream(response)
        return Fetched.DONE if self.offset >= self.size else Fetched.MORE

    def _check_content_range(self, response: aiohttp.ClientResponse) -> None:
        wanted = f"bytes {self.offset}-"
        if not response.headers.get("content-range", "").startswith(wanted):
            raise DownloadError("the file server sent a range that was not asked for")

    def _check_length(self, response: aiohttp.ClientResponse) -> None:
        announced = response.headers.get("content-length")
        if announced is not None and announced.isdigit() and int(announced) != self.size - self.offset:
            raise DownloadError(f"the file server announced {announced} bytes where {self.size - self.offset} were due")

    def _restart(self) -> None:
        self.part.unlink(missing_ok=True)
        self.digest = hashlib.sha256()
        self.crc = 0
        self.offset = 0

    async def _stream(self, response: aiohttp.ClientResponse) -> None:
        """Read on the loop, write and hash in the sink's thread; what arrived is kept on a break."""

        fd = await asyncio.to_thread(os.open, self.part, os.O_WRONLY | os.O_CREAT, 0o644)
        sink = Sink(fd, hashing=True)
        sink.digest, sink.crc = self.digest, self.crc
        position, batch, size, last_put = self.offset, [], 0, time.monotonic()
        try:
            async for chunk in response.content.iter_any():  # as it arrives: a break loses little
                if position + size + len(chunk) > self.size:
                    raise DownloadError(f"the file server sent more than the {self.size} bytes announced")
                batch.append(chunk)
                size += len(chunk)
                if size >= CHUNK or (size and write_due(last_put)):
                    await sink.put(position, batch, self._credit)
                    position, batch, size, last_put = position + size, [], 0, time.monotonic()
        except OSError as exc:
            raise disk_error(exc, self.part) from exc
        finally:
            try:
                if batch and sink.error is None:
                    await sink.put(position, batch, self._credit)
            finally:
                await sink.close()
                self.crc = sink.crc
                await asyncio.to_thread(os.close, fd)
        if sink.error is not None:
            raise disk_error(sink.error, self.part)

    def _credit(self, written: int) -> None:
        self.offset += written
        self.on_progress(self.offset, self.size)

    def _finish(self) -> None:
        have = self.part.stat().st_size if self.part.exists() else 0
        if have != self.size:
            raise DownloadError(f"the file has {have} bytes where the service announced {self.size}")
        if self.size == 0:
            self.part.touch()
        check_crc(self.expected_crc, self.crc, self.part)
        with self.part.open("rb+") as handle:
            os.fsync(handle.fileno())
