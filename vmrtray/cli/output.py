"""How vmrctl writes: data as JSON with the API's field names, or a plain table; times in
the local zone; lengths as h:mm:ss. Sizes are core's (`core.units.size_text`, IEC units)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

from tabulate import tabulate

from vmrtray.core.untrusted import plain

Row = list[Any]
Table = tuple[list[str], list[Row]]  # (headers, rows)


def print_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if not encodable(text):  # Chinese on an ASCII stdout: \uXXXX escapes, still the same JSON
        text = json.dumps(data, ensure_ascii=True, indent=2)
    print(text)


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


def warn(line: str) -> None:
    """A line for the user on stderr, named for vmrctl (stdout may be data)."""
    print(f"vmrctl: {line}", file=sys.stderr)


def local_time(moment: datetime | None, seconds: bool = False) -> str:
    if moment is None:
        return ""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def length(seconds: int | None) -> str:
    """'1:02:03'; empty when unknown."""
    if seconds is None:
        return ""
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
