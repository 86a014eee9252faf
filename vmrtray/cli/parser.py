"""vmrctl's arguments: the options every command takes, then each command's own."""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from vmrtray import __version__

from .exits import Exit


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(Exit.USAGE)


#: Digits as the service takes them: ASCII only (int() and float() also take "١٢٣" and "１２").
_ASCII_INT = re.compile(r"[+-]?[0-9]{1,18}")
_ASCII_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,18}(?:\.[0-9]*)?|\.[0-9]+)")


def _number(text: str) -> float:
    """`text` as a number of ASCII digits (an optional sign and fraction); nan when it is not one."""
    return float(text) if _ASCII_DECIMAL.fullmatch(text.strip()) else math.nan


def _whole(text: str, low: int, high: int, what: str) -> int:
    """`text` as a whole number of ASCII digits from `low` to `high`, else argparse's refusal."""
    stripped = text.strip()
    if _ASCII_INT.fullmatch(stripped) and low <= int(stripped) <= high:
        return int(stripped)
    raise argparse.ArgumentTypeError(f"{text!r} is not {what} from {low} to {high} (ASCII digits)")


#: The largest count or page number taken (the service's ids and pages are far below it).
COUNT_MAX = 1_000_000_000
#: The longest booking `--minutes` takes: a year.
MINUTES_MAX = 366 * 24 * 60
PORT_MAX = 65535


def _positive(text: str) -> int:
    return _whole(text, 1, COUNT_MAX, "a whole number")


def _minutes(text: str) -> int:
    return _whole(text, 1, MINUTES_MAX, "a number of minutes")


def _count(text: str) -> int:
    return _whole(text, 0, COUNT_MAX, "a whole number")


def _port(text: str) -> int:
    return _whole(text, 0, PORT_MAX, "a port")


def _seed(text: str) -> int:
    return _whole(text, -(2**63), 2**63 - 1, "a whole number")


