"""Recordings as the user sees them: show a recording's files, download them, delete them.

One code path for `vmrctl recordings` and, later, the recordings window.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vmrtray.api import ApiError, Client, RecordFile

from .catalog import Catalog
from .errors import NoFiles
from .targets import Downloaded, OnProgress, free_target, recording_filename

if TYPE_CHECKING:
    import aiohttp


@dataclass(frozen=True)
class Listing:
    """What `getRecords` says of a recording now, and its room's name (for file names)."""

    files: list[RecordFile]
    room_name: str


async def listing(api: Client, catalog: Catalog, record_id: str) -> Listing:
    """The recording's files, now; kept in the catalog with the room's name."""
    files = await api.get_records(record_id)
    if not files:
        raise NoFiles(record_id)
    await asyncio.to_thread(catalog.set_files, record_id, files)
    name = await room_name_of(api, files[0].conference_key)
    if name:
        await asyncio.to_thread(catalog.set_room_name, record_id, name)
    return Listing(files, name)


async def show(api: Client, catalog: Catalog, record_id: str) -> list[RecordFile]:
    return (await listing(api, catalog, record_id)).files


async def fresh_file(api: Client, catalog: Catalog, record_id: str, n: int) -> RecordFile:
    """File `n` of a recording with a link just signed (the old one expired)."""
    files = await api.get_records(record_id)
    if len(files) <= n:
        raise NoFiles(record_id)
    await asyncio.to_thread(catalog.set_files, record_id, files)
    return files[n]


async def target_for(folder: Path, listed: Listing, n: int) -> Path:
    """Where file `n` goes: its name in `folder`, never over a different file."""
    file = listed.files[n]
    name = recording_filename(listed.room_name, file.conference_key, file.start_time, n, len(listed.files))
    return await asyncio.to_thread(free_target, folder, name, file.file_size)


async def download_all(
    api: Client,
    catalog: Catalog,
    record_id: str,
    folder: Path,
    *,
    http: aiohttp.ClientSession,
    progress: Callable[[RecordFile, Path], OnProgress] | None = None,
    segments: int = 1,
) -> list[Downloaded]:
    """Every file of a recording into `folder`, one after another, each resumable."""
    from .downloads import download  # aiohttp loads with the first download

    listed = await listing(api, catalog, record_id)
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    done = []
    for n, file in enumerate(listed.files):
        target = await target_for(folder, listed, n)

        async def fresh_link(n: int = n) -> str:
            return (await fresh_file(api, catalog, record_id, n)).down_url

        on_progress = progress(file, target) if progress else None
        result = await download(file, target, http=http, refresh=fresh_link, on_progress=on_progress, segments=segments)
        await asyncio.to_thread(catalog.mark_downloaded, record_id, n, result.path, result.sha256)
        done.append(result)
    return done


async def delete(api: Client, catalog: Catalog, record_id: str) -> None:
    await api.delete_record_file(record_id)
    await asyncio.to_thread(catalog.mark_deleted, record_id)


async def room_name_of(api: Client, short_number: str) -> str:
    """The room's name for file names; "" when the service will not say."""
    try:
        return (await api.get_meeting_info(short_number)).name
    except ApiError:
        return ""
