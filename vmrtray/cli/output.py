"""How vmrctl writes: data as JSON with the API's field names, or a plain table; times in
the local zone; lengths as h:mm:ss. Sizes are core's (`core.units.size_text`, IEC units).

Every write to stdout and stderr goes through `SafeStream` (installed by `cli.run`): the key
and its secret half (registered with `register_secret`) become `***`, and no control, format
or separator character reaches the terminal raw — whatever text of the service a sentence
carries. Nothing else is rewritten: the log's own patterns (`auth=…`, `sign=…`) are for log
lines, whose filter applies them (`--debug`); a booking themed "sign=off" is printed so."""

from __future__ import annotations

import contextlib
import json
import re
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, TextIO, cast

from tabulate import tabulate

from vmrtray.core import logs
from vmrtray.core.untrusted import plain

Row = list[Any]
Table = tuple[list[str], list[Row]]  # (headers, rows)


def print_json(data: Any) -> None:
    text = json_text(data)
    if not encodable(text):  # Chinese on an ASCII stdout: \uXXXX escapes, still the same JSON
        text = json.dumps(data, ensure_ascii=True, indent=2)
    print(text)


def json_text(data: Any) -> str:
    """`data` as indented JSON that is safe on a terminal: Chinese (and every printable
    character) as itself, every control (C0, C1, DEL), format (bidi overrides, zero-width
    marks), line or paragraph separator as its `\\uXXXX` escape — the same JSON to a parser
    (`ensure_ascii=False` alone leaves U+202E, DEL and C1 raw)."""
    return _UNSAFE_IN_JSON.sub(_json_escape, json.dumps(data, ensure_ascii=False, indent=2))


#: Ranges with no control, format or separator character, not checked one by one: printable
#: ASCII, Latin-1 to Hebrew but the soft hyphen, CJK (radicals to unified ideographs), Hangul,
#: full-width forms (tests/cli/test_hostile_names.py checks that they hold none).
SAFE_RANGES = "\x20-\x7e\xa0-\xac\xae-\u05ff\u2e80-\u9fff\uac00-\ud7a3\uff01-\uffef"
#: Outside its strings JSON is ASCII; inside, json.dumps has escaped C0 controls already.
_UNSAFE_IN_JSON = re.compile(f"[^\n{SAFE_RANGES}]")


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    return json.dumps(char)[1:-1] if _unsafe(char) else char  # json.dumps: ASCII, surrogate pairs beyond U+FFFF


#: Cc: C0/C1 controls and DEL; Cf: format (bidi overrides, isolates, zero-width marks);
#: Zl/Zp: line and paragraph separators; Cs: lone surrogates (a JSON answer may hold one).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _unsafe(char: str) -> bool:
    return unicodedata.category(char) in _UNSAFE_CATEGORIES


#: What a line of text for a person may hold raw: a newline, a tab, SAFE_RANGES; the rest is checked.
_CHECKED_IN_TEXT = re.compile(f"[^\n\t{SAFE_RANGES}]")


#: The key and its secret half, as vmrctl met them: what `hide_secrets` replaces in its output.
_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """`value` (a key) is never printed from here on, nor (for a public-cloud `id:key`) its
    secret half; the log's scrubber is told too (core.logs.register_secret). core.logs keeps
    its own set private, so vmrctl keeps the same parts here: the whole value and each part
    after a colon, of 6 characters or more (a dedicated cloud's '800' is not blotted out)."""
    logs.register_secret(value)
    for part in {value, *value.split(":")[1:]}:
        if len(part) >= 6:
            _secrets.add(part)


def hide_secrets(text: str) -> str:
    """`text` with every registered secret as `***`; nothing else changed."""
    for secret in sorted(_secrets, key=len, reverse=True):  # a whole `id:key` before its key part
        text = text.replace(secret, "***")
    return text


