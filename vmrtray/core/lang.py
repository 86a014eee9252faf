"""The user's language for messages: Simplified Chinese or English, from the locale."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the tray's launcher uses this module before anything heavy is loaded
    from vmrtray.api import Lang


def detect_lang(env: Mapping[str, str] | None = None) -> Lang:
    """`VMRTRAY_LANG`, then the POSIX locale variables in their order of precedence."""
    env = os.environ if env is None else env
    for name in ("VMRTRAY_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(name, "").strip().lower()
        if value:
            return "zh" if value.startswith("zh") else "en"
    return "en"


def pick(lang: Lang, en: str, zh: str) -> str:
    return zh if lang == "zh" else en
