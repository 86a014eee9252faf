"""One choice from the settings file, read without the settings model.

The tray's launcher needs the language and the icon style before pydantic (13 MB) loads;
the settings model (core.settings) stays the one that validates and writes the file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from .paths import settings_file


def peek(name: str, choices: Sequence[str], default: str, path: Path | None = None) -> str:
    """The setting `name` when it is one of `choices`; `default` when the file is missing,
    unreadable, or says something else (the settings dialog will say why)."""
    try:
        value = tomllib.loads((path or settings_file()).read_text("utf-8")).get(name, default)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return default
    return value if value in choices else default
