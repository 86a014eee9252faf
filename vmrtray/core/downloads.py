"""Fetching a recording file from the object store, resumable and verified.

A file streams into `<name>.part`; an interrupted download resumes with HTTP Range; an
expired link (403) is replaced by a fresh one from `getRecords`; an origin that ignores
Range makes it start over cleanly. A large file may come in segments instead (N parallel
Range requests, core.segments). Only a file whose size matches `fileSize` — and, when the
store sends one (`x-cos-hash-crc64ecma`), its CRC-64 — is moved into place, and its sha256
is returned. The API key is never sent here: the file origin is another host, reached with
a client that carries no `auth` header.

What issue 13 added: one writer per part across processes (core.part_lock: the second says
`DownloadBusy`); a size beyond the cap or the free space is refused before anything is made;
the part is created exclusively, never through a link, and written, read back and checked
through one descriptor, so the sha256 and CRC-64 are of exactly the bytes on disk; a resume
sends `If-Range` with the validators of the first answer (kept in `<name>.part.meta`) and
compares the answer's own, so an object replaced between attempts is fetched again from the
start instead of spliced; every 206's Content-Range total must be `fileSize`; the finished
part never replaces a file that appeared at the target.
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

from vmrtray.api import RecordFile

from . import part_lock
from .segments import NoRange, Segmented
from .sink import Sink
from .targets import (
    Downloaded,
    DownloadError,
    OnProgress,
    Refresh,
    part_of,
    recording_filename,
    segments_sidecar,
    stream_sidecar,
)
from .transfer import (
    CHUNK,
    MAX_ATTEMPTS,
    MAX_CHANGES,
    MAX_REFRESHES,
    TRANSFER_ERRORS,
    Fetch,
    Fetched,
    Validator,
    Worded,
    answered,
    check_crc,
    check_free,
    check_room,
    check_size,
    check_still_there,
    check_total,
    create_part,
    disk_error,
    has_holes,
    keeps_changing,
    kept_failing,
    link_refused,
    load_stream_meta,
    move_into_place,
    new_file_session,
    open_part,
    read_back,
    save_stream_meta,
    sent_more,
    write_due,
)

__all__ = [  # what the rest of core and vmrctl import from here (the light half lives in .targets)
    "DownloadError",
    "Downloaded",
    "OnProgress",
    "Refresh",
    "download",
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
    """Fetch `file` to `target` (its folder must exist; nothing may be there); resume from `target.part`.

    Always fetches and verifies: an existing `target` is never taken for the file (whether
    one is, is the catalog's to say). With `segments` > 1 a large file comes as that many
    parallel Range requests, unless a single-stream `.part` is already there or the store
    ignores Range. `DownloadBusy` when another process is downloading into `target`.
    """
    part = part_of(target)
    await asyncio.to_thread(check_room, file.file_size, part)
    async with part_lock.holding(target):
        try:
            return await _fetch(file, target, part, http, refresh, on_progress, segments)
        except OSError as exc:  # EFBIG, EACCES, EROFS…: one sentence, never an internal error
            raise disk_error(exc, part) from exc


async def _fetch(
    file: RecordFile,
    target: Path,
    part: Path,
    http: aiohttp.ClientSession,
    refresh: Refresh,
    on_progress: OnProgress | None,
    segments: int,
) -> Downloaded:
    await asyncio.to_thread(check_free, target)
    if segments > 1 and file.file_size >= SEGMENT_MIN:
        segmented = Segmented(file, part, http, refresh, on_progress, segments)
        if await asyncio.to_thread(segmented.may_run):
            try:
                resumed_from, sha256 = await segmented.run()
            except NoRange:
                log.info("the file server ignores Range: %s comes in one stream", part.name)
            else:
                await asyncio.to_thread(_into_place, part, target)
                return Downloaded(target, sha256, resumed_from)
    job = _Job(file, part, http, refresh, on_progress)
    resumed_from = await job.run()
    await asyncio.to_thread(_into_place, part, target)
    return Downloaded(target, job.digest.hexdigest(), resumed_from)


def _into_place(part: Path, target: Path) -> None:
    move_into_place(part, target)
    stream_sidecar(part).unlink(missing_ok=True)
    segments_sidecar(part).unlink(missing_ok=True)


class _Job(Fetch):
    """One stream, from where the `.part` ends; hashed as it is written, through one descriptor."""

    digest: Any  # hashlib's sha256 object
    crc: int
    offset: int
    fd: int
    validator: Validator
    changes: int  # times the object was found replaced during this download
    resumed_from: int  # the bytes of the part kept (0 once it started over)

    async def run(self) -> int:
        self.digest, self.crc, self.validator = hashlib.sha256(), 0, Validator()
        self.fd = await asyncio.to_thread(self._open)
        try:
            self.resumed_from = self.offset
            await self._fetch_all()
            await asyncio.to_thread(self._finish)
        finally:
            await asyncio.to_thread(os.close, self.fd)
        return self.resumed_from

    async def _fetch_all(self) -> None:
        attempts = refreshes = 0
        self.changes = 0
        while self.offset < self.size or self.size == 0:
            try:
                outcome = await self._fetch()
            except TRANSFER_ERRORS as exc:
                attempts += 1
                if attempts >= MAX_ATTEMPTS:
                    raise kept_failing(exc) from exc
                log.info("download of %s broke at %d bytes, resuming", self.part.name, self.offset)
                await asyncio.sleep(min(8.0, 0.25 * 2**attempts))
                continue
            if outcome == Fetched.EXPIRED:
                refreshes += 1
                if refreshes > MAX_REFRESHES:
                    raise link_refused()
                self.url = await self.refresh()
                continue
            if outcome == Fetched.DONE:
                break

    # -- the part -------------------------------------------------------------------------------

    def _open(self) -> int:
        """The part this job writes: the one there is (its bytes read back and hashed), or a new one."""
        fd = open_part(self.part)
        if fd is None:
            self.offset = 0
            stream_sidecar(self.part).unlink(missing_ok=True)  # of a part that is gone
            return create_part(self.part)
        try:
            self.offset = self._adopt(fd)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _adopt(self, fd: int) -> int:
        """How much of the part can be resumed; its bytes, as on disk, go into the sha256 and CRC."""
        have = os.fstat(fd).st_size
        stored = load_stream_meta(self.part, self.size)
        if stored is None or have > self.size or segments_sidecar(self.part).exists() or has_holes(fd, have):
            # Not described by its .part.meta (another size, unreadable, none: not made by this
            # version), too long, a segmented download's (preallocated) part, or never written in places.
            log.info("%s cannot be resumed: starting it over", self.part.name)
            os.ftruncate(fd, 0)
            segments_sidecar(self.part).unlink(missing_ok=True)
            return 0
        self.validator = stored
        self.expected_crc = self.validator.crc
        self.crc = read_back(fd, have, self.digest, self.crc)
        return have

    def _restart(self) -> None:
        """The same file emptied (never removed and made again: the descriptor stays the part)."""
        os.ftruncate(self.fd, 0)
        self.digest, self.crc, self.offset, self.resumed_from = hashlib.sha256(), 0, 0, 0
        self.expected_crc, self.validator = None, Validator()

    def _finish(self) -> None:
        check_still_there(self.fd, self.part, self.size)
        check_crc(self.expected_crc, self.crc, self.part)
        os.fsync(self.fd)

    # -- the network ----------------------------------------------------------------------------

    async def _fetch(self) -> Fetched:
        headers = {}
        if self.offset:
            headers["Range"] = f"bytes={self.offset}-"
            if condition := self.validator.if_range():
                headers["If-Range"] = condition
        async with self.http.get(self.url, headers=headers) as response:
            if response.status == 403:
                return Fetched.EXPIRED
            if response.status == 416 and self.offset == self.size:
                return Fetched.DONE
            answer = Validator.of(response)
            if response.status == 200:
                if self.offset:
                    log.info("the object changed or Range was ignored: starting %s over", self.part.name)
                    await asyncio.to_thread(self._restart)
            elif response.status == 206:
                if self.validator.changed(answer):
                    await self._changed()
                    return Fetched.MORE
                check_total(response, self.offset, self.size)
            else:
                raise answered(response.status)
            await self._remember(answer)
            self._check_length(response)
            await self._stream(response)
        return Fetched.DONE if self.offset >= self.size else Fetched.MORE

    async def _changed(self) -> None:
        """The store holds another object than the part began with: all of it again, from zero."""
        self.changes += 1
        if self.changes > MAX_CHANGES:
            raise keeps_changing()
        log.info("the object behind %s changed: starting it over", self.part.name)
        await asyncio.to_thread(self._restart)

    async def _remember(self, answer: Validator) -> None:
        """What this answer says the object is, beside the part before any of its bytes are."""
        if answer.crc is not None:
            self.expected_crc = answer.crc
        merged = Validator(
            self.validator.etag or answer.etag,
            self.validator.last_modified or answer.last_modified,
            self.expected_crc,
        )
        if merged != self.validator or self.offset == 0:
            self.validator = merged
            await asyncio.to_thread(save_stream_meta, self.part, self.size, merged)

    def _check_length(self, response: aiohttp.ClientResponse) -> None:
        """The bytes announced are the rest of the file (a 200's length is the whole object's)."""
        announced = response.headers.get("content-length", "")
        if not announced.isdigit():
            return
        if response.status == 200:
            check_size(int(announced), self.size)
        elif int(announced) != self.size - self.offset:
            raise Worded(
                f"the file server announced {announced} bytes where {self.size - self.offset} were due",
                f"文件服务器公布 {announced} 字节，而应为 {self.size - self.offset} 字节",
            )

    async def _stream(self, response: aiohttp.ClientResponse) -> None:
        """Read on the loop, write and hash in the sink's thread; what arrived is kept on a break."""
        sink = Sink(self.fd, hashing=True)
        sink.digest, sink.crc = self.digest, self.crc
        position, batch, size, last_put = self.offset, [], 0, time.monotonic()
        try:
            async for chunk in response.content.iter_any():  # as it arrives: a break loses little
                if position + size + len(chunk) > self.size:
                    raise sent_more(self.size)
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
        if sink.error is not None:
            raise disk_error(sink.error, self.part)

    def _credit(self, written: int) -> None:
        self.offset += written
        self.on_progress(self.offset, self.size)
