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

And after an adversary's review: no download ends without an answer from the store (a part
whole on arrival gets a one-byte probe); validators compare strictly (one side lacking one
is a change: start over); the CRC-64 checked comes from an answer, never the sidecar alone;
a `bytes a-b/*` total confirms no size (the whole object is fetched instead); the sha256 and
CRC-64 are read back from disk after the last write (alongside the fsync); an answer that
moves no bytes is a failed attempt with the usual backoff and limit.

And after a second one: no validator at all confirms nothing (a sidecar of nulls starts the
part over; a resume is asked only with a validator to send and compare); a file is
`vouched` for (what lets the catalog call it verified, and auto-delete act) only when this
download fetched every byte of it or an answer's CRC-64 matched them; segments meeting a
`*` total after the probe's number finish in one stream.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path

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
    MAX_CHANGES,
    TRANSFER_ERRORS,
    Fetch,
    Fetched,
    UnknownTotal,
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
    failed_attempt,
    has_holes,
    keeps_changing,
    load_stream_meta,
    move_into_place,
    new_file_session,
    open_part,
    save_stream_meta,
    sent_more,
    synced_and_hashed,
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
                log.info("the file server ignores Range (or hides the size): %s comes in one stream", part.name)
            else:
                await asyncio.to_thread(_into_place, part, target)
                return Downloaded(target, sha256, resumed_from, segmented.vouched)
    job = _Job(file, part, http, refresh, on_progress)
    resumed_from = await job.run()
    await asyncio.to_thread(_into_place, part, target)
    return Downloaded(target, job.sha256, resumed_from, job.vouched)


def _into_place(part: Path, target: Path) -> None:
    move_into_place(part, target)
    stream_sidecar(part).unlink(missing_ok=True)
    segments_sidecar(part).unlink(missing_ok=True)


