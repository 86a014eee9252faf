"""`vmrctl --demo COMMAND`: the command against core's demo (a still simulated world): the
demo key in memory, settings, data and downloads in the demo's temporary folder, nothing
of the user's read or written, and nothing left behind."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from .context import Context
from .exits import UsageError


@contextlib.asynccontextmanager
async def in_demo(ctx: Context, *, sign_in: bool) -> AsyncIterator[Context]:
    """`ctx` pointed at a demo for as long as the command runs; `sign_in`: the command keeps or drops a key."""
    if sign_in:
        raise UsageError("--demo needs no login")
    from vmrtray.core.demo import start_demo  # the simulator (aiohttp) loads only for a demo

    demo = await start_demo(lively=False)
    try:
        ctx.args.server, ctx.demo_key, ctx.settings = demo.settings.server, demo.key, demo.settings
        yield ctx
    finally:
        await demo.stop()
