"""What a download is and where it lands: its error, its result, the file name of a
recording's file and a free path for it, the sidecar of a segmented `.part`.

Apart from core.downloads (the transfer itself, on aiohttp) so that the download queue and
the recordings listing load without aiohttp: the tray pays its 12 MB only when a download
starts.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .lang import pick

if TYPE_CHECKING:
    from vmrtray.api import Lang

MAX_NAME_BYTES = 180

Refresh = Callable[[], Awaitable[str]]
OnProgress = Callable[[int, int], None]


class DownloadError(Exception):
    """A download that cannot finish now; its `.part` is kept for a later resume."""

    def __init__(self, message: str, *, disk_full: bool = False) -> None:
        super().__init__(message)
        self.disk_full = disk_full

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
    path: Path
    sha256: str
    resumed_from: int


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
    text = " ".join(text.split())  # newlines and tabs become plain spaces
    from pathvalidate import sanitize_filename  # loaded with the first file name made

    return sanitize_filename(text, platform="universal", replacement_text="_").lstrip(". ")


def free_target(folder: Path, name: str, size: int) -> Path:
    """`folder/name`, unless a different file is there: then `name (2)`, `name (3)`…"""
    target = folder / name
    stem, suffix = os.path.splitext(name)
    n = 1
    while target.exists() and target.stat().st_size != size:
        n += 1
        target = folder / f"{stem} ({n}){suffix}"
    return target


def remove_files(*paths: Path) -> None:
    """Remove each file there is (a downloaded copy, a part and its sidecar)."""
    for path in paths:
        path.unlink(missing_ok=True)


def part_of(target: Path) -> Path:
    """Where `target` grows until it is whole and checked (`<name>.part`, beside it)."""
    return target.with_name(target.name + ".part")


def segments_sidecar(part: Path) -> Path:
    """Where a segmented download keeps which bytes of its `.part` have arrived."""
    return part.with_name(part.name + ".segments")
