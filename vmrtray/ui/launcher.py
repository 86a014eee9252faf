"""`vmrtray`: start fast, show the tray icon at once, then load the rest.

`main` imports only Qt and the icon painter before the icon is on screen; the app itself
(`tray_app.py`: client, coordinator, keyring, qasync) loads afterwards. A second launch
hands over to the first through a local socket and exits.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Sequence

from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from vmrtray import __version__
from vmrtray.core import logs
from vmrtray.core.lang import user_lang
from vmrtray.core.peek import peek

from .icons import Style, TrayState, app_icon, light_ink, tray_icon
from .single import SingleInstance


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="vmrtray", description="The meeting service in the system tray.")
    parser.add_argument("--demo", action="store_true", help="run on a built-in simulated service (nothing is stored)")
    parser.add_argument("--debug", action="store_true", help="log details")
    parser.add_argument("--version", action="version", version=f"vmrtray {__version__}")
    return parser.parse_args(argv)


def no_desktop() -> str | None:
    """Why there is no graphical session to put a tray icon in, or None if there is one.

    Without it Qt aborts with a core dump and advice to reinstall; a sentence is better.
    """
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    if user_lang() == "zh":
        return (
            "vmrtray 需要图形桌面，但没有找到（DISPLAY 和 WAYLAND_DISPLAY 均未设置）。"
            "在服务器或脚本中请使用 vmrctl，例如 vmrctl --demo status。"
        )
    return (
        "vmrtray needs a graphical desktop and found none (DISPLAY and WAYLAND_DISPLAY are unset). "
        "On a server or in scripts, use vmrctl, e.g. `vmrctl --demo status`."
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if (why := no_desktop()) is not None:
        print(f"vmrtray: {why}", file=sys.stderr)
        return 2
    logs.setup(args.debug)
    logging.getLogger("vmrtray").info("vmrtray %s starting%s", __version__, " (demo)" if args.demo else "")
    # argv[0] names the app to the window system (X11 WM_CLASS), also under `python -m vmrtray`
    qapp = QApplication.instance() or QApplication(["vmrtray"])
    if not isinstance(qapp, QApplication):
        raise RuntimeError("a QCoreApplication without widgets is already running")
    qapp.setApplicationName("vmrtray")
    qapp.setQuitOnLastWindowClosed(False)
    name = os.environ.get("VMRTRAY_INSTANCE") or f"vmrtray-{getpass.getuser()}{'-demo' if args.demo else ''}"
    instance = SingleInstance(name)
    if not instance.claim():
        print("vmrtray is already running; it was asked to show itself.")
        return 0
    qapp.setWindowIcon(app_icon())
    style: Style = "mono" if peek("tray_icon", ("colour", "mono"), "colour") == "mono" else "colour"
    icon = QSystemTrayIcon(tray_icon(TrayState.STARTING, style, light_ink(style)))
    icon.setToolTip("vmrtray …")
    if QSystemTrayIcon.isSystemTrayAvailable():
        icon.show()  # presence first: the rest loads while the icon is already there

    from .tray_app import run_app

    return run_app(qapp, instance, icon, demo=args.demo)