def _seconds(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds from 0 to 3600")
    return value


def _timeout(text: str) -> float:
    """`--timeout`: a finite number of seconds above 0 (nan, inf, 0 or less would never let an
    answer count as on time, or would wait for ever), and at most a day."""
    value = _number(text)
    if not (math.isfinite(value) and 0 < value <= TIMEOUT_MAX):
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds above 0 (at most {TIMEOUT_MAX:.0f})")
    return value


#: The longest `--timeout`: a day (asyncio's and the OS's timers take no more than that reliably).
TIMEOUT_MAX = 86400.0


def _rate(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share from 0 to 1")
    return value


def _milliseconds(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= 600_000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of milliseconds from 0 to 600000")
    return value


Add = Callable[[str, str], argparse.ArgumentParser]  # (name, help) -> a command's parser


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = _Parser(prog="vmrctl", parents=[common], description="The cloud meeting service from the command line.")
    parser.add_argument("--version", action="version", version=f"vmrctl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help, description=help)

    _session_commands(command)
    _room_commands(command)
    _recordings_command(command("recordings", "recordings: list the known ones, show, download or delete one"), common)
    _contacts_command(command("contacts", "the enterprise's users (the ids bookings take)"))
    _booking_commands(command)
    _sim_command(command("sim", "run the simulated service until stopped"))
    _watch_command(command("watch", "follow rooms until stopped: one line per event, and downloads when ready"))
    return parser


def _common_options() -> _Parser:
    """The options every command takes, before or after its name (absent ones stay unset)."""
    common = _Parser(add_help=False)
    s = argparse.SUPPRESS
    common.add_argument("--server", default=s, help="API server URL (or VMRTRAY_SERVER)")
    common.add_argument("--account", default=s, help="user@domain (or VMRTRAY_ACCOUNT)")
    common.add_argument("--json", action="store_true", default=s, help="print data as JSON with the API's field names")
    common.add_argument("--timeout", type=_timeout, default=s, help="seconds to wait for the service (default 20)")
    common.add_argument("--debug", action="store_true", default=s, help="log details and show tracebacks")
    common.add_argument(
        "--demo", action="store_true", default=s, help="run against a built-in simulated service (nothing is stored)"
    )
    return common


#: `--tenant-key` / `--api-key` with no value: the key is asked for (no echo), or read from stdin.
ASK = ""
#: `--tenant-key -` / `--api-key -`: the key is the first line of stdin.
STDIN = "-"
#: Why a key given as an argument is refused (the refusal never repeats the value).
KEY_ON_COMMAND_LINE = (
    "the key is never given on the command line (other users see it in `ps`): leave the value out "
    "to be asked, or pass '-' and pipe it on stdin"
)
#: The options whose value would be a key.
KEY_OPTIONS = ("--tenant-key", "--api-key")


class _KeyOption(argparse.Action):
    """`--tenant-key` / `--api-key`: no value (ask) or '-' (stdin); anything else is refused
    at once, before anything is read or sent, in a sentence without the value."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if values not in (ASK, STDIN):
            parser.error(f"{option_string}: {KEY_ON_COMMAND_LINE}")
        setattr(namespace, self.dest, values)


def _session_commands(command: Add) -> None:
    p = command("login", "verify a key with the service and keep it in the OS keyring")
    p.add_argument(
        "--tenant-key",
        nargs="?",
        const=ASK,
        action=_KeyOption,
        metavar="-",
        help="dedicated cloud: the tenant key, asked for (no echo), or '-' to read it from stdin",
    )
    p.add_argument("--api-id", metavar="ID", help="public cloud: the tenant's API ID")
    p.add_argument(
        "--api-key",
        nargs="?",
        const=ASK,
        action=_KeyOption,
        metavar="-",
        help="public cloud: the API KEY, asked for (no echo) when omitted, or '-' to read it from stdin",
    )
    command("logout", "remove the key from the OS keyring")


def _room_commands(command: Add) -> None:
    command("rooms", "the rooms the account may book")
    p = command("status", "whether rooms are in use, recording or live (default: the favourites)")
    p.add_argument("rooms", nargs="*", metavar="ROOM")
    p = command("record", "start or stop cloud recording in a room's running meeting")
    p.add_argument("action", choices=["start", "stop"])
    p.add_argument("room", metavar="ROOM")
    p.add_argument(
        "--wait",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="start: how long to wait for the service to say it records (default 30; exit 5 if it has not)",
    )
    p = command("live", "start or stop live streaming of a room's running meeting (start prints the watch address)")
    p.add_argument("action", choices=["start", "stop"])
    p.add_argument("room", metavar="ROOM")
    p.add_argument("--wait", type=_seconds, default=15.0, metavar="SECONDS", help="start: how long to confirm (15 s)")


def _recordings_command(p: argparse.ArgumentParser, common: _Parser) -> None:
    rec = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    q = rec.add_parser("list", parents=[common], help="the recordings this app has learned of")
    q.add_argument("room", nargs="?", metavar="ROOM")
    q = rec.add_parser("show", parents=[common], help="a recording's files")
    q.add_argument("record_id", metavar="RECORD_ID")
    _wait_for_files(q)
    q = rec.add_parser("download", parents=[common], help="download a recording's files (resumable)")
    q.add_argument("record_id", metavar="RECORD_ID")
    _wait_for_files(q)
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


def _wait_for_files(q: argparse.ArgumentParser) -> None:
    q.add_argument(
        "--wait",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="after a stop the files are listed only once made: ask again for up to SECONDS (default 0)",
    )


def _contacts_command(p: argparse.ArgumentParser) -> None:
    p.add_argument("--all", action="store_true", help="every contact at once")
    p.add_argument("--page", type=_positive, help="page number, from 1")
    p.add_argument("--size", type=_positive, help="page size (default 20)")
    p.add_argument("--search", metavar="TEXT", help="only contacts whose name, id or account holds TEXT")


def _booking_commands(command: Add) -> None:
    p = command("book", "book a room")
    p.add_argument(
        "--room", type=_positive, metavar="PID", help="room id (PID from `vmrctl rooms`; omitted: any free room)"
    )
    p.add_argument("--theme", required=True)
    p.add_argument("--start", required=True, metavar='"YYYY-MM-DD HH:MM"', help="local time")
    p.add_argument("--end", metavar='"YYYY-MM-DD HH:MM"', help="local time")
    p.add_argument("--minutes", type=_minutes, metavar="N", help=f"1 to {MINUTES_MAX}")
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


def _sim_command(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=0)
    p.add_argument("--file-port", type=_port, default=0)
    p.add_argument("--latency-ms", type=_milliseconds, default=0.0)
    p.add_argument("--jitter-ms", type=_milliseconds, default=0.0)
    p.add_argument("--rooms", type=lambda text: _whole(text, 1, 10_000, "a number of rooms"), default=6)
    p.add_argument("--contacts", type=lambda text: _whole(text, 0, 100_000, "a number of contacts"), default=40)
    p.add_argument("--faults", type=_rate, default=0.0, metavar="RATE", help="share of API calls that fail (0-1)")
    p.add_argument("--seed", type=_seed, help="run the lively demo script with this seed")
    p.add_argument(
        "--pace",
        choices=["instant", "demo"],
        help="instant: a recording starts and its files are listed at once; demo: the service's own pace, "
        "a recorder joins in 3 s, files listed 20 s after the stop (default: demo with --seed, else instant)",
    )
    p.add_argument("--script-interval", type=_seconds, default=3.0, help=argparse.SUPPRESS)


def _watch_command(p: argparse.ArgumentParser) -> None:
    p.add_argument("rooms", nargs="*", metavar="ROOM", help="short numbers (default: the favourites)")
    p.add_argument(
        "--download", metavar="DIR", help="download every recording of these rooms into DIR once its files are listed"
    )
    # seconds after a stop before its files are first asked for (core.making.FIRST_CHECK): for tests
    p.add_argument("--first-check", type=_seconds, help=argparse.SUPPRESS)
