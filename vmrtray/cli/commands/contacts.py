"""`contacts`: the enterprise's users, a page or all of them, or those a search finds."""

from __future__ import annotations

from vmrtray.core import contacts as directory

from ..context import Context
from ..exits import Exit, UsageError


async def contacts(ctx: Context) -> int:
    args = ctx.args
    if args.all and (args.page or args.size):
        raise UsageError("--all takes no --page or --size")
    async with ctx.client() as api:
        if args.all or args.search:
            found = await directory.everyone(api, ctx.account)
        else:
            found = await directory.page(api, ctx.account, args.page or 1, args.size or 20)
    if args.search:
        found = directory.holding(found, args.search)
    ctx.emit(
        [c.to_api() for c in found],
        lambda: (["ID", "NAME", "ACCOUNT"], [[c.id, c.name, c.to_api().get("account", "")] for c in found]),
    )
    return Exit.OK
