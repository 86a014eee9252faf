"""`vmrctl`: the meeting service from the command line, on the same core as the tray.

Exit codes: 0 done, 2 bad usage or invalid input, 3 no or rejected credentials,
4 the service refused (its code and meaning are printed), 5 network or server failure,
6 the recording has no files (yet): unknown, deleted, or still recording.
An error is one line on stderr in the user's language; `--debug` adds the traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import logging
import os
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, NoReturn
from urllib.parse import urlsplit

from tabulate import tabulate

from vmrtray import __version__
from vmrtray.api import (
    ApiError,
    AuthError,
    Booking,
    Client,
    Lang,
    NetworkError,
    ServerError,
    VmrError,
    public_cloud_key,
)
from vmrtray.core import bookings, logs, recording, recordings, slots
from vmrtray.core import settings as settings_mod
from vmrtray.core.catalog import Catalog, Source
from vmrtray.core.credentials import CredentialsError, forget_key, load_key, store_key
from vmrtray.core.directory import RoomDirectory
from vmrtray.core.downloads import DownloadError
from vmrtray.core.errors import CoreError, NoFiles
from vmrtray.core.ics import save_ics
from vmrtray.core.lang import pick, user_lang
from vmrtray.core.paths import data_dir, default_download_dir
from vmrtray.core.pending import PendingBookings
from vmrtray.core.session import download_client, open_client
from vmrtray.core.settings import Settings, SettingsError, check_account, check_short_number
from vmrtray.core.status import fetch_statuses

EXIT_OK, EXIT_USAGE, EXIT_AUTH, EXIT_REFUSED, EXIT_FAILURE, EXIT_NO_FILES = 0, 2, 3, 4, 5, 6
log = logging.getLogger("vmrtray.cli")


class UsageError(Exception):
    """Bad input from the user: exit 2 with this sentence."""


def exit_code(error: BaseException) -> int:
    if isinstance(error, AuthError | CredentialsError):
        return EXIT_AUTH
    if isinstance(error, ApiError):
        return EXIT_REFUSED
    if isinstance(error, NoFiles):
        return EXIT_NO_FILES
    if isinstance(error, ServerError | NetworkError | DownloadError):
        return EXIT_FAILURE
    return EXIT_USAGE


def sentence(error: BaseException, lang: Lang) -> str:
    if isinstance(error, VmrError | CredentialsError | CoreError):
        return error.describe(lang)
    if isinstance(error, bookings.InvalidBooking):
        return pick(lang, "Invalid booking: ", "预约信息有误：") + str(error)
    return str(error)


# -- the context every command gets ------------------------------------------------------------


@dataclass
class Context:
    args: argparse.Namespace
    lang: Lang
    settings: Settings
    demo_key: str | None = None
    _catalog: Catalog | None = field(default=None, repr=False)

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @property
    def server(self) -> str:
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
            return settings_mod.Settings(server=server).server or server
        except ValueError as exc:
            raise UsageError(f"--server: {_first_reason(exc)}") from None

    @property
    def account(self) -> str:
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
    async def client(self, *, key: bool = True) -> AsyncIterator[Client]:
        secret = self.demo_key or (await load_key(self.server) if key else None)
        timeout = getattr(self.args, "timeout", None)
        async with open_client(self.settings, secret, server=self.server, timeout=timeout) as api:
            yield api

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog(data_dir() / "catalog.sqlite3")
        return self._catalog

    def close(self) -> None:
        if self._catalog is not None:
            self._catalog.close()

    def emit(self, data: Any, rows: Callable[[], tuple[list[str], list[list[Any]]]] | None = None) -> None:
        """`--json`: the data as JSON; otherwise the table `rows()` gives, or nothing."""
        if self.json:
            print(json.dumps(data, ensure_ascii=False, indent=2))
        elif rows is not None:
            headers, body = rows()
            if body:
                print(tabulate(body, headers=headers, tablefmt="simple", disable_numparse=True))

    def say(self, en: str, zh: str) -> None:
        """A human line, not shown with --json (where stdout is data)."""
        if not self.json:
            print(pick(self.lang, en, zh))


def _first_reason(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return str(first.get("msg", exc)).removeprefix("Value error, ")
    return str(exc)


def _local(moment: datetime | None, seconds: bool = False) -> str:
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def _rooms_arg(ctx: Context, given: Sequence[str]) -> list[str]:
    rooms = list(given) or list(ctx.settings.favourites)
    if not rooms:
        raise UsageError(
            pick(
                ctx.lang,
                "Name the rooms (short numbers), or set favourites in the settings.",
                "请给出会议室短号，或在设置中配置常用会议室。",
            )
        )
    try:
        return [check_short_number(room) for room in rooms]
    except ValueError as exc:
        raise UsageError(str(exc)) from None


# -- commands ------------------------------------------------------------------------------


async def cmd_login(ctx: Context) -> int:
    args = ctx.args
    if bool(args.tenant_key) == bool(args.api_id):
        raise UsageError("give either --tenant-key (dedicated cloud) or --api-id and --api-key (public cloud)")
    cloud: Literal["public", "dedicated"]
    if args.tenant_key:
        key, cloud = _secret_arg(args.tenant_key, "tenant key"), "dedicated"
    else:
        secret = _secret_arg(args.api_key, "API KEY") if args.api_key else _ask_secret("API KEY: ")
        try:
            key, cloud = public_cloud_key(args.api_id, secret), "public"
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    server, account = ctx.server, ctx.account
    async with open_client(ctx.settings, key, server=server, timeout=getattr(args, "timeout", None)) as api:
        rooms = await api.get_rooms(account)  # one real call proves server, key and account
    await store_key(server, key)
    ctx.settings.server, ctx.settings.cloud, ctx.settings.account = server, cloud, account
    path = await asyncio.to_thread(settings_mod.save, ctx.settings)
    ctx.say(
        f"Signed in to {server} as {account} ({len(rooms)} rooms). The key is in the OS keyring; settings in {path}.",
        f"已登录 {server}，账号 {account}（{len(rooms)} 个会议室）。KEY 保存在系统密钥环，设置在 {path}。",
    )
    return EXIT_OK


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


async def cmd_logout(ctx: Context) -> int:
    server = ctx.server
    await forget_key(server)
    ctx.say(
        f"Signed out of {server}: the key was removed from the OS keyring.",
        f"已退出 {server}：KEY 已从系统密钥环删除。",
    )
    return EXIT_OK


async def cmd_rooms(ctx: Context) -> int:
    async with ctx.client() as api:
        rooms = await api.get_rooms(ctx.account)
    kinds = {1: pick(ctx.lang, "room", "会议室"), 2: pick(ctx.lang, "lecture hall", "讲堂")}
    ctx.emit(
        [r.to_api() for r in rooms],
        lambda: (
            ["PID", "ROOM", "NAME", "KIND", "CAPACITY"],
            [[r.pid, r.sipkey, r.p_desc, kinds.get(r.type, str(r.type)), r.max_square or ""] for r in rooms],
        ),
    )
    return EXIT_OK


async def cmd_status(ctx: Context) -> int:
    rooms = _rooms_arg(ctx, ctx.args.rooms)
    async with ctx.client() as api:
        statuses = await fetch_statuses(api, rooms)
    for status in statuses:
        if status.live and status.live.record and status.live.record_id:
            await asyncio.to_thread(ctx.catalog.add, status.live.record_id, room=status.room, source=Source.SEEN)

    def rows() -> tuple[list[str], list[list[Any]]]:
        yes, no = pick(ctx.lang, "yes", "是"), ""
        body: list[list[Any]] = []
        for s in statuses:
            if s.error is not None or s.info is None:
                why = s.error.describe(ctx.lang) if s.error else ""
                body.append([s.room, "", pick(ctx.lang, "unavailable", "不可用"), "", "", "", "", why])
                continue
            state = pick(ctx.lang, "in use", "使用中") if s.started else pick(ctx.lang, "idle", "空闲")
            note = s.live.failed_reason or "" if s.live else ""
            body.append(
                [
                    s.room,
                    s.info.name,
                    state,
                    s.info.participants if s.started else "",
                    yes if s.info.locked else no,
                    yes if s.recording else no,
                    yes if s.streaming else no,
                    note,
                ]
            )
        return ["ROOM", "NAME", "STATE", "PEOPLE", "LOCKED", "RECORDING", "LIVE", "NOTE"], body

    ctx.emit([s.to_api() for s in statuses], rows)
    errors = [s.error for s in statuses if s.error is not None]
    for said in dict.fromkeys(e.describe(ctx.lang) for e in errors):  # once each, in order
        print(f"vmrctl: {said}", file=sys.stderr)
    return max((exit_code(e) for e in errors), default=EXIT_OK)


async def cmd_record(ctx: Context) -> int:
    room = _rooms_arg(ctx, [ctx.args.room])[0]
    action = recording.Action(ctx.args.action)
    async with ctx.client() as api:
        outcome = await recording.toggle(api, room, action, sink=recording.catalog_sink(ctx.catalog), lang=ctx.lang)
    if outcome.error is not None:
        raise outcome.error
    record_id = outcome.record_id
    ctx.emit({"conferenceKey": room, "recordId": record_id, "record": action == recording.Action.START and outcome.ok})
    if action == recording.Action.STOP:
        ctx.say(
            f"Recording stopped in {room} (record id {record_id}). Its files: vmrctl recordings show {record_id}",
            f"会议室 {room} 已停止录制（录制 ID {record_id}）。查看文件：vmrctl recordings show {record_id}",
        )
        return EXIT_OK
    if outcome.ok:
        ctx.say(
            f"Recording started in {room} (record id {record_id}).",
            f"会议室 {room} 已开始录制（录制 ID {record_id}）。",
        )
        return EXIT_OK
    print(
        pick(
            ctx.lang,
            f"Recording did not start in {room}: {outcome.reason}",
            f"会议室 {room} 录制未能开始：{outcome.reason}",
        ),
        file=sys.stderr,
    )
    return EXIT_REFUSED


async def cmd_recordings(ctx: Context) -> int:
    action = ctx.args.action
    if action == "list":
        return await _recordings_list(ctx)
    record_id = ctx.args.record_id.strip()
    if not record_id or any(c.isspace() for c in record_id):
        raise UsageError(f"{ctx.args.record_id!r} is not a record id")
    async with ctx.client() as api:
        if action == "show":
            files = await recordings.show(api, ctx.catalog, record_id)
            ctx.emit([f.to_api() for f in files], lambda: _files_table(files))
        elif action == "download":
            await _download(ctx, api, record_id)
        elif action == "delete":
            files = await recordings.show(api, ctx.catalog, record_id)
            _confirm_delete(ctx, record_id, files)
            await recordings.delete(api, ctx.catalog, record_id)
            ctx.emit({"recordId": record_id, "deleted": True})
            ctx.say(f"Deleted recording {record_id} from the cloud.", f"已从云端删除录制 {record_id}。")
    return EXIT_OK


async def _recordings_list(ctx: Context) -> int:
    room = _rooms_arg(ctx, [ctx.args.room])[0] if ctx.args.room else None
    entries = await asyncio.to_thread(ctx.catalog.entries, room)
    ctx.emit(
        [
            {
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
            for e in entries
        ],
        lambda: (
            ["RECORD ID", "ROOM", "START", "FILES", "SIZE", "DOWNLOADED", "DELETED"],
            [
                [
                    e.record_id,
                    e.room or "",
                    (e.start_time or e.first_seen)[:19].replace("T", " "),
                    e.files or "",
                    _size(e.total_size) if e.files else "",
                    f"{e.downloaded}/{e.files}" if e.files else "",
                    "yes" if e.deleted else "",
                ]
                for e in entries
            ],
        ),
    )
    if not entries:
        ctx.say(
            "No recordings known yet: they are learned from `record start`, `status` and `recordings show ID`.",
            "还没有已知的录制：录制 ID 来自 record start、status 和 recordings show ID。",
        )
    return EXIT_OK


def _files_table(files: Sequence[Any]) -> tuple[list[str], list[list[Any]]]:
    body = []
    for n, f in enumerate(files, start=1):
        seconds = int((f.stop_time - f.start_time).total_seconds()) if f.stop_time else None
        length = f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" if seconds is not None else ""
        body.append([n, f.conference_key, _local(f.start_time, True), length, _size(f.file_size)])
    return ["#", "ROOM", "START", "LENGTH", "SIZE"], body


async def _download(ctx: Context, api: Client, record_id: str) -> None:
    from tqdm import tqdm

    chosen = ctx.args.output or ctx.settings.download_dir or default_download_dir()
    folder = await asyncio.to_thread(lambda: Path(chosen).expanduser().resolve())
    bars: list[tqdm[Any]] = []

    def progress(file: Any, target: Path) -> Callable[[int, int], None]:
        bar = tqdm(
            total=file.file_size,
            unit="B",
            unit_scale=True,
            desc=target.name[:40],
            file=sys.stderr,
            disable=None,
            leave=True,
        )
        bars.append(bar)

        def update(done: int, total: int) -> None:
            bar.update(done - bar.n)

        return update

    async with download_client(ctx.settings) as http:
        try:
            segments = ctx.args.segments or ctx.settings.download_segments
            results = await recordings.download_all(
                api, ctx.catalog, record_id, folder, http=http, progress=progress, segments=segments
            )
        finally:
            for bar in bars:
                bar.close()
    ctx.emit([{"path": str(r.path), "sha256": r.sha256, "resumedFrom": r.resumed_from} for r in results])
    for r in results:
        ctx.say(f"{r.path}  sha256 {r.sha256}", f"{r.path}  sha256 {r.sha256}")


def _confirm_delete(ctx: Context, record_id: str, files: Sequence[Any]) -> None:
    if ctx.args.yes:
        return
    names = ", ".join(f"{f.conference_key} {_local(f.start_time, True)} ({_size(f.file_size)})" for f in files)
    if not sys.stdin.isatty():
        raise UsageError(
            pick(
                ctx.lang,
                f"Not deleting recording {record_id} without --yes (not an interactive terminal).",
                f"非交互终端，未加 --yes 不删除录制 {record_id}。",
            )
        )
    answer = input(
        pick(
            ctx.lang,
            f"Delete recording {record_id} from the cloud — {len(files)} file(s): {names}? [y/N] ",
            f"从云端删除录制 {record_id}（{len(files)} 个文件：{names}）？[y/N] ",
        )
    )
    if answer.strip().lower() not in ("y", "yes", "是"):
        raise UsageError(pick(ctx.lang, "Nothing deleted.", "未删除任何内容。"))


async def cmd_contacts(ctx: Context) -> int:
    args = ctx.args
    if args.all and (args.page or args.size):
        raise UsageError("--all takes no --page or --size")
    fetch_all = args.all or bool(args.search)
    async with ctx.client() as api:
        contacts = await api.get_contacts(
            ctx.account, all=fetch_all, page_index=args.page or 1, page_size=args.size or 20
        )
    if args.search:
        needle = args.search.casefold()
        contacts = [
            c
            for c in contacts
            if needle in c.name.casefold() or needle in c.id or needle in str(c.to_api().get("account", "")).casefold()
        ]
    ctx.emit(
        [c.to_api() for c in contacts],
        lambda: (["ID", "NAME", "ACCOUNT"], [[c.id, c.name, c.to_api().get("account", "")] for c in contacts]),
    )
    return EXIT_OK


async def cmd_book(ctx: Context) -> int:
    args = ctx.args
    if (args.end is None) == (args.minutes is None):
        raise UsageError("give either --end or --minutes")
    start = bookings.parse_local(args.start, "start", ctx.lang)
    end = bookings.parse_local(args.end, "end", ctx.lang) if args.end else None
    request = bookings.build_request(
        account=ctx.account,
        theme=args.theme,
        start=start,
        end=end,
        minutes=args.minutes,
        introduction=args.intro or "",
        participants=[p for p in (args.participants or "").split(",") if p.strip()],
        host_pwd=args.host_pwd or "",
        guest_pwd=args.guest_pwd or "",
        auto_open=args.auto_open,
        pid=args.room,
        lang=ctx.lang,
    )
    async with ctx.client() as api:
        journal = await _settle_pending(ctx, api)
        try:
            booking = await bookings.create(api, request, journal)
        except ApiError as error:
            if error.code == bookings.ROOM_TAKEN:
                directory = RoomDirectory(api, ctx.account)
                _propose(ctx, await slots.alternatives(api, directory, request.pid, request.start, request.end))
            raise
    if args.ics:
        await asyncio.to_thread(_write_ics, ctx, Path(args.ics), [booking])
    ctx.emit(booking.to_api())
    ctx.say(
        f"Booked {booking.theme!r}: room {booking.sipkey}, {_local(booking.start_date)} – {_local(booking.end_date)}, "
        f"booking id {booking.id}.\n  share link: {booking.short_address}\n  host password: {booking.random_host_pwd}"
        f"\n  guest password: {booking.random_visitor_pwd or '(none)'}",
        f"已预约“{booking.theme}”：会议室 {booking.sipkey}，{_local(booking.start_date)} – {_local(booking.end_date)}，"
        f"预约 ID {booking.id}。\n  分享链接：{booking.short_address}\n  主持人密码：{booking.random_host_pwd}"
        f"\n  访客密码：{booking.random_visitor_pwd or '（无）'}",
    )
    return EXIT_OK


def _propose(ctx: Context, offer: slots.Alternatives) -> None:
    """On stderr (stdout may be --json data): what could be booked instead."""
    lines = [f"  {_local(start)}" for start in offer.starts]
    lines += [f"  --room {room.pid}  ({room.p_desc or room.sipkey})" for room in offer.rooms]
    if lines:
        heading = pick(ctx.lang, "Free instead (as far as this account can see):", "可改约（据本账号可见的预约）：")
        print(heading, file=sys.stderr)
        print("\n".join(lines), file=sys.stderr)


def _write_ics(ctx: Context, path: Path, found: Sequence[Booking]) -> None:
    try:
        save_ics(path, found, ctx.settings.zone, host=urlsplit(ctx.server).hostname or "vmrtray")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


async def _settle_pending(ctx: Context, api: Client) -> PendingBookings:
    """What an interrupted `book` (or tray) left unsettled: found, sent, or given up; said on stderr."""
    journal = PendingBookings(data_dir(), api.server, ctx.account)
    for outcome in await bookings.settle_pending(api, journal):
        print(f"vmrctl: {outcome.describe(ctx.lang)}", file=sys.stderr)
    return journal


async def cmd_bookings(ctx: Context) -> int:
    async with ctx.client() as api:
        await _settle_pending(ctx, api)
        found = await bookings.upcoming_and_past(api, ctx.account)
    if ctx.args.ics:
        await asyncio.to_thread(_write_ics, ctx, Path(ctx.args.ics), found)
    ctx.emit(
        [b.to_api() for b in found],
        lambda: (
            ["ID", "THEME", "ROOM", "START", "END", "PEOPLE"],
            [
                [b.id, b.theme, b.sipkey or "", _local(b.start_date), _local(b.end_date), len(b.visitor_list)]
                for b in found
            ],
        ),
    )
    if not found:
        ctx.say("No bookings.", "没有预约。")
    return EXIT_OK


async def cmd_cancel(ctx: Context) -> int:
    booking_id = ctx.args.booking_id.strip()
    if not booking_id.isdigit():
        raise UsageError(f"{ctx.args.booking_id!r} is not a booking id (digits)")
    async with ctx.client() as api:
        await bookings.cancel(api, booking_id)
    ctx.emit({"id": booking_id, "cancelled": True})
    ctx.say(f"Cancelled booking {booking_id}.", f"已取消预约 {booking_id}。")
    return EXIT_OK


async def cmd_sim(ctx: Context) -> int:
    from vmrtray.sim import Sim, serve_forever

    args = ctx.args
    sim = Sim(
        host=args.host,
        port=args.port,
        file_port=args.file_port,
        rooms=args.rooms,
        contacts=args.contacts,
        seed=args.seed or 0,
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        fault_rate=args.faults,
        script_interval=args.script_interval if args.seed is not None else None,
    )
    await serve_forever(sim, lambda line: print(line, flush=True))
    return EXIT_OK


COMMANDS: dict[str, Callable[[Context], Any]] = {
    "login": cmd_login,
    "logout": cmd_logout,
    "rooms": cmd_rooms,
    "status": cmd_status,
    "record": cmd_record,
    "recordings": cmd_recordings,
    "contacts": cmd_contacts,
    "book": cmd_book,
    "bookings": cmd_bookings,
    "cancel": cmd_cancel,
    "sim": cmd_sim,
}


# -- the parser ----------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    s = argparse.SUPPRESS
    common.add_argument("--server", default=s, help="API server URL (or VMRTRAY_SERVER)")
    common.add_argument("--account", default=s, help="user@domain (or VMRTRAY_ACCOUNT)")
    common.add_argument("--json", action="store_true", default=s, help="print data as JSON with the API's field names")
    common.add_argument("--timeout", type=float, default=s, help="seconds to wait for the service (default 20)")
    common.add_argument("--debug", action="store_true", default=s, help="log details and show tracebacks")
    common.add_argument(
        "--demo", action="store_true", default=s, help="run against a built-in simulated service (nothing is stored)"
    )

    parser = _Parser(prog="vmrctl", parents=[common], description="The cloud meeting service from the command line.")
    parser.add_argument("--version", action="version", version=f"vmrctl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help, description=help)

    p = command("login", "verify a key with the service and keep it in the OS keyring")
    p.add_argument("--tenant-key", metavar="KEY", help="dedicated cloud: the tenant key ('-' reads stdin)")
    p.add_argument("--api-id", metavar="ID", help="public cloud: the tenant's API ID")
    p.add_argument("--api-key", metavar="KEY", help="public cloud: the API KEY ('-' reads stdin; omitted: prompt)")
    command("logout", "remove the key from the OS keyring")
    command("rooms", "the rooms the account may book")
    p = command("status", "whether rooms are in use, recording or live (default: the favourites)")
    p.add_argument("rooms", nargs="*", metavar="ROOM")
    p = command("record", "start or stop cloud recording in a room's running meeting")
    p.add_argument("action", choices=["start", "stop"])
    p.add_argument("room", metavar="ROOM")
    p = command("recordings", "recordings: list the known ones, show, download or delete one")
    rec = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    q = rec.add_parser("list", parents=[common], help="the recordings this app has learned of")
    q.add_argument("room", nargs="?", metavar="ROOM")
    q = rec.add_parser("show", parents=[common], help="a recording's files")
    q.add_argument("record_id", metavar="RECORD_ID")
    q = rec.add_parser("download", parents=[common], help="download a recording's files (resumable)")
    q.add_argument("record_id", metavar="RECORD_ID")
    q.add_argument("-o", "--output", metavar="DIR", help="folder (default: the settings' download folder)")
    q.add_argument(
        "--segments",
        type=_positive,
        metavar="N",
        help="N parallel Range requests for a file over 32 MiB: for stores that limit each connection (default 1)",
    )
    q = rec.add_parser("delete", parents=[common], help="delete a recording from the cloud")
    q.add_argument("record_id", metavar="RECORD_ID")
    q.add_argument("--yes", action="store_true", help="do not ask")
    p = command("contacts", "the enterprise's users (the ids bookings take)")
    p.add_argument("--all", action="store_true", help="every contact at once")
    p.add_argument("--page", type=_positive, help="page number, from 1")
    p.add_argument("--size", type=_positive, help="page size (default 20)")
    p.add_argument("--search", metavar="TEXT", help="only contacts whose name, id or account holds TEXT")
    p = command("book", "book a room")
    p.add_argument(
        "--room", type=_positive, metavar="PID", help="room id (PID from `vmrctl rooms`; omitted: any free room)"
    )
    p.add_argument("--theme", required=True)
    p.add_argument("--start", required=True, metavar='"YYYY-MM-DD HH:MM"', help="local time")
    p.add_argument("--end", metavar='"YYYY-MM-DD HH:MM"', help="local time")
    p.add_argument("--minutes", type=int, metavar="N")
    p.add_argument("--intro", metavar="TEXT")
    p.add_argument("--participants", metavar="ID,ID", help="contact ids")
    p.add_argument("--host-pwd", metavar="DIGITS")
    p.add_argument("--guest-pwd", metavar="DIGITS")
    p.add_argument("--auto-open", action="store_true", help="open the meeting automatically at the start")
    p.add_argument("--ics", metavar="FILE", help="also write the booking to FILE for a calendar app")
    p = command("bookings", "the account's bookings")
    p.add_argument("--ics", metavar="FILE", help="also write them to FILE for a calendar app")
    p = command("cancel", "cancel a booking")
    p.add_argument("booking_id", metavar="BOOKING_ID")
    p = command("sim", "run the simulated service until stopped")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--file-port", type=int, default=0)
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--jitter-ms", type=float, default=0.0)
    p.add_argument("--rooms", type=_positive, default=6)
    p.add_argument("--contacts", type=int, default=40)
    p.add_argument("--faults", type=float, default=0.0, metavar="RATE", help="share of API calls that fail (0-1)")
    p.add_argument("--seed", type=int, help="run the lively demo script with this seed")
    p.add_argument("--script-interval", type=float, default=3.0, help=argparse.SUPPRESS)
    return parser


# -- running -----------------------------------------------------------------------------------


async def _run(args: argparse.Namespace, lang: Lang) -> int:
    ctx = Context(args, lang, Settings())
    if getattr(args, "demo", False) and args.command != "sim":
        return await _run_demo(ctx)
    ctx.settings = settings_mod.load()
    try:
        return int(await COMMANDS[args.command](ctx))
    finally:
        ctx.close()


async def _run_demo(ctx: Context) -> int:
    """The command against a throwaway simulator: demo key in memory, data in a temp folder."""
    from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim

    if ctx.args.command in ("login", "logout"):
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
            try:
                return int(await COMMANDS[ctx.args.command](ctx))
            finally:
                ctx.close()


def main(argv: Sequence[str] | None = None) -> int:
    lang = user_lang()
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    logs.setup(debug, to_file=False)  # scripts log to stderr only, scrubbed like the app's file
    try:
        with contextlib.suppress(KeyboardInterrupt):
            return _run_until_signal(args, lang)
        return 130
    except (
        VmrError,
        CoreError,
        CredentialsError,
        UsageError,
        SettingsError,
        DownloadError,
        bookings.InvalidBooking,
    ) as error:
        if debug:
            log.exception("failed")
        print(f"vmrctl: {sentence(error, lang)}", file=sys.stderr)
        return exit_code(error)
    except Exception as error:  # the last net: never a traceback in front of a user
        if debug:
            log.exception("internal error")
        print(
            f"vmrctl: {pick(lang, 'internal error', '内部错误')}: {type(error).__name__}: {error} "
            f"({pick(lang, 'run with --debug for details', '加 --debug 查看详情')})",
            file=sys.stderr,
        )
        return 1


def _run_until_signal(args: argparse.Namespace, lang: Lang) -> int:
    """asyncio.run, with SIGTERM ending the command as cleanly as Ctrl-C does."""

    async def guarded() -> int:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        if task is not None and hasattr(signal, "SIGTERM"):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            return await _run(args, lang)
        except asyncio.CancelledError:
            return 130 if args.command != "sim" else EXIT_OK

    return asyncio.run(guarded())


if __name__ == "__main__":
    sys.exit(main())
