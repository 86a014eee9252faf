"""One file of a recording is downloaded once on this computer, whatever folder each process uses.

The tray (default ~/Downloads/vmrtray), a `vmrctl watch --download DIR` (the systemd unit:
~/Videos/vmrtray) and `vmrctl recordings download -o DIR` share one catalog but may each have
their own folder. The lock beside a `.part` (core.part_lock.holding) keeps two writers out of
one folder's part; across folders each would have claimed its own name and fetched the file
again. So a file also has a lock of its own (`claiming`, part_lock.holding_file, in
`<catalog>.downloading/` beside the catalog): whoever holds it claims the file's name in the
catalog, downloads it and writes it down. Another process wanting the same file meanwhile
gets DownloadBusy (the queue waits in ELSEWHERE; vmrctl says so and exits 5) and never takes
the claim away.

A file another process already downloaded is not fetched again, nor copied: it stays where it
is (`done_elsewhere`), and that is where this process says it is. One copy of a recording of
gigabytes is what the user has disk for; a second folder holding a link or a copy would be
one more thing to keep in step with the catalog, which knows one place per file.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from .catalog import Catalog
from .targets import Downloaded, Found, Known, inspect


@contextlib.asynccontextmanager
async def claiming(catalog: Catalog, record_id: str, idx: int, target: Path) -> AsyncIterator[None]:
    """Hold file `idx` of `record_id` for this process for the block, whatever its folder;
    DownloadBusy (naming `target`) when another process holds it."""
    from .part_lock import FILE_LOCKS, holding_file  # aiohttp loads with the first download

    async with holding_file(catalog.path.with_name(catalog.path.name + FILE_LOCKS), record_id, idx, target):
        yield


async def done_elsewhere(catalog: Catalog, record_id: str, idx: int, size: int) -> tuple[Downloaded, bool] | None:
    """File `idx` already downloaded, wherever the catalog says (another folder, another
    process), and still there: its size and a fresh sha256 agree with the catalog's (hashed in
    a thread). The file and whether this app fetched and verified it; None when it is not."""
    rows = await asyncio.to_thread(catalog.files, record_id)
    row = next((r for r in rows if r.idx == idx), None)
    if row is None or not row.local_path or not row.sha256:
        return None
    path = Path(row.local_path)
    found = await asyncio.to_thread(inspect, path, Known(row.target, row.local_path, row.sha256, size))
    if found is not Found.THIS:
        return None
    return Downloaded(path, row.sha256, size), row.verified