class _Job(Fetch):
    """One stream, from where the `.part` ends, through one descriptor; hashed from disk at the end."""

    sha256: str
    vouched: bool  # every byte came in this download, or an answer's CRC-64 matched them (targets.Downloaded)
    offset: int
    fd: int
    validator: Validator
    changes: int  # times the object was found replaced during this download
    resumed_from: int  # the bytes of the part kept (0 once it started over)
    no_range: bool  # a 206 did not confirm the size (`bytes a-b/*`): whole answers (200) only

    async def run(self) -> int:
        self.validator, self.no_range = Validator(), False
        self.fd = await asyncio.to_thread(self._open)
        try:
            self.resumed_from = self.offset
            await self._fetch_all()
            self.sha256 = await asyncio.to_thread(self._finish)
        finally:
            await asyncio.to_thread(os.close, self.fd)
        return self.resumed_from

    async def _fetch_all(self) -> None:
        """Until every byte is in and confirmed by an answer of this download (never none)."""
        attempts = 0
        self.changes = 0
        while True:
            before = self.offset
            try:
                outcome = await self._fetch()
            except TRANSFER_ERRORS as exc:
                log.info("download of %s broke at %d bytes, resuming", self.part.name, self.offset)
                attempts = await failed_attempt(attempts, exc)
                continue
            if outcome == Fetched.EXPIRED:
                await self.renew()
            elif outcome == Fetched.DONE:
                return
            elif outcome == Fetched.MORE and self.offset == before:
                attempts = await failed_attempt(attempts, None)

    # -- the part -------------------------------------------------------------------------------

    def _open(self) -> int:
        """The part this job writes: the one there is (to resume), or a new one."""
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
        """How much of the part can be resumed (its validators are kept to compare with the store's).

        The sidecar's CRC-64 is never what the part is checked against: only an answer of
        this download says what the object is (a planted sidecar once made a part of zeros
        "verified" with no request at all).
        """
        have = os.fstat(fd).st_size
        stored = load_stream_meta(self.part, self.size)
        if (
            stored is None
            or not stored.known
            or have > self.size
            or segments_sidecar(self.part).exists()
            or has_holes(fd, have)
        ):
            # Not described by its .part.meta (another size, unreadable, none: not made by this
            # version; no validator at all: nothing an answer could confirm), too long, a
            # segmented download's (preallocated) part, or never written in places.
            log.info("%s cannot be resumed: starting it over", self.part.name)
            os.ftruncate(fd, 0)
            segments_sidecar(self.part).unlink(missing_ok=True)
            return 0
        self.validator = stored
        return have

    def _restart(self) -> None:
        """The same file emptied (never removed and made again: the descriptor stays the part)."""
        os.ftruncate(self.fd, 0)
        self.offset, self.resumed_from = 0, 0
        self.expected_crc, self.validator = None, Validator()

    def _finish(self) -> str:
        """The sha256 of the part as it is on disk (read back through its descriptor), CRC-64 checked.

        Hashing what was handed to pwrite would vouch for bytes another writer (one not
        taking the part lock: an older version, a sync tool) may since have changed.
        """
        check_still_there(self.fd, self.part, self.size)
        sha256, crc = synced_and_hashed(self.fd, self.size)
        check_crc(self.expected_crc, crc, self.part)
        self.vouched = self.resumed_from == 0 or self.expected_crc is not None
        return sha256

    # -- the network ----------------------------------------------------------------------------

    async def _fetch(self) -> Fetched:
        probing = self.offset >= self.size > 0  # whole on arrival: the store must still confirm it
        headers = {}
        if probing:
            headers["Range"] = "bytes=0-0"
        elif self.offset and not self.no_range and self.validator.known:
            # without a validator no 206 could say it is of the same object: all of it (a 200) instead
            headers["Range"] = f"bytes={self.offset}-"
        if "Range" in headers and (condition := self.validator.if_range()):
            headers["If-Range"] = condition
        async with self.http.get(self.url, headers=headers) as response:
            if response.status == 403:
                return Fetched.EXPIRED
            answer = Validator.of(response)
            if response.status == 200:
                if self.offset:
                    log.info("the object changed or Range was ignored: starting %s over", self.part.name)
                    await asyncio.to_thread(self._restart)
            elif response.status == 206:
                if self.offset and not self.validator.confirms(answer):
                    await self._changed()
                    return Fetched.RESTART
                if not await self._total_confirmed(response, 0 if probing else self.offset):
                    return Fetched.RESTART
                if probing:
                    await self._remember(answer)
                    return Fetched.DONE
            else:
                raise answered(response.status)
            await self._remember(answer)
            self._check_length(response)
            await self._stream(response)
        return Fetched.DONE if self.offset >= self.size else Fetched.MORE

    async def _total_confirmed(self, response: aiohttp.ClientResponse, start: int) -> bool:
        """The 206's total is the size; an unknown one (`*`) once makes it fetch the whole object."""
        try:
            check_total(response, start, self.size)
        except UnknownTotal:
            if self.no_range or not self.offset:
                raise
            log.info("the file server does not confirm the size of %s: fetching all of it", self.part.name)
            self.no_range = True
            await asyncio.to_thread(self._restart)
            return False
        return True

    async def _changed(self) -> None:
        """The store holds another object than the part began with: all of it again, from zero."""
        self.changes += 1
        if self.changes > MAX_CHANGES:
            raise keeps_changing()
        log.info("the object behind %s changed: starting it over", self.part.name)
        await asyncio.to_thread(self._restart)

    async def _remember(self, answer: Validator) -> None:
        """What this answer says the object is, beside the part before any of its bytes are.

        Its CRC-64 is what the finished part is checked against (an answer of this download,
        never the sidecar alone)."""
        self.expected_crc = answer.crc
        if answer != self.validator or self.offset == 0:
            self.validator = answer
            await asyncio.to_thread(save_stream_meta, self.part, self.size, answer)

    def _check_length(self, response: aiohttp.ClientResponse) -> None:
        """The bytes announced are the rest of the file (a 200's length is the whole object's)."""
        announced = response.headers.get("content-length", "")
        if not (announced.isascii() and announced.isdigit()):  # "١٢٣".isdigit() is True, and int() takes it
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
        sink = Sink(self.fd)
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
        if sink.error is not None:
            raise disk_error(sink.error, self.part)

    def _credit(self, written: int) -> None:
        self.offset += written
        self.arrived += written
        self.on_progress(self.offset, self.size)
