"""`login` and `logout`: the key, proved with the service and kept in the OS keyring."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import Literal

from vmrtray.api import public_cloud_key
from vmrtray.core import settings as settings_mod
from vmrtray.core.credentials import forget_key, store_key
from vmrtray.core.directory import check_connection
from vmrtray.core.settings import Settings

from ..context import Context
from ..exits import Exit, UsageError

Cloud = Literal["public", "dedicated"]


async def login(ctx: Context) -> int:
    key, cloud = _key_and_cloud(ctx)
    server, account = ctx.server, ctx.account
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
    """The key the arguments give: a tenant key, or one made of the public cloud's API ID and KEY."""
    args = ctx.args
    if bool(args.tenant_key) == bool(args.api_id):
        raise UsageError("give either --tenant-key (dedicated cloud) or --api-id and --api-key (public cloud)")
    if args.tenant_key:
        return _secret_arg(args.tenant_key, "tenant key"), "dedicated"
    secret = _secret_arg(args.api_key, "API KEY") if args.api_key else _ask_secret("API KEY: ")
    try:
        return public_cloud_key(args.api_id, secret), "public"
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _secret_arg(value: str, what: str) -> str:
    """A secret given as '-' is read from stdin, so it stays out of the process list."""
    if value == "-":
        line = sys.stdin.readline().strip()
        if not line:
            raise UsageError(f"no {what} on standard input")
        return line
    return value


def _ask_secret(prompt: str) -> str:
    if not sys.stdin.isatty():
        return _secret_arg("-", "API KEY")
    secret = getpass.getpass(prompt).strip()
    if not secret:
        raise UsageError("no API KEY given")
    return secret


async def logout(ctx: Context) -> int:
    server = ctx.server
    await forget_key(server)
    ctx.say(
        f"Signed out of {server}: the key was removed from the OS keyring.",
        f"已退出 {server}：KEY 已从系统密钥环删除。",
    )
    return Exit.OK
