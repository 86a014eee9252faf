"""Recordings as the user sees them: show a recording's files, download them, delete them.

One code path for `vmrctl recordings` and the download queue. Where a file goes is decided
here (`place`): the name is claimed in the catalog for this recording and index, so two
look-alike recordings (one room, one second, one size) never share a file or a `.part`, and
a file found on disk is taken as done only when the catalog says it is this one and its
size and sha256 agree.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vmrtray.api import ApiError, Client, RecordFile

from .catalog import Catalog, FileRow
from .claims import claiming, done_elsewhere
from .errors import FileGone, NoFiles
from .targets import (
    Downloaded,
    Found,
    Known,
    NoFreeName,
    OnProgress,
    inspect,
    names,
    recording_filename,
    sha256_file,
)
from .untrusted import plain

if TYPE_CHECKING:
    import aiohttp


@dataclass(frozen=True)
class Listing:
    """What `getRecords` says of a recording now, in the catalog's order, and its room's name
    (for file names). `indexes[n]` is the catalog's index of `files[n]`: a file is known by
    what the service says of it (catalog.identity), not by where the service lists it."""

    files: list[RecordFile]
    room_name: str
    indexes: tuple[int, ...] = ()

    def items(self) -> list[tuple[int, RecordFile]]:
        """(catalog index, file) of each file listed."""
        return list(zip(self.indexes or range(len(self.files)), self.files, strict=True))

    def file(self, idx: int) -> RecordFile:
        return next(file for n, file in self.items() if n == idx)

    @property
    def parts(self) -> int:
        """How many parts the file names count (a file listed later numbers after the others)."""
        return max((n + 1 for n, _ in self.items()), default=0)


#: The pauses while waiting for a stopped recording's files to be listed: from the first to the longest.
LIST_FIRST, LIST_MOST = 2.0, 15.0


async def listing(api: Client, catalog: Catalog, record_id: str, *, wait: float = 0.0) -> Listing:
    """The recording's files, kept in the catalog with the room's name. After a stop the service
    lists nothing while it makes them: with `wait`, asked again (2 s, doubling to 15 s) until
    they are listed or `wait` seconds have passed; then NoFiles."""
    files = await _files_within(api, record_id, wait)
    if not files:
        raise NoFiles(record_id)
    indexes = await asyncio.to_thread(catalog.set_files, record_id, files)
    name = await room_name_of(api, files[0].conference_key)
    if name:
        await asyncio.to_thread(catalog.set_room_name, record_id, name)
    ordered = sorted(dict(zip(indexes, files, strict=True)).items(), key=lambda item: item[0])
    return Listing([file for _, file in ordered], name, tuple(idx for idx, _ in ordered))


async def _files_within(api: Client, record_id: str, wait: float) -> list[RecordFile]:
    loop = asyncio.get_running_loop()
    deadline, pause = loop.time() + wait, LIST_FIRST
    while not (files := await api.get_records(record_id)) and (left := deadline - loop.time()) > 0:
        await asyncio.sleep(min(pause, left))
        pause = min(LIST_MOST, pause * 2)
    return files


async def show(api: Client, catalog: Catalog, record_id: str, *, wait: float = 0.0) -> list[RecordFile]:
    return (await listing(api, catalog, record_id, wait=wait)).files


async def fresh_file(api: Client, catalog: Catalog, record_id: str, n: int) -> RecordFile:
    """The catalog's file `n` of a recording with a link just signed (the old one expired).

    The file the service lists now that is the same file (catalog.identity), wherever it is
    in the list; FileGone when none is: never another file's link.
    """
    files = await api.get_records(record_id)
    if not files:
        raise NoFiles(record_id)
    indexes = await asyncio.to_thread(catalog.set_files, record_id, files)
    for idx, file in zip(indexes, files, strict=True):
        if idx == n:
            return file
    raise FileGone(record_id, n)


def name_in(folder: Path, listed: Listing, n: int) -> Path:
    """The name the catalog's file `n` would have in `folder` (before any other file is found there)."""
    file = listed.file(n)
    return folder / recording_filename(listed.room_name, file.conference_key, file.start_time, n, listed.parts)


@dataclass(frozen=True)
class Placement:
    """Where one file goes, claimed for it; `adopted` when it is already there, proven."""

    target: Path
    adopted: Downloaded | None = None
    verified: bool = False  # the adopted file was fetched and verified by this app (the catalog says)


