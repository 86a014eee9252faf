"""`live start|stop ROOM`: a room's live stream, through core.live (the tray's path too).

`start` prints the watch address alone on stdout, for a script to take; a server without
live streaming is one sentence and exit 4; every other failure is told as any error is.
"""

from __future__ import annotations

from vmrtray.core import live as core_live
from vmrtray.core.lang import pick

from ..context import Context
from ..exits import Exit
from ..output import warn


async def live(ctx: Context) -> int:
    room = ctx.rooms([ctx.args.room])[0]
    starting = ctx.args.action == "start"
    async with ctx.client() as api:
        if starting:
            outcome = await core_live.start(api, room, wait=ctx.args.wait, lang=ctx.lang)
        else:
            outcome = await core_live.stop(api, room, lang=ctx.lang)
    if outcome.no_live:
        warn(outcome.reason)
        return Exit.REFUSED
    if outcome.error is not None:
        raise outcome.error
    if ctx.json:
        ctx.emit({"conferenceKey": room, "live": starting and outcome.ok, "liveurl": outcome.url})
    if not starting:
        ctx.say(f"Live streaming stopped in {room}.", f"会议室 {room} 已停止直播。")
        return Exit.OK
    if outcome.ok:
        if not ctx.json:
            print(outcome.url)
        return Exit.OK
    warn(
        pick(
            ctx.lang,
            f"Live streaming not confirmed in {room} (watch address {outcome.url}): {outcome.reason}.",
            f"会议室 {room} 的直播尚未确认（观看地址 {outcome.url}）：{outcome.reason}。",
        )
    )
    return Exit.FAILURE
