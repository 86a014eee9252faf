"""Conditions of this app rather than answers of the service, said in the user's language.

The service's own failures are `vmrtray.api.VmrError`s. What core finds by itself is not
the service refusing anything, and is told apart by its type (vmrctl gives it an exit
code of its own).
"""

from __future__ import annotations

from pathlib import Path

from vmrtray.api import Lang

from .lang import pick


class CoreError(Exception):
    """Base of core's own conditions. `str()` is the English sentence."""

    def describe(self, lang: Lang = "en") -> str:
        return str(self)


class NoFiles(CoreError):
    """`getRecords` lists no file for this id: not yet (still recording, or the files are
    being made), or never (deleted, or an id the service does not know) — it cannot tell."""

    def __init__(self, record_id: str) -> None:
        self.record_id = record_id
        super().__init__(self.describe("en"))

    def describe(self, lang: Lang = "en") -> str:
        return pick(
            lang,
            f"Recording {self.record_id}: no files listed yet (still being made, or deleted).",
            f"录制 {self.record_id}：尚未列出文件（仍在生成中，或已被删除）。",
        )


class FileGone(CoreError):
    """The service no longer lists a file the catalog knows of this recording (the same
    object, start and size): its link is not asked for another file's."""

    def __init__(self, record_id: str, idx: int) -> None:
        self.record_id, self.idx = record_id, idx
        super().__init__(self.describe("en"))

    def describe(self, lang: Lang = "en") -> str:
        return pick(
            lang,
            f"Recording {self.record_id}: the service no longer lists file {self.idx + 1} as it did; not downloaded.",
            f"录制 {self.record_id}：服务不再按原样列出第 {self.idx + 1} 个文件，未下载。",
        )


class CatalogBusy(CoreError):
    """The recordings catalog stayed locked by another process (another vmrtray or vmrctl)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(self.describe("en"))

    def describe(self, lang: Lang = "en") -> str:
        return pick(
            lang,
            f"The recordings catalog ({self.path.name}) is busy in another vmrtray or vmrctl; try again in a moment.",
            f"录制目录（{self.path.name}）正被另一个 vmrtray 或 vmrctl 占用，请稍后再试。",
        )


class Unusable(CoreError):
    """A file of this app's data folder cannot be used (no permission, something planted in
    its place): `path` and the system's reason, `why`."""

    def __init__(self, path: Path, error: OSError) -> None:
        self.path, self.why = path, error.strerror or type(error).__name__
        super().__init__(self.describe("en"))


class JournalUnusable(Unusable):
    """The bookings journal's folder or lock cannot be used."""

    def describe(self, lang: Lang = "en") -> str:
        return pick(
            lang,
            f"The bookings journal in {self.path.parent} cannot be used ({self.why}); nothing was sent.",
            f"无法使用 {self.path.parent} 中的预约记录（{self.why}）；未发送任何内容。",
        )


class CatalogUnusable(Unusable):
    """The recordings catalog cannot be opened: its folder or its lock cannot be used."""

    def describe(self, lang: Lang = "en") -> str:
        return pick(
            lang,
            f"The recordings catalog {self.path} cannot be opened ({self.why}).",
            f"无法打开录制目录 {self.path}（{self.why}）。",
        )
