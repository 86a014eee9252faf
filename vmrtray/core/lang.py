"""The user's language for messages: Simplified Chinese or English.

`VMRTRAY_LANG` first (one run, a script), then the language chosen in settings, then the
locale. The tray's Qt strings (ui.i18n) and core's and vmrctl's sentences (`pick`) all
follow the one answer.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the tray's launcher uses this module before anything heavy is loaded
    from vmrtray.api import Lang

#: The choices of the `language` setting.
LANGUAGES = ("system", "zh", "en")


def detect_lang(env: Mapping[str, str] | None = None, chosen: str = "system") -> Lang:
    """`VMRTRAY_LANG`, then `chosen` (the setting), then the POSIX locale variables in their order."""
    env = os.environ if env is None else env
    if explicit := env.get("VMRTRAY_LANG", "").strip().lower():
        return _of(explicit)
    if chosen in ("zh", "en"):
        return _of(chosen)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(name, "").strip().lower()
        if value:
            return _of(value)
    return _system_default()


def _of(value: str) -> Lang:
    return "zh" if value.startswith(("zh", "chinese")) else "en"  # Windows says "Chinese (Simplified)_China"


def _system_default() -> Lang:
    """Windows and macOS set no locale variables: ask the OS for the user's UI language."""
    import locale

    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return _of(code.lower())


def chosen_language(settings_file: Path | None = None) -> str:
    """The `language` setting: "system" unless the settings file says "zh" or "en"."""
    from .peek import peek

    return peek("language", LANGUAGES, "system", settings_file)


def user_lang() -> Lang:
    """The language for this user now: the environment, the saved setting, the locale."""
    return detect_lang(chosen=chosen_language())


def pick(lang: Lang, en: str, zh: str) -> str:
    return zh if lang == "zh" else en
