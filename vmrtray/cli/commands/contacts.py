"""`contacts`: the enterprise's users, a page or all of them, or those a search finds."""

from __future__ import annotations

from ..context import Context
from ..exits import Exit, UsageError


async def contacts(ctx: Context) -> int:
    args = ctx.args
    if args.all and (args.page or args.size):
        raise UsageError("--all takes no --page or --size")
    fetch_all = args.all or bool(args.search)
    async with ctx.client() as api:
        found = await api.get_contacts(ctx.account, all=fetch_all, page_index=args.page or 1, page_size=args.size or 20)
    if args.search:
        needle = args.search.casefold()
        found = [
            c
            for c in found
            if needle in c.name.casefold() or needle in c.id or needle in str(c.to_api().get("account", "")).casefold()
        ]
    ctx.emit(
        [c.to_api() for c in found],
        lambda: (["ID", "NAME", "ACCOUNT"], [[c.id, c.name, c.to_api().get("account", "")] for c in found]),
    )
    return Exit.OK
