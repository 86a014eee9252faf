"""What every command gets: its arguments, the language, the settings, and what they
resolve to (server, account, the key, the catalog), each asked for only when used."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vmrtray.api import Client, Lang
from vmrtray.core.catalog import Catalog
from vmrtray.core.credentials import ENV_KEY, load_key
from vmrtray.core.errors import CatalogUnusable
from vmrtray.core.lang import pick
from vmrtray.core.paths import data_dir, default_download_dir
from vmrtray.core.session import open_client
from vmrtray.core.settings import Settings, check_account, check_short_number

from .exits import UsageError
from .output import Table, print_json, print_table, register_secret


@dataclass
class Context:
    args: argparse.Namespace
    lang: Lang
    settings: Settings
    demo_key: str | None = None  # `--demo`: the simulator's key, in memory only
    _catalog: Catalog | None = field(default=None, repr=False)

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @property
    def timeout(self) -> float | None:
        """`--timeout`, when given."""
        return getattr(self.args, "timeout", None)

    @property
    def server(self) -> str:
        """`--server`, else VMRTRAY_SERVER, else the settings'; normalised."""
        server = getattr(self.args, "server", None) or os.environ.get("VMRTRAY_SERVER") or self.settings.server
        if not server:
            raise UsageError(
                pick(
                    self.lang,
                    "No server: pass --server URL, set VMRTRAY_SERVER, or sign in with `vmrctl login`.",
                    "没有服务器地址：请用 --server 指定、设置 VMRTRAY_SERVER，或先 vmrctl login。",
                )
            )
        try:
            normal = Settings(server=server).server or server
            urlsplit(normal).port  # noqa: B018 -- raises on a port beyond 65535, which connect() would (OverflowError)
        except ValueError as exc:
            raise UsageError(f"--server: {_first_reason(exc)}") from None
        return normal

    @property
    def account(self) -> str:
        """`--account`, else VMRTRAY_ACCOUNT, else the settings'; checked."""
        account = getattr(self.args, "account", None) or os.environ.get("VMRTRAY_ACCOUNT") or self.settings.account
        if not account:
            raise UsageError(
                pick(
                    self.lang,
                    "No account: pass --account user@domain or set VMRTRAY_ACCOUNT.",
                    "没有账号：请用 --account user@domain 指定，或设置 VMRTRAY_ACCOUNT。",
                )
            )
        try:
            return check_account(account)
        except ValueError as exc:
            raise UsageError(f"--account: {exc}") from None

    @contextlib.asynccontextmanager
    async def client(self) -> AsyncIterator[Client]:
        """A client for the server with the stored key (or the demo's), closed afterwards."""
        if self.demo_key:
            secret = self.demo_key
            register_secret(secret)
        else:
            loaded = await load_key(self.server)
            register_secret(loaded)  # the keyring's too, checked or not: no output shows it
            secret = checked_key(loaded, _key_source(), self.lang)
        async with open_client(self.settings, secret, server=self.server, timeout=self.timeout) as api:
            yield api

    async def download_folder(self, given: str | None, option: str) -> Path:
        """The folder to download into: `given` (the value of `option`), else the settings'
        `download_dir`, else the default; made now if missing. An empty value, and a folder that
        cannot be one (a file in its place, /dev/null, a path under /proc, no permission), are a
        UsageError naming the folder and where it came from, before anything is asked or sent."""
        if given is not None and not given.strip():
            raise UsageError(
                pick(
                    self.lang,
                    f"{option}: an empty folder name: name the folder to download into "
                    f"(or leave {option} out for the settings' download folder)",
                    f"{option}：文件夹名为空：请给出下载到的文件夹（或不加 {option}，使用设置中的下载文件夹）",
                )
            )
        default = pick(
            self.lang, "the default, from XDG_DOWNLOAD_DIR or HOME", "默认文件夹，由 XDG_DOWNLOAD_DIR 或 HOME 得出"
        )
        where = option if given else ("download_dir in the settings" if self.settings.download_dir else default)
        chosen = given or self.settings.download_dir or str(default_download_dir())
        return await asyncio.to_thread(_made_folder, chosen, where, self.lang)

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            path = data_dir() / "catalog.sqlite3"
            try:
                self._catalog = Catalog(path)
            except OSError as exc:  # its folder cannot be made (a file in its place, no permission)
                raise CatalogUnusable(path, exc) from exc
        return self._catalog

    def close(self) -> None:
        if self._catalog is not None:
            self._catalog.close()

    def rooms(self, given: Sequence[str]) -> list[str]:
        """The rooms named (checked short numbers), else the favourites."""
        rooms = list(given) or list(self.settings.favourites)
        if not rooms:
            raise UsageError(
                pick(
                    self.lang,
                    "Name the rooms (short numbers), or set favourites in the settings.",
                    "请给出会议室短号，或在设置中配置常用会议室。",
                )
            )
        try:
            return [check_short_number(room) for room in rooms]
        except ValueError as exc:
            raise UsageError(str(exc)) from None

    def emit(self, data: Any, rows: Callable[[], Table] | None = None) -> None:
        """`--json`: the data as JSON; otherwise the table `rows()` gives, or nothing."""
        if self.json:
            print_json(data)
        elif rows is not None:
            print_table(*rows())

    def say(self, en: str, zh: str) -> None:
        """A human line, not shown with --json (where stdout is data)."""
        if not self.json:
            print(pick(self.lang, en, zh))


