"""A large file in N parallel Range requests, resumable, into one preallocated `.part`.

Some object stores limit each connection's speed; several connections share the work.
Which bytes of each segment have arrived is kept beside the part (`.part.segments`, JSON,
written atomically every few MiB), so a crash or a quit resumes each segment where it
stopped. Segments write at their offsets (`os.pwrite`), so the sha256 and the CRC-64 are
computed by reading the finished file once, in a worker thread: they are of the bytes on disk.

The part is created exclusively and never through a link, and used through one descriptor
(core.transfer). Every 206's Content-Range total must be the announced size (a larger object
cut to `fileSize` was once kept). The probe's ETag, Last-Modified and CRC-64 are kept in the
sidecar; every request sends `If-Range` and every answer's validators are compared, so a
replaced object starts the whole download over rather than mixing two versions.

A resume probes too, even a part whole on arrival: its sidecar's validators must be exactly
the probe's, the CRC-64 checked is the probe's, and the sidecar's segments must cover the
file exactly once — a planted or stale sidecar never makes a part "verified" (issue 13). A
probe whose total is `*` confirms no size: the file comes in one stream (a 200's length is
checked). An answer that brings no bytes is a failed attempt (backoff, limit), not a loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from vmrtray.api import RecordFile

from .atomic import write_atomic
from .sink import Sink
from .targets import OnProgress, Refresh, segments_sidecar
from .transfer import (
    CHUNK,
    MAX_CHANGES,
    MAX_RENEWALS,
    TRANSFER_ERRORS,
    Fetch,
    Fetched,
    UnknownTotal,
    Validator,
    Worded,
    answered,
    check_crc,
    check_still_there,
    check_total,
    create_part,
    disk_error,
    failed_attempt,
    keeps_changing,
    link_refused,
    open_part,
    short,
    synced_and_hashed,
    write_due,
)

log = logging.getLogger(__name__)

SAVE_EVERY = 8 << 20
#: Fetched again before a hole found inside a segment's done bytes (more than any block size).
HOLE_MARGIN = 1 << 20


class NoRange(Exception):
    """The store ignores Range: the caller fetches the file in one stream instead."""


class _Changed(Exception):
    """The store holds another object than the one the part began with."""


@dataclass
class Segment:
    start: int
    end: int  # exclusive
    done: int = 0

    @property
    def left(self) -> int:
        return self.end - self.start - self.done


def covers(segments: list[Segment], size: int) -> bool:
    """The segments cover [0, size) exactly once, none done beyond its end (else the part is discarded)."""
    position = 0
    for segment in sorted(segments, key=lambda s: s.start):
        if segment.start != position or segment.end <= segment.start:
            return False
        if not 0 <= segment.done <= segment.end - segment.start:
            return False
        position = segment.end
    return position == size


def split(size: int, count: int) -> list[Segment]:
    step = -(-size // count)
    return [Segment(start, min(size, start + step)) for start in range(0, size, step)]


class Segmented(Fetch):
    def __init__(
        self,
        file: RecordFile,
        part: Path,
        http: aiohttp.ClientSession,
        refresh: Refresh,
        on_progress: OnProgress | None,
        count: int,
    ) -> None:
        super().__init__(file, part, http, refresh, on_progress)
        self.count = count
        self.sidecar = segments_sidecar(part)
        self.segments: list[Segment] = []
        self._link_lock = asyncio.Lock()
        self._since_save = 0
        self.validator = Validator()
        self.resumed_from = 0
        self.vouched = False  # every byte came in this download, or the probe's CRC-64 matched them

    def may_run(self) -> bool:
        """Not over a single-stream part (that one resumes as it began)."""
        return self.sidecar.exists() or not os.path.lexists(self.part)

    @property
    def done(self) -> int:
        return sum(s.done for s in self.segments)

    async def run(self) -> tuple[int, str]:
        """Fetch what is missing; the bytes it resumed from and the file's sha256."""
        fd = await asyncio.to_thread(self._open)
        if fd is None:
            await self._probe()
            fd = await asyncio.to_thread(self._create)
        else:
            try:
                await self._confirm(fd)
            except BaseException:
                await asyncio.to_thread(os.close, fd)
                raise
        try:
            self.resumed_from = self.done
            await self._fetch_changing(fd)
            return self.resumed_from, await asyncio.to_thread(self._verify, fd)
        finally:
            await asyncio.to_thread(os.close, fd)

    async def _fetch_changing(self, fd: int) -> None:
        """All segments; over again from zero (a fresh probe) each time the object is found replaced."""
        for changes in range(MAX_CHANGES + 1):
            try:
                await self._fetch_all(fd)
                return
            except _Changed:
                log.info("the object behind %s changed: starting it over (%d)", self.part.name, changes + 1)
            finally:
                await asyncio.to_thread(self._save)
            self.validator, self.expected_crc, self._since_save, self.resumed_from = Validator(), None, 0, 0
            await self._probe()
            await asyncio.to_thread(self._reset, fd)
        raise keeps_changing()

    async def _confirm(self, fd: int) -> None:
        """A part to resume (even one whole on arrival) is of the object the store holds now.

        Asked with a probe, whose validators must be exactly the sidecar's (one side lacking
        one counts as changed), and whose CRC-64 is the one checked at the end: a sidecar
        alone, planted or stale, never makes a part "verified" without a word from the store.
        """
        stored = self.validator
        await self._probe()
        if not stored.confirms(self.validator):  # no validator on either side confirms nothing
            log.info("%s is not of the object the file server holds now: starting it over", self.part.name)
            self.resumed_from = 0
            await asyncio.to_thread(self._reset, fd)

    # -- state beside the part ------------------------------------------------------------------

    def _open(self) -> int | None:
        """The part there is with its sidecar, to resume; None when a new one is to be made."""
        if self._load():
            fd = open_part(self.part)
            if fd is not None:
                if os.fstat(fd).st_size == self.size:
                    self._trim_to_data(fd)
                    return fd
                os.close(fd)
        self.sidecar.unlink(missing_ok=True)
        fd = open_part(self.part)  # removes a planted link
        if fd is not None:
            os.close(fd)
            self.part.unlink()  # a part without its sidecar: which bytes are in is unknown
        return None

    def _trim_to_data(self, fd: int) -> None:
        """What the sidecar says was written, but is a hole on disk, is fetched again.

        The part is sparse by design, so a hole is only wrong inside a segment's done bytes
        (a sidecar ahead of the data). Holes are whole blocks (4 KiB, up to 128 KiB on some
        file systems): the block before one may hold zeros never written, so a margin before
        the hole is fetched again too. A file system that reports no holes trims nothing.
        """
        if not hasattr(os, "SEEK_HOLE"):
            return
        for segment in self.segments:
            if not segment.done:
                continue
            try:
                hole = os.lseek(fd, segment.start, os.SEEK_HOLE)
            except OSError:
                return
            if hole < segment.start + segment.done:
                segment.done = max(0, hole - HOLE_MARGIN - segment.start)

    def _load(self) -> bool:
        try:
            data = json.loads(self.sidecar.read_text("utf-8"))
            segments = [Segment(int(a), int(b), int(c)) for a, b, c in data["segments"]]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        if data.get("size") != self.size or not covers(segments, self.size):
            return False
        self.segments = sorted(segments, key=lambda s: s.start)
        self.validator = Validator.from_json(data)  # compared with the probe's (`_confirm`)
        return True

    def _create(self) -> int:
        fd = create_part(self.part)
        try:
            os.ftruncate(fd, self.size)  # sparse: the space was checked before (core.transfer.check_room)
        except BaseException:
            os.close(fd)
            self.part.unlink(missing_ok=True)
            raise
        self.segments = split(self.size, self.count)
        self._save()
        return fd

    def _reset(self, fd: int) -> None:
        """The same part emptied for the new object (never removed and made again)."""
        os.ftruncate(fd, 0)
        os.ftruncate(fd, self.size)
        self.segments = split(self.size, self.count)
        self._save()

    def _save(self) -> None:
        if not self.segments:
            return
        data = {
            "size": self.size,
            **self.validator.to_json(),
            "segments": [[s.start, s.end, s.done] for s in self.segments],
        }
        with contextlib.suppress(OSError):  # at worst a resume fetches a few MiB again
            write_atomic(self.sidecar, json.dumps(data).encode())

    # -- fetching -------------------------------------------------------------------------------

    async def _probe(self) -> None:
        """One byte with Range: 206 means segments work; it tells the object's size and validators."""
        for _ in range(MAX_RENEWALS + 1):
            async with self.http.get(self.url, headers={"Range": "bytes=0-0"}) as response:
                if response.status == 206:
                    try:
                        check_total(response, 0, self.size)
                    except UnknownTotal:  # the size is not confirmed: one stream checks a 200's length
                        raise NoRange from None
                    self.validator = Validator.of(response)
                    self.expected_crc = self.validator.crc
                    return
                if response.status == 200:
                    raise NoRange
                if response.status != 403:
                    raise answered(response.status)
            await self._renew(self.url)
        raise link_refused()

    async def _fetch_all(self, fd: int) -> None:
        sink = Sink(fd, in_flight=8)  # ~8 MiB queued at most, however many segments
        tasks = [asyncio.ensure_future(self._segment(sink, s)) for s in self.segments if s.left > 0]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        finally:
            await sink.close()
        if sink.error is not None:
            raise disk_error(sink.error, self.part)

    async def _segment(self, sink: Sink, segment: Segment) -> None:
        attempts = 0
        while segment.left > 0:
            url = self.url
            try:
                outcome = await self._fetch(sink, segment, url)
            except TRANSFER_ERRORS as exc:
                attempts = await failed_attempt(attempts, exc)
                continue
            if outcome == Fetched.EXPIRED:
                await self._renew(url)
            elif outcome == Fetched.NOTHING:
                attempts = await failed_attempt(attempts, None)

    async def _fetch(self, sink: Sink, segment: Segment, url: str) -> Fetched:
        await self._flush(sink)  # what this segment queued is on disk: `done` is exact
        if segment.left == 0:
            return Fetched.DONE
        position = segment.start + segment.done
        headers = {"Range": f"bytes={position}-{segment.end - 1}"}
        if condition := self.validator.if_range():
            headers["If-Range"] = condition
        async with self.http.get(url, headers=headers) as response:
            if response.status == 403:
                return Fetched.EXPIRED
            if response.status == 200:
                if condition:  # the validator no longer matches: another object
                    raise _Changed
                raise Worded(
                    "the file server stopped honouring Range mid-download; start it again",
                    "文件服务器在下载中途不再支持分段请求；请重新开始下载",
                )
            if response.status != 206:
                raise answered(response.status)
            if self.validator.changed(Validator.of(response)):
                raise _Changed
            try:
                check_total(response, position, self.size)
            except UnknownTotal:  # the probe gave a total, this answer does not: one stream checks a 200's
                log.info("the file server hides the size on a segment of %s: one stream instead", self.part.name)
                raise NoRange from None
            moved = await self._stream(sink, segment, response, position)
        return Fetched.MORE if moved else Fetched.NOTHING

    async def _stream(self, sink: Sink, segment: Segment, response: aiohttp.ClientResponse, position: int) -> int:
        """The bytes this answer brought (queued for the sink)."""

        def credit(written: int) -> None:
            segment.done += written
            self.arrived += written
            self._since_save += written
            self.on_progress(self.done, self.size)

        batch: list[bytes] = []
        size, last_put, moved = 0, time.monotonic(), 0
        try:
            async for chunk in response.content.iter_any():  # as it arrives: a break loses little
                if position + size + len(chunk) > segment.end:
                    raise Worded(
                        "the file server sent more than the range asked for", "文件服务器发来的数据超出所请求的范围"
                    )
                batch.append(chunk)
                size += len(chunk)
                moved += len(chunk)
                if size >= CHUNK or (size and write_due(last_put)):
                    await sink.put(position, batch, credit)
                    position, batch, size, last_put = position + size, [], 0, time.monotonic()
                    await self._maybe_save()
        except OSError as exc:
            raise disk_error(exc, self.part) from exc
        finally:
            if batch and sink.error is None:
                await sink.put(position, batch, credit)
        return moved

    async def _flush(self, sink: Sink) -> None:
        try:
            await sink.flush()
        except OSError as exc:
            raise disk_error(exc, self.part) from exc

    async def _maybe_save(self) -> None:
        """Now and then, which bytes are written (never ones only queued) goes beside the part."""
        if self._since_save >= SAVE_EVERY:
            self._since_save = 0
            await asyncio.to_thread(self._save)

    async def _renew(self, failed_url: str) -> None:
        """One fresh link for all segments, however many of them met the 403."""
        async with self._link_lock:
            if self.url != failed_url:
                return  # another segment renewed it already
            await self.renew()

    # -- the end --------------------------------------------------------------------------------

    def _verify(self, fd: int) -> str:
        """The sha256 of the part as it is on disk (read back through its descriptor), CRC-64 checked."""
        if self.done != self.size:
            raise short(self.done, self.size)
        check_still_there(fd, self.part, self.size)
        sha256, crc = synced_and_hashed(fd, self.size)
        check_crc(self.expected_crc, crc, self.part)
        self.vouched = self.resumed_from == 0 or self.expected_crc is not None
        return sha256
