"""`vmrctl --demo COMMAND`: the command against a throwaway simulator; the demo key in
memory, data and downloads in a temporary folder, nothing of the user's touched."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import AsyncIterator

from vmrtray.core.settings import Settings

from .context import Context
from .exits import UsageError


@contextlib.asynccontextmanager
async def demo(ctx: Context, *, sign_in: bool) -> AsyncIterator[Context]:
    """`ctx` pointed at a simulator for as long as the command runs; `sign_in`: the command keeps a key."""
    from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim

    if sign_in:
        raise UsageError("--demo needs no login")
    with tempfile.TemporaryDirectory(prefix="vmrtray-demo-") as folder:
        os.environ["VMRTRAY_DATA_DIR"] = folder
        async with Sim() as sim:
            ctx.args.server, ctx.demo_key = sim.url, DEMO_PUBLIC_KEY
            ctx.settings = Settings(
                account=DEMO_ACCOUNT, favourites=[r.sipkey for r in sim.state.tenants[DEMO_PUBLIC_KEY].rooms.values()]
            )
            if ctx.args.command == "recordings" and ctx.args.action == "download" and not ctx.args.output:
                ctx.args.output = folder
            yield ctx