#: The longest key taken (the service's are 32 hex digits, or ID:KEY); a page pasted by mistake is not one.
KEY_MAX = 512


def checked_key(key: str, where: str, lang: Lang) -> str:
    """`key` if it can be a key: printable ASCII without spaces (it travels in an HTTP header);
    else a UsageError that names `where` it came from, never the value."""
    if 0 < len(key) <= KEY_MAX and all("!" <= char <= "~" for char in key):
        return key
    raise UsageError(
        pick(
            lang,
            f"{where} is not a key: a key is printable ASCII (letters, digits, signs; no spaces or other "
            f"characters), at most {KEY_MAX} of them: check what was copied",
            f"{where} 不是 KEY：KEY 只含可打印的 ASCII 字符（字母、数字、符号；不含空格及其他字符），"
            f"最多 {KEY_MAX} 个：请检查复制的内容",
        )
    )


def _made_folder(chosen: str, where: str, lang: Lang) -> Path:
    """`chosen` as a folder that exists (made if missing), or a UsageError that names it."""
    folder = Path(chosen)
    try:
        folder = folder.expanduser().resolve()
        if _UNDECODABLE.search(str(folder)):  # its name, or its parent's (HOME, the working folder)
            why = pick(
                lang,
                "its name holds bytes that are not UTF-8, which the catalog cannot keep: choose another folder",
                "其名称含有非 UTF-8 的字节，目录无法记录：请换一个文件夹",
            )
        else:
            folder.mkdir(parents=True, exist_ok=True)
            return folder
    except FileExistsError:  # something else than a folder has its name (a file, /dev/null)
        why = pick(lang, "it is not a folder", "它不是文件夹")
    except (OSError, RuntimeError, ValueError) as exc:  # no such place (/proc/…), no permission; a loop; a NUL
        why = getattr(exc, "strerror", None) or pick(lang, "not a folder name", "不是文件夹名")
    source = f" ({where})" if where else ""
    raise UsageError(
        pick(
            lang,
            f"The download folder {folder}{source} cannot be used: {why}",
            f"无法使用下载文件夹 {folder}{source}：{why}",
        )
    )


#: What Python makes of bytes that are not UTF-8 in a name (surrogateescape).
_UNDECODABLE = re.compile(r"[\udc80-\udcff]")


def _key_source() -> str:
    return ENV_KEY if os.environ.get(ENV_KEY, "").strip() else "the key in the OS keyring"


def _first_reason(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return str(first.get("msg", exc)).removeprefix("Value error, ")
    return str(exc)
