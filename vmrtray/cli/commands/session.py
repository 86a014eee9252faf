"""`login` and `logout`: the key, proved with the service and kept in the OS keyring."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import Literal

from vmrtray.api import public_cloud_key
from vmrtray.core import settings as settings_mod
from vmrtray.core.credentials import check_keyring, forget_key, store_key
from vmrtray.core.directory import check_connection
from vmrtray.core.settings import Settings

from ..context import Context, checked_key
from ..exits import Exit, UsageError
from ..output import register_secret
from ..parser import ASK, STDIN

Cloud = Literal["public", "dedicated"]


async def login(ctx: Context) -> int:
    key, cloud = _key_and_cloud(ctx)
    register_secret(key)  # from here on no output shows it, whatever the server answers
    server, account = ctx.server, ctx.account
    await check_keyring(server)  # no usable keyring: said before the key goes anywhere
    rooms = await check_connection(_trying(ctx, server, account), key)
    await store_key(server, key)
    ctx.settings.server, ctx.settings.cloud, ctx.settings.account = server, cloud, account
    path = await asyncio.to_thread(settings_mod.save, ctx.settings)
    ctx.say(
        f"Signed in to {server} as {account} ({len(rooms)} rooms). The key is in the OS keyring; settings in {path}.",
        f"已登录 {server}，账号 {account}（{len(rooms)} 个会议室）。KEY 保存在系统密钥环，设置在 {path}。",
    )
    return Exit.OK


def _trying(ctx: Context, server: str, account: str) -> Settings:
    """The settings to prove before anything is kept: these server and account, and `--timeout` if given."""
    update: dict[str, object] = {"server": server, "account": account}
    if ctx.timeout:
        update["timeout"] = ctx.timeout
    return ctx.settings.model_copy(update=update)


def _key_and_cloud(ctx: Context) -> tuple[str, Cloud]:
    """The key, asked for or read from stdin (never an argument's value: the parser refuses
    one): a tenant key, or one made of the public cloud's API ID and KEY."""
    args = ctx.args
    dedicated = args.tenant_key is not None
    if dedicated == bool(args.api_id):
        raise UsageError("give either --tenant-key (dedicated cloud) or --api-id and --api-key (public cloud)")
    if dedicated:
        return checked_key(_read_secret(args.tenant_key, "tenant key"), "the tenant key", ctx.lang), "dedicated"
    api_id = checked_key(args.api_id, "--api-id", ctx.lang)
    secret = checked_key(_read_secret(args.api_key or ASK, "API KEY"), "the API KEY", ctx.lang)
    try:
        return public_cloud_key(api_id, secret), "public"
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _read_secret(how: str, what: str) -> str:
    """`-`: the first line of stdin; ASK: a prompt without echo at a terminal, else stdin."""
    if how == STDIN or not sys.stdin.isatty():
        line = sys.stdin.readline().strip()
        if not line:
            raise UsageError(f"no {what} on standard input")
        return line
    secret = getpass.getpass(f"{what}: ").strip()
    if not secret:
        raise UsageError(f"no {what} given")
    return secret


async def logout(ctx: Context) -> int:
    server = ctx.server
    await forget_key(server)
    ctx.say(
        f"Signed out of {server}: the key was removed from the OS keyring.",
        f"已退出 {server}：KEY 已从系统密钥环删除。",
    )
    return Exit.OK
