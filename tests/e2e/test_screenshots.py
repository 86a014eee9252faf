"""The README's screenshots, in English and in Chinese: the tray menu, the booking dialog and
the recordings window of `vmrtray --demo`, on a real X server with a real tray host.

They go to build/screenshots/, or where VMRTRAY_SCREENSHOTS says: the README's come from
`VMRTRAY_SCREENSHOTS=docs/screenshots pytest tests/e2e/test_screenshots.py`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import desktop as x11

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("VMRTRAY_SCREENSHOTS") or ROOT / "build" / "screenshots")
MISSING = x11.missing_tools()
TITLES = {"en": ("Book a meeting", "Recordings"), "zh": ("预约会议", "录制")}

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)} from Debian; .ci/run installs them")


@pytest.fixture
def desktop() -> Iterator[dict[str, str]]:
    with x11.desktop(1280, 800) as env:
        yield env


def _choose(env: dict[str, str], icon: tuple[int, int, int, int], ups: int, title: str, shot: Path) -> None:
    """Open the menu, pick the entry `ups` from the bottom with the keyboard, shoot its window."""
    x11.open_tray_menu(env, icon, shot)
    subprocess.run(["xdotool", "key", "--delay", "80", *(["Up"] * ups), "Return"], env=env, check=True)
    window = x11.wait_for(
        lambda: next((w for w, width, _ in x11.app_windows(env) if width >= 400), None), f"the window {title}"
    )
    assert isinstance(window, str)
    assert x11.window_name(env, window) == title  # in the language asked for
    x11.settled_shot(env, window, shot)
    subprocess.run(["xdotool", "windowfocus", "--sync", window, "key", "Escape"], env=env, check=True)
    x11.wait_for(lambda: not any(w == window for w, _, _ in x11.app_windows(env)), f"{title} closed by Esc")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_screenshots_of_the_tray_and_its_windows(desktop: dict[str, str], tmp_path: Path, lang: str) -> None:
    env = {
        **desktop,
        "QT_QPA_PLATFORM": "xcb",
        "VMRTRAY_LANG": lang,
        "VMRTRAY_INSTANCE": f"vmrtray-shots-{os.getpid()}-{lang}",
        "VMRTRAY_LOG_DIR": str(tmp_path / "logs"),
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    app = subprocess.Popen([sys.executable, "-m", "vmrtray", "--demo"], env=env, cwd=ROOT, stderr=subprocess.PIPE)
    try:
        icon = x11.wait_for(lambda: x11.embedded_icon(env), "the icon embedded in trayer's panel")
        assert isinstance(icon, tuple)
        screen = tmp_path / "screen.png"
        x11.open_tray_menu(env, icon, screen)
        menu = SHOTS / f"tray-menu-{lang}.png"
        subprocess.run(["convert", str(screen), "-trim", "+repage", str(menu)], check=True)  # the panel and menu
        subprocess.run(["xdotool", "key", "Escape"], env=env, check=True)
        book, recordings = TITLES[lang]
        _choose(env, icon, 6, book, SHOTS / f"booking-{lang}.png")  # Book a meeting…, 6th from the bottom
        _choose(env, icon, 4, recordings, SHOTS / f"recordings-{lang}.png")  # Recordings…, 4th
    finally:
        app.send_signal(signal.SIGTERM)
        _, err = app.communicate(timeout=30)
    assert app.returncode == 0, err
    for name in ("tray-menu", "booking", "recordings"):
        assert (SHOTS / f"{name}-{lang}.png").stat().st_size > 5_000
