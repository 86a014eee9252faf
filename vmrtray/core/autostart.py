"""Start at login: the XDG autostart entry (Linux), the per-user Run key (Windows), a
LaunchAgent (macOS). Writing and removing are the only operations; calls block briefly
(a file or the registry), so async callers use `asyncio.to_thread`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from .atomic import write_atomic

NAME = "vmrtray"
LABEL = "cn.vmrtray.tray"
_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def command() -> list[str]:
    """How to start this install of vmrtray: its launcher if installed, else the module."""
    launcher = shutil.which(NAME)
    return [launcher] if launcher else [sys.executable, "-m", NAME]


def xdg_entry_path() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "autostart" / f"{NAME}.desktop"


def launch_agent_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LABEL}.plist"


_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")


def exec_arg(arg: str) -> str:
    """One argument as the Desktop Entry spec quotes it: double quotes, `"` `` ` `` `$` `\\`
    escaped inside them, `%` doubled; then the value's own escaping doubles backslashes."""
    arg = arg.replace("%", "%%")
    if any(c in _RESERVED for c in arg):
        arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
    return arg.replace("\\", "\\\\")


def desktop_entry(argv: Sequence[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=vmrtray\n"
        "Comment=Meeting rooms, recordings and bookings in the system tray\n"
        f"Exec={' '.join(exec_arg(a) for a in argv)}\n"
        "Icon=vmrtray\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def enable(argv: Sequence[str] | None = None) -> None:
    argv = list(argv or command())
    if sys.platform == "win32":
        _windows(argv)
    elif sys.platform == "darwin":
        data = {"Label": LABEL, "ProgramArguments": argv, "RunAtLoad": True}
        import plistlib  # macOS only

        write_atomic(launch_agent_path(), plistlib.dumps(data))
    else:
        write_atomic(xdg_entry_path(), desktop_entry(argv).encode())


def disable() -> None:
    if sys.platform == "win32":
        _windows(None)
    else:
        (launch_agent_path() if sys.platform == "darwin" else xdg_entry_path()).unlink(missing_ok=True)


def is_enabled() -> bool:
    if sys.platform == "win32":
        return _windows_value() is not None
    return (launch_agent_path() if sys.platform == "darwin" else xdg_entry_path()).exists()


if sys.platform == "win32":  # mypy checks this branch only on Windows
    import subprocess
    import winreg

    def _windows(argv: Sequence[str] | None) -> None:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, _RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            if argv is None:
                with contextlib.suppress(FileNotFoundError):
                    winreg.DeleteValue(key, NAME)
            else:
                winreg.SetValueEx(key, NAME, 0, winreg.REG_SZ, subprocess.list2cmdline(argv))

    def _windows_value() -> str | None:
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, _RUN_KEY) as key:
                return str(winreg.QueryValueEx(key, NAME)[0])
        except FileNotFoundError:
            return None

else:

    def _windows(argv: Sequence[str] | None) -> None:
        raise OSError("the Run key exists only on Windows")

    def _windows_value() -> str | None:
        return None