def terminal_text(text: str) -> str:
    """`text` as it may reach a terminal: registered secrets as `***`, and every control,
    format or separator character but a newline and a tab as its Python escape (`\\x1b`,
    `\\u202e`), so that it can neither steer the terminal nor read reversed, and is still seen."""
    return _CHECKED_IN_TEXT.sub(_text_escape, hide_secrets(text))


def _text_escape(match: re.Match[str]) -> str:
    char = match.group()
    return ascii(char)[1:-1] if _unsafe(char) else char


class SafeStream:
    """stdout or stderr as vmrctl writes to them: each write goes through `terminal_text`.
    Everything else (encoding, isatty, fileno, flush) is the stream's own."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(terminal_text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextlib.contextmanager
def safe_streams() -> Iterator[None]:
    """sys.stdout and sys.stderr wrapped in `SafeStream` for as long as vmrctl runs."""
    before = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = cast(TextIO, SafeStream(sys.stdout)), cast(TextIO, SafeStream(sys.stderr))
    try:
        yield
    finally:
        with contextlib.suppress(Exception):  # a closed pipe: the run has said what it could
            sys.stdout.flush()
        sys.stdout, sys.stderr = before


def raw(stream: TextIO) -> TextIO:
    """The stream under a `SafeStream`: for a progress bar, whose carriage returns and cursor
    moves are its own (what it shows is made safe before it is given)."""
    return stream.stream if isinstance(stream, SafeStream) else stream


def encodable(text: str, stream: TextIO | None = None) -> bool:
    """Whether `stream` (stdout) can write `text` in its encoding as it is, without escapes."""
    encoding = getattr(stream or sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


#: The longest text cell printed (core.untrusted.plain's cut): a path, a title, the service's words.
CELL_LIMIT = 4096


def print_table(headers: Sequence[str], body: Sequence[Row]) -> None:
    """Nothing at all when there are no rows (a script reads an empty output as 'none').
    Every text cell is made plain (core.untrusted): the service's words — a room's name, a
    contact, a meeting's theme — cannot add a row, steer the terminal or read reversed."""
    if body:
        rows = [[plain(cell, CELL_LIMIT) if isinstance(cell, str) else cell for cell in row] for row in body]
        print(tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=True))


def is_record_id(text: str) -> bool:
    """Whether `text` can be a record id: printable, no space, control (ESC, BEL), format (bidi
    override) or separator character."""
    return bool(text) and text.isprintable() and not any(char.isspace() for char in text)


def record_id_text(record_id: str) -> str:
    """A record id as a sentence shows it: itself, or escaped (repr) when it is not one —
    whether typed or sent by the service (openRecord, closeRecord)."""
    return record_id if is_record_id(record_id) else repr(record_id)


def warn(line: str) -> None:
    """A line for the user on stderr, named for vmrctl (stdout may be data); one line: a line
    break in it (the service's words) is shown escaped."""
    one_line = line.strip().replace("\r", "\\r").replace("\n", "\\n")
    print(f"vmrctl: {one_line}", file=sys.stderr)


def local_time(moment: datetime | None, seconds: bool = False) -> str:
    """`moment` in the local zone. A time in the hour that a zone with summer time goes through
    twice (Berlin's 02:00-03:00 on the last Sunday of October) carries its UTC offset,
    "2031-10-26 02:30 +02:00", so that a meeting from 02:30 to 02:15 reads as what it is."""
    if moment is None:
        return ""
    local = moment.astimezone()
    text = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{text} {_offset(local.utcoffset())}" if _repeated(local) else text


def _repeated(local: datetime) -> bool:
    """Whether the local zone shows `local`'s wall-clock time twice (its two folds differ)."""
    wall = local.replace(tzinfo=None)
    try:
        return wall.replace(fold=0).astimezone().utcoffset() != wall.replace(fold=1).astimezone().utcoffset()
    except (OverflowError, OSError, ValueError):  # beyond what the platform's time functions take
        return False


def _offset(offset: timedelta | None) -> str:
    minutes = int((offset or timedelta()).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def length(seconds: int | None) -> str:
    """'1:02:03'; empty when unknown."""
    if seconds is None:
        return ""
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
