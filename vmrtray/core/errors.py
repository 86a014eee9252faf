"""Conditions of this app rather than answers of the service, said in the user's language.

The service's own failures are `vmrtray.api.VmrError`s. What core finds by itself is not
the service refusing anything, and is told apart by its type (vmrctl gives it an exit
code of its own).
"""

from __future__ import annotations

from vmrtray.api import Lang

from .lang import pick


class CoreError(Exception):
    """Base of core's own conditions. `str()` is the English sentence."""

    def describe(self, lang: Lang = "en") -> str:
        return str(self)


class NoFiles(CoreError):
    """`getRecords` knows no file for this id: unknown, deleted, or still recording."""

    def __init__(self, record_id: str) -> None:
        self.record_id = record_id
        super().__init__(self.describe("en"))

    def describe(self, lang: Lang = "en") -> str:
        return pick(
            lang,
            f"The service has no files for recording {self.record_id}: unknown, deleted, or still recording.",
            f"服务没有录制 {self.record_id} 的文件：ID 未知、已删除，或仍在录制中。",
        )
