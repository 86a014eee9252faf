"""A real X desktop for tests and benchmarks: Xvfb, trayer as the system tray, a private bus."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .dbus import session_bus

TOOLS = {
    "Xvfb": "xvfb",
    "trayer": "trayer",
    "xdotool": "xdotool",
    "xwininfo": "x11-utils",
    "import": "imagemagick",
    "convert": "imagemagick",
    "compare": "imagemagick",
    "dbus-daemon": "dbus-daemon",
}
GEOMETRY = re.compile(r"(\d+)x(\d+)[+-]\d+[+-]\d+\s+\+(-?\d+)\+(-?\d+)")  # WxH+rx+ry  +absx+absy
PANEL = '"panel": ("panel" "trayer")'


def missing_tools() -> list[str]:
    return [f"{tool} ({package})" for tool, package in TOOLS.items() if shutil.which(tool) is None]


def wait_for(condition: Callable[[], object], what: str, seconds: float = 30.0, every: float = 0.1) -> object:
    end = time.monotonic() + seconds
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > end:
            raise AssertionError(f"never happened: {what}")
        time.sleep(every)


def _free_display() -> int:
    for number in range(90, 400):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number")


@contextmanager
def desktop(width: int = 1024, height: int = 600) -> Iterator[dict[str, str]]:
    """An X screen with a tray host on a private bus; yields the environment; ends them all."""
    number = _free_display()
    with session_bus() as bus:
        env = {**os.environ, "DISPLAY": f":{number}", "DBUS_SESSION_BUS_ADDRESS": bus}
        env.pop("QT_QPA_PLATFORM", None)
        xvfb = subprocess.Popen(
            ["Xvfb", f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        tray = None
        try:
            wait_for(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), "Xvfb up")
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
            wait_for(lambda: PANEL in window_tree(env), "trayer's panel")
            yield env
        finally:
            for process in (tray, xvfb):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=10)


def window_tree(env: dict[str, str]) -> str:
    return subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True).stdout


def embedded_icon(env: dict[str, str], wm_class: str = "vmrtray") -> tuple[int, int, int, int] | None:
    """The icon window of `wm_class` inside trayer's panel, as (x, y, width, height) on screen."""
    lines = window_tree(env).splitlines()
    panel = next((i for i, line in enumerate(lines) if PANEL in line), None)
    if panel is None:
        return None
    depth = len(lines[panel]) - len(lines[panel].lstrip())
    for line in lines[panel + 1 :]:
        if len(line) - len(line.lstrip()) <= depth:
            break  # left the panel's subtree
        found = GEOMETRY.search(line) if f'"{wm_class}")' in line else None
        if found:
            width, height, x, y = (int(v) for v in found.groups())
            if width > 1 and (x, y) != (0, 0):
                return x, y, width, height
    return None


def brightness(shot: Path, box: tuple[int, int, int, int]) -> float:
    """The mean brightness (0 black … 1 white) of a box of a screenshot."""
    x, y, w, h = box
    out = subprocess.run(
        ["convert", str(shot), "-crop", f"{w}x{h}+{x}+{y}", "-format", "%[fx:mean]", "info:"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out)


def app_windows(env: dict[str, str], wm_class: str = "vmrtray") -> list[tuple[str, int, int]]:
    """The visible top-level windows of `wm_class` as (id, width, height), largest first."""
    ids = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--class", wm_class], env=env, capture_output=True, text=True
    ).stdout.split()
    found = []
    for window in ids:
        out = subprocess.run(["xdotool", "getwindowgeometry", window], env=env, capture_output=True, text=True).stdout
        size = re.search(r"Geometry: (\d+)x(\d+)", out)
        if size:
            found.append((window, int(size.group(1)), int(size.group(2))))
    return sorted(found, key=lambda w: w[1] * w[2], reverse=True)


def window_name(env: dict[str, str], window: str) -> str:
    return subprocess.run(["xdotool", "getwindowname", window], env=env, capture_output=True, text=True).stdout.strip()


def settled_shot(env: dict[str, str], window: str, path: Path, seconds: float = 15.0) -> Path:
    """A screenshot of `window` once two taken a moment apart are the same (loading has ended)."""
    previous = path.with_suffix(".previous.png")

    def same() -> bool:
        if path.exists():
            path.replace(previous)
        subprocess.run(["import", "-window", window, str(path)], env=env, check=True)
        if not previous.exists():
            return False
        compare = ["compare", "-metric", "AE", str(previous), str(path), "null:"]
        return subprocess.run(compare, capture_output=True).returncode == 0  # no pixel differs

    wait_for(same, f"{path.name} to settle", seconds=seconds, every=0.7)
    previous.unlink(missing_ok=True)
    return path


def open_tray_menu(env: dict[str, str], icon: tuple[int, int, int, int], shot: Path) -> None:
    """Right-click the icon until its menu shows in `shot` (a click that lands while the app is
    still loading opens nothing: click again, as a person would)."""
    x, y, w, h = icon
    below = (max(0, x - 400), y + h + 4, 300, 150)  # Qt opens the menu below-left of the icon

    def shown() -> bool:
        subprocess.run(["import", "-window", "root", str(shot)], env=env, check=True)
        return brightness(shot, below) > 0.5  # a light menu now covers the black root window

    patience = [3.0]

    def click() -> bool:
        subprocess.run(["xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "3"], env=env, check=True)
        try:
            return bool(wait_for(shown, "menu", seconds=patience[0], every=0.3))
        except AssertionError:
            # Each try waits longer: with 3 s every time, an app the whole suite slowed down
            # had its menu closed by the Escape below just before it showed, every time.
            patience[0] = min(15.0, patience[0] * 2)
            if shown():
                return True
            subprocess.run(["xdotool", "key", "Escape"], env=env, check=True)
            return False

    wait_for(click, "the menu opened by a right click", seconds=90)
