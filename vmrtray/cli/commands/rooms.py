"""`rooms`, `status` and `record`: the account's rooms, what happens in them, their recording."""

from __future__ import annotations

import sys

from vmrtray.core import making, recording
from vmrtray.core.catalog import Source
from vmrtray.core.directory import RoomDirectory
from vmrtray.core.lang import pick
from vmrtray.core.status import RoomStatus, fetch_statuses

from ..context import Context
from ..exits import Exit, exit_code
from ..output import Row, Table, record_id_text, warn


async def rooms(ctx: Context) -> int:
    async with ctx.client() as api:
        found = await RoomDirectory(api, ctx.account).rooms()
    kinds = {1: pick(ctx.lang, "room", "会议室"), 2: pick(ctx.lang, "lecture hall", "讲堂")}
    ctx.emit(
        [r.to_api() for r in found],
        lambda: (
            ["PID", "ROOM", "NAME", "KIND", "CAPACITY"],
            [[r.pid, r.sipkey, r.p_desc, kinds.get(r.type, str(r.type)), r.max_square or ""] for r in found],
        ),
    )
    return Exit.OK


async def status(ctx: Context) -> int:
    names = ctx.rooms(ctx.args.rooms)
    async with ctx.client() as api:
        statuses = await fetch_statuses(api, names)
    sink = recording.catalog_sink(ctx.catalog)
    for s in statuses:  # a recording seen running is one to follow (a busy catalog must not stop the status)
        if s.live and s.live.record and s.live.record_id:
            await recording.remember(sink, s.live.record_id, s.room, Source.SEEN, s.info.name if s.info else None)
    ctx.emit([s.to_api() for s in statuses], lambda: _status_table(ctx, statuses))
    errors = [s.error for s in statuses if s.error is not None]
    for said in dict.fromkeys(e.describe(ctx.lang) for e in errors):  # once each, in order
        warn(said)
    return max((exit_code(e) for e in errors), default=Exit.OK)


def _status_table(ctx: Context, statuses: list[RoomStatus]) -> Table:
    headers = ["ROOM", "NAME", "STATE", "PEOPLE", "LOCKED", "RECORDING", "LIVE", "NOTE"]
    return headers, [_status_row(ctx, s) for s in statuses]


def _status_row(ctx: Context, s: RoomStatus) -> Row:
    if s.error is not None or s.info is None:
        why = s.error.describe(ctx.lang) if s.error else ""
        return [s.room, "", pick(ctx.lang, "unavailable", "不可用"), "", "", "", "", why]
    yes, no = pick(ctx.lang, "yes", "是"), ""
    state = pick(ctx.lang, "in use", "使用中") if s.started else pick(ctx.lang, "idle", "空闲")
    note = recording.failure_words(s.live.failed_reason, ctx.lang) if s.live and s.live.failed_reason else ""
    return [
        s.room,
        s.info.name,
        state,
        s.info.participants if s.started else "",
        yes if s.info.locked else no,
        yes if s.recording else no,
        yes if s.streaming else no,
        note,
    ]


async def record(ctx: Context) -> int:
    room = ctx.rooms([ctx.args.room])[0]
    action = recording.Action(ctx.args.action)
    async with ctx.client() as api:
        outcome = await recording.toggle(
            api,
            room,
            action,
            sink=recording.catalog_sink(ctx.catalog),
            stopped=making.catalog_stopped(ctx.catalog),  # as the tray: its files are asked for until listed
            wait=ctx.args.wait,
            lang=ctx.lang,
        )
    if outcome.error is not None:
        raise outcome.error
    ctx.emit(
        {
            "conferenceKey": room,
            "recordId": outcome.record_id,
            "record": action == recording.Action.START and outcome.ok,
        }
    )
    record_id = record_id_text(outcome.record_id) if outcome.record_id else "-"  # escaped unless an id
    if action == recording.Action.STOP:
        ctx.say(
            f"Recording stopped in {room} (record id {record_id}). Its files: vmrctl recordings show {record_id}",
            f"会议室 {room} 已停止录制（录制 ID {record_id}）。查看文件：vmrctl recordings show {record_id}",
        )
        return Exit.OK
    if outcome.ok:
        ctx.say(
            f"Recording started in {room} (record id {record_id}).",
            f"会议室 {room} 已开始录制（录制 ID {record_id}）。",
        )
        return Exit.OK
    if outcome.unconfirmed:
        print(
            pick(
                ctx.lang,
                f"Recording not confirmed in {room} (record id {record_id}): {outcome.reason}.",
                f"会议室 {room} 的录制尚未确认（录制 ID {record_id}）：{outcome.reason}。",
            ),
            file=sys.stderr,
        )
        return Exit.FAILURE
    print(
        pick(
            ctx.lang,
            f"Recording did not start in {room}: {outcome.reason}",
            f"会议室 {room} 录制未能开始：{outcome.reason}",
        ),
        file=sys.stderr,
    )
    return Exit.REFUSED
