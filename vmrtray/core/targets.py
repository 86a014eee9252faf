"""What a download is and where it lands: its error, its result, the file name of a
recording's file and the names to try for it, the sidecar of a segmented `.part`.

A file's identity is its recording and index, never its name and size: which name a file
gets is claimed in the catalog (core.recordings.place), and what is found on disk under a
name is only judged here (`Found`), from the catalog's row and the bytes.

Apart from core.downloads (the transfer itself, on aiohttp) so that the download queue and
the recordings listing load without aiohttp: the tray pays its 12 MB only when a download
starts.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from .lang import pick
from .untrusted import plain

if TYPE_CHECKING:
    from vmrtray.api import Lang

MAX_NAME_BYTES = 180

Refresh = Callable[[], Awaitable[str]]
OnProgress = Callable[[int, int], None]


class DownloadError(Exception):
    """A download that cannot finish now; its `.part` is kept for a later resume. `passing`:
    the file server or the network kept failing (a 5xx, broken or empty answers), which a later
    try may not meet: the queue tries again by itself."""

    def __init__(self, message: str, *, disk_full: bool = False, passing: bool = False) -> None:
        super().__init__(message)
        self.disk_full, self.passing = disk_full, passing

    def describe(self, lang: Lang = "en") -> str:
        return str(self)


class DownloadBusy(DownloadError):
    """Another vmrtray or vmrctl is downloading this file now.

    Raised by core.downloads when another process holds the target's `.part` lock: the queue
    waits for it (State.ELSEWHERE), vmrctl says this sentence and exits 5.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        super().__init__(self.describe("en"))

    def describe(self, lang: Lang = "en") -> str:
        return pick(
            lang,
            f"another vmrtray or vmrctl is downloading {self.target.name} now",
            f"另一个 vmrtray 或 vmrctl 正在下载 {self.target.name}",
        )


@dataclass(frozen=True)
class Downloaded:
    """A file in place. `vouched`: this download fetched every byte of it (`resumed_from` 0), or
    the store's CRC-64, from an answer of this download, matched the bytes read back from disk.

    Only a vouched file is written down as verified (the catalog's word that lets auto-delete
    remove the recording from the cloud): a part whole, or partly there, on arrival whose store
    sends no CRC-64 is kept, but nothing checked the bytes it came with (issue 13).
    """

    path: Path
    sha256: str
    resumed_from: int
    vouched: bool = False


def recording_filename(room_name: str, short_number: str, start: datetime, part: int = 0, parts: int = 1) -> str:
    """`<room name>_<short number>_<YYYY-MM-DD_HHMMSS>.mp4`, safe on every OS.

    The room name is what gets shortened: the number and the time always stay.
    """
    tail = f"{_safe(short_number)}_{start:%Y-%m-%d_%H%M%S}" + (f"_part{part + 1}" if parts > 1 else "")
    room = _safe(room_name)
    budget = MAX_NAME_BYTES - len(tail.encode()) - 1
    while len(room.encode()) > budget:
        room = room[:-1]
    room = room.rstrip(". ")
    return f"{room}_{tail}.mp4" if room else f"{tail}.mp4"


def _safe(text: str) -> str:
    # on one line, without controls (ESC, BEL), bidi overrides or other format characters,
    # line separators or unassigned ones (core.untrusted: pathvalidate keeps U+202E, which
    # makes a name read reversed in a file manager and on the terminal)
    text = plain(text, limit=4096)  # cut to MAX_NAME_BYTES by the caller
    from pathvalidate import sanitize_filename  # loaded with the first file name made

    return sanitize_filename(text, platform="universal", replacement_text="_").lstrip(". ")


#: How many names `name`, `name (2)`, … are tried before giving up (a folder full of look-alikes).
MAX_NAMES = 1000
_NUMBERED = re.compile(r" \(([0-9]+)\)$")  # ASCII: `\d` would take a name's own "(٣)" for our number
HASH_BLOCK = 1 << 20


class NoFreeName(DownloadError):
    """Every name tried for a file is another's: nothing is written."""

    def __init__(self, first: Path) -> None:
        super().__init__(f"no free file name for {first.name} in {first.parent} ({MAX_NAMES} tried)")


def names(first: Path) -> Iterator[Path]:
    """`first`, then its numbered siblings: `name (2).mp4`, `name (3).mp4`… (from its unnumbered stem)."""
    yield first
    stem, suffix = os.path.splitext(first.name)
    base = _NUMBERED.sub("", stem)
    for n in range(2, MAX_NAMES + 1):
        candidate = first.with_name(f"{base} ({n}){suffix}")
        if candidate != first:
            yield candidate


class Found(Enum):
    """What a candidate name holds for one file (its catalog row's view and the disk's)."""

    FREE = "free"  # nothing there, or only this file's own `.part` to resume
    THIS = "this"  # the catalog says this file is there, and its size and a fresh sha256 agree
    TAKEN = "taken"  # a file (or a `.part`) the catalog does not say is this one
    # this file's own download moved it into place and was stopped before the catalog said so
    # (a kill between the two): the file's claimed name, no `.part` left, the size it should
    # have, and the sha256 the catalog knows of it, if it knows one
    LEFT = "left"


@dataclass(frozen=True)
class Known:
    """What the catalog's row says of one file, as far as its name is concerned."""

    target: str | None
    local_path: str | None
    sha256: str | None
    size: int


def inspect(candidate: Path, known: Known) -> Found:
    """Whether `candidate` is free for this file, already is this file, or is another's.

    Blocking (it may hash a whole file): call it through `asyncio.to_thread`.
    """
    if candidate.is_symlink() or candidate.exists():
        if _is_this(candidate, known):
            return Found.THIS
        return Found.LEFT if _left_here(candidate, known) else Found.TAKEN
    part = part_of(candidate)
    if (part.is_symlink() or part.exists()) and known.target != str(candidate):
        return Found.TAKEN  # a part this file's row never named: someone else's
    return Found.FREE


def _is_this(candidate: Path, known: Known) -> bool:
    if known.local_path != str(candidate) or not known.sha256 or candidate.is_symlink():
        return False
    try:
        if candidate.stat().st_size != known.size:
            return False
        return sha256_file(candidate) == known.sha256
    except OSError:
        return False


def _left_here(candidate: Path, known: Known) -> bool:
    """The file at the name claimed for it, put there by its own download (a `.part` is
    renamed only once whole and checked) and not written down since: no `.part` beside it,
    its size, and its sha256 when the catalog knows one."""
    if known.target != str(candidate) or known.local_path == str(candidate) or candidate.is_symlink():
        return False
    try:
        if os.path.lexists(part_of(candidate)) or not candidate.is_file() or candidate.stat().st_size != known.size:
            return False
        return not known.sha256 or sha256_file(candidate) == known.sha256
    except OSError:
        return False


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def remove_files(*paths: Path) -> None:
    """Remove each file there is (a downloaded copy, a part and its sidecar)."""
    for path in paths:
        path.unlink(missing_ok=True)


def part_of(target: Path) -> Path:
    """Where `target` grows until it is whole and checked (`<name>.part`, beside it)."""
    return target.with_name(target.name + ".part")


def stream_sidecar(part: Path) -> Path:
    """Where a one-stream download keeps the validators of what its `.part` holds."""
    return part.with_name(part.name + ".meta")


def segments_sidecar(part: Path) -> Path:
    """Where a segmented download keeps which bytes of its `.part` have arrived."""
    return part.with_name(part.name + ".segments")