async def place(catalog: Catalog, record_id: str, idx: int, size: int, first: Path) -> Placement:
    """Claim a name for file `idx` of `record_id`: `first`, else `first (2)`, `(3)`…

    A name another file of the catalog holds is skipped; so is one with a file (or a
    `.part`) on disk the catalog does not say is this one. The file already at a claimed
    name is adopted only if the catalog records it there with its sha256 and the bytes on
    disk match that size and a fresh sha256 (hashed in a thread); or if it is at the name this
    file claimed before, with no `.part` left, of its size (and of the sha256 the catalog
    knows, if any): its own download moved it there and was stopped before writing it down
    (a kill). Such a file is adopted, not fetched again as "… (2)", and not vouched for (its
    check was not written down): it never lets auto-delete remove the recording.
    """
    row = await file_row(catalog, record_id, idx)
    known = Known(row.target, row.local_path, row.sha256, size) if row else Known(None, None, None, size)
    for candidate in names(first):
        if not await asyncio.to_thread(catalog.claim_target, record_id, idx, candidate):
            continue
        found = await asyncio.to_thread(inspect, candidate, known)
        if found is Found.FREE:
            return Placement(candidate)
        if found is Found.THIS and known.sha256:
            return Placement(candidate, Downloaded(candidate, known.sha256, size), bool(row and row.verified))
        if found is Found.LEFT:
            sha256 = known.sha256 if known.sha256 else await asyncio.to_thread(sha256_file, candidate)
            return Placement(candidate, Downloaded(candidate, sha256, size))
    raise NoFreeName(first)


async def file_row(catalog: Catalog, record_id: str, idx: int) -> FileRow | None:
    rows = await asyncio.to_thread(catalog.files, record_id)
    return next((row for row in rows if row.idx == idx), None)


async def keep_adopted(catalog: Catalog, record_id: str, idx: int, adopted: Downloaded, *, verified: bool) -> None:
    """Record an adopted file as done; verified stays what the catalog said (never raised here)."""
    await asyncio.to_thread(catalog.mark_downloaded, record_id, idx, adopted.path, adopted.sha256, verified=verified)


def first_name(row: FileRow | None, folder: Path, listed: Listing, n: int) -> Path:
    """The name to try first: the one claimed before in this folder (its `.part` resumes), else the file's."""
    if row is not None and row.target and Path(row.target).parent == folder:
        return Path(row.target)
    return name_in(folder, listed, n)


async def download_all(
    api: Client,
    catalog: Catalog,
    record_id: str,
    folder: Path,
    *,
    http: aiohttp.ClientSession,
    progress: Callable[[RecordFile, Path], OnProgress] | None = None,
    segments: int = 1,
    wait: float = 0.0,
) -> list[Downloaded]:
    """Every file of a recording into `folder`, one after another, each resumable.

    A file already there is kept only as `place` proves it; what is fetched is recorded as
    verified by this app. DownloadBusy when another process is downloading one of them, into
    any folder (core.claims); one another process downloaded into another folder is not
    fetched again: it stays there, and its path is returned. Never deletes anything from the cloud.
    """
    from .downloads import download  # aiohttp loads with the first download

    listed = await listing(api, catalog, record_id, wait=wait)
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    done = []
    for n, file in listed.items():
        first = first_name(await file_row(catalog, record_id, n), folder, listed, n)
        async with claiming(catalog, record_id, n, first):  # another process's: DownloadBusy
            found = await done_elsewhere(catalog, record_id, n, file.file_size)
            if found is not None:
                placement = Placement(found[0].path, *found)
            else:
                placement = await place(catalog, record_id, n, file.file_size, first)
            if placement.adopted is not None:
                await keep_adopted(catalog, record_id, n, placement.adopted, verified=placement.verified)
                done.append(placement.adopted)
                continue

            async def fresh_link(n: int = n) -> str:
                return (await fresh_file(api, catalog, record_id, n)).down_url

            on_progress = progress(file, placement.target) if progress else None
            result = await download(
                file, placement.target, http=http, refresh=fresh_link, on_progress=on_progress, segments=segments
            )
            await asyncio.to_thread(
                catalog.mark_downloaded, record_id, n, result.path, result.sha256, verified=result.vouched
            )
            done.append(result)
    return done


async def delete(api: Client, catalog: Catalog, record_id: str) -> None:
    await api.delete_record_file(record_id)
    await asyncio.to_thread(catalog.mark_deleted, record_id)


async def room_name_of(api: Client, short_number: str) -> str:
    """The room's name for file names, alerts and the Recordings window, made plain
    (core.untrusted); "" when the service will not say."""
    try:
        return plain((await api.get_meeting_info(short_number)).name)
    except ApiError:
        return ""
