"""`vmrtray --demo` as a process on a real X server with a real system-tray host.

Xvfb is the screen, trayer the tray (its xcb plugin needs libxcb-icccm4 and
libxcb-keysyms1), all on a private D-Bus session as `dbus-run-session` would give (trayer
otherwise starts a bus that outlives the test). The test checks the icon is embedded in
the tray, opens its menu with a right click, and saves a screenshot.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.dbus import session_bus

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
GEOMETRY = re.compile(r"(\d+)x(\d+)[+-]\d+[+-]\d+\s+\+(-?\d+)\+(-?\d+)")  # WxH+rx+ry  +absx+absy
TOOLS = {
    "Xvfb": "xvfb",
    "trayer": "trayer",
    "xdotool": "xdotool",
    "xwininfo": "x11-utils",
    "import": "imagemagick",
    "convert": "imagemagick",
    "dbus-daemon": "dbus-daemon",
}
MISSING = [f"{tool} ({package})" for tool, package in TOOLS.items() if shutil.which(tool) is None]

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)} from Debian; .ci/run installs them")


def _wait(condition: Callable[[], object], what: str, seconds: float = 30.0) -> object:
    end = time.monotonic() + seconds
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > end:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)


def _free_display() -> int:
    for number in range(90, 400):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number")


@pytest.fixture
def desktop() -> Iterator[dict[str, str]]:
    """An X screen with a tray host, on a private bus; everything ends with the test."""
    number = _free_display()
    with session_bus() as bus:
        env = {**os.environ, "DISPLAY": f":{number}", "DBUS_SESSION_BUS_ADDRESS": bus}
        env.pop("QT_QPA_PLATFORM", None)
        xvfb = subprocess.Popen(
            ["Xvfb", f":{number}", "-screen", "0", "1024x600x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        tray = None
        try:
            _wait(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), "Xvfb up")
            tray = subprocess.Popen(
                [
                    "trayer",
                    "--edge",
                    "top",
                    "--align",
                    "right",
                    "--widthtype",
                    "pixel",
                    "--width",
                    "200",
                    "--height",
                    "28",
                    "--SetDockType",
                    "true",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _wait(lambda: '"panel": ("panel" "trayer")' in _tree(env), "trayer's panel")
            yield env
        finally:
            for process in (tray, xvfb):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=10)


def _tree(env: dict[str, str]) -> str:
    return subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True).stdout


def _embedded_icon(env: dict[str, str]) -> tuple[int, int, int, int] | None:
    """The vmrtray icon window inside trayer's panel, as (x, y, width, height) on screen."""
    lines = _tree(env).splitlines()
    panel = next((i for i, line in enumerate(lines) if '"panel": ("panel" "trayer")' in line), None)
    if panel is None:
        return None
    depth = len(lines[panel]) - len(lines[panel].lstrip())
    for line in lines[panel + 1 :]:
        if len(line) - len(line.lstrip()) <= depth:
            break  # left the panel's subtree
        found = GEOMETRY.search(line) if '("vmrtray" "vmrtray")' in line else None
        if found:
            width, height, x, y = (int(v) for v in found.groups())
            if width > 1 and (x, y) != (0, 0):
                return x, y, width, height
    return None


def _brightness(shot: Path, box: tuple[int, int, int, int]) -> float:
    x, y, w, h = box
    out = subprocess.run(
        ["convert", str(shot), "-crop", f"{w}x{h}+{x}+{y}", "-format", "%[fx:mean]", "info:"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out)


def test_the_tray_icon_is_embedded_and_its_menu_opens(desktop: dict[str, str], tmp_path: Path) -> None:
    env = {**desktop, "QT_QPA_PLATFORM": "xcb", "VMRTRAY_INSTANCE": f"vmrtray-e2e-{os.getpid()}"}
    app = subprocess.Popen(
        [sys.executable, "-m", "vmrtray", "--demo"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        try:
            icon = _wait(lambda: _embedded_icon(env), "the icon embedded in trayer's panel")
        except AssertionError:
            raise AssertionError(f"no embedded icon; windows:\n{_tree(env)}") from None
        assert isinstance(icon, tuple)
        x, y, w, h = icon
        SHOTS.mkdir(parents=True, exist_ok=True)
        before = tmp_path / "before.png"
        subprocess.run(["import", "-window", "root", str(before)], env=env, check=True)
        menu_area = (max(0, x - 400), y + h + 4, 300, 150)  # Qt opens the menu below-left of the icon
        assert _brightness(before, menu_area) < 0.05  # the bare root window is black

        subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "3"], env=env, check=True)
        shot = SHOTS / "tray-menu.png"

        def menu_shown() -> bool:
            subprocess.run(["import", "-window", "root", str(shot)], env=env, check=True)
            return _brightness(shot, menu_area) > 0.5  # a light menu now covers it

        _wait(menu_shown, "the menu opened by a right click")
        subprocess.run(["xdotool", "key", "Escape"], env=env, check=True)
    finally:
        app.send_signal(signal.SIGTERM)
        _, err = app.communicate(timeout=30)
    assert app.returncode == 0, err
    assert "Traceback" not in err
    print(f"screenshot: {shot}")
