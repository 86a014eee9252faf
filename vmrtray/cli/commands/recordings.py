"""`recordings list|show|delete`: what this app knows of, a recording's files, deleting one.
(`recordings download` is in `download`.)"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from vmrtray.api import RecordFile
from vmrtray.core import recordings
from vmrtray.core.catalog import CatalogEntry
from vmrtray.core.lang import pick
from vmrtray.core.units import size_text

from ..context import Context
from ..exits import Exit, UsageError
from ..output import Table, is_record_id, length, local_time
from .download import download


async def recordings_command(ctx: Context) -> int:
    action = ctx.args.action
    if action == "list":
        return await list_known(ctx)
    record_id = ctx.args.record_id.strip()
    if not is_record_id(record_id):
        # the id is echoed in sentences, so it is shown here escaped (repr), never raw
        shown = repr(ctx.args.record_id)
        raise UsageError(pick(ctx.lang, f"{shown} is not a record id", f"{shown} 不是录制 ID"))
    if action == "show":
        return await show(ctx, record_id)
    if action == "download":
        return await download(ctx, record_id)
    return await delete(ctx, record_id)


async def list_known(ctx: Context) -> int:
    room = ctx.rooms([ctx.args.room])[0] if ctx.args.room else None
    entries = await asyncio.to_thread(ctx.catalog.entries, room)
    ctx.emit([_entry_data(e) for e in entries], lambda: _entries_table(entries))
    if not entries:
        ctx.say(
            "No recordings known yet: they are learned from `record start`, `status` and `recordings show ID`.",
            "还没有已知的录制：录制 ID 来自 record start、status 和 recordings show ID。",
        )
    return Exit.OK


def _entry_data(e: CatalogEntry) -> dict[str, Any]:
    return {
        "recordId": e.record_id,
        "conferenceKey": e.room,
        "source": e.source,
        "firstSeen": e.first_seen,
        "startTime": e.start_time,
        "files": e.files,
        "fileSize": e.total_size,
        "downloaded": e.downloaded,
        "deleted": bool(e.deleted),
    }


def _entries_table(entries: Sequence[CatalogEntry]) -> Table:
    headers = ["RECORD ID", "ROOM", "START", "FILES", "SIZE", "DOWNLOADED", "DELETED"]
    body = [
        [
            e.record_id,
            e.room or "",
            _local(e.start_time or e.first_seen),
            e.files or "",
            size_text(e.total_size) if e.files else "",
            f"{e.downloaded}/{e.files}" if e.files else "",
            "yes" if e.deleted else "",
        ]
        for e in entries
    ]
    return headers, body


def _local(iso: str) -> str:
    """A catalog time (the service's start in its zone, or when this app learned of it, in UTC)
    in the local zone, as every time vmrctl shows; as stored if it does not read as a time."""
    try:
        return local_time(datetime.fromisoformat(iso), seconds=True)
    except ValueError:
        return iso


async def show(ctx: Context, record_id: str) -> int:
    async with ctx.client() as api:
        files = await recordings.show(api, ctx.catalog, record_id, wait=ctx.args.wait)
    ctx.emit([f.to_api() for f in files], lambda: _files_table(files))
    return Exit.OK


def _files_table(files: Sequence[RecordFile]) -> Table:
    body = []
    for n, f in enumerate(files, start=1):
        seconds = int((f.stop_time - f.start_time).total_seconds()) if f.stop_time else None
        body.append([n, f.conference_key, local_time(f.start_time, True), length(seconds), size_text(f.file_size)])
    return ["#", "ROOM", "START", "LENGTH", "SIZE"], body


async def delete(ctx: Context, record_id: str) -> int:
    async with ctx.client() as api:
        files = await recordings.show(api, ctx.catalog, record_id)
        _confirm_delete(ctx, record_id, files)
        await recordings.delete(api, ctx.catalog, record_id)
    ctx.emit({"recordId": record_id, "deleted": True})
    ctx.say(f"Deleted recording {record_id} from the cloud.", f"已从云端删除录制 {record_id}。")
    return Exit.OK


def _confirm_delete(ctx: Context, record_id: str, files: Sequence[RecordFile]) -> None:
    """Only with --yes, or when the person at the terminal says yes."""
    if ctx.args.yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            pick(
                ctx.lang,
                f"Not deleting recording {record_id} without --yes (not an interactive terminal).",
                f"非交互终端，未加 --yes 不删除录制 {record_id}。",
            )
        )
    names = ", ".join(f"{f.conference_key} {local_time(f.start_time, True)} ({size_text(f.file_size)})" for f in files)
    answer = input(
        pick(
            ctx.lang,
            f"Delete recording {record_id} from the cloud — {len(files)} file(s): {names}? [y/N] ",
            f"从云端删除录制 {record_id}（{len(files)} 个文件：{names}）？[y/N] ",
        )
    )
    if answer.strip().lower() not in ("y", "yes", "是"):
        raise UsageError(pick(ctx.lang, "Nothing deleted.", "未删除任何内容。"))
