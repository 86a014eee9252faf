"""Compile the translations (resources/i18n/*.ts) into the wheel's .qm files with lrelease.

The compiled files are never committed; an editable install writes them beside the
sources (ignored by git) so a checkout runs translated too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

QM_DIR = "vmrtray/ui/assets/i18n"


def lrelease() -> Path:
    import PySide6  # a build requirement (pyproject.toml)

    name = "lrelease.exe" if sys.platform == "win32" else "lrelease"
    return Path(PySide6.__file__).parent / name


class TranslationsHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "translations"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        out = root / QM_DIR
        out.mkdir(parents=True, exist_ok=True)
        for ts in sorted((root / "resources" / "i18n").glob("*.ts")):
            qm = out / f"{ts.stem}.qm"
            subprocess.run([str(lrelease()), "-silent", str(ts), "-qm", str(qm)], check=True)  # noqa: S603 - our own files
            if not qm.is_file():
                raise RuntimeError(f"lrelease made no {qm} from {ts}")
        build_data["artifacts"].append(f"{QM_DIR}/*.qm")
