"""`vmrtray --demo` as a process on a real X server with a real system-tray host.

Xvfb is the screen, trayer the tray (its xcb plugin needs libxcb-icccm4 and
libxcb-keysyms1), all on a private D-Bus session as `dbus-run-session` would give (trayer
otherwise starts a bus that outlives the test). The test checks the icon is embedded in
the tray, opens its menu with a right click, and saves a screenshot.
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
from vmrtray.sim import DEMO_PUBLIC_KEY

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
MISSING = x11.missing_tools()

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)} from Debian; .ci/run installs them")


@pytest.fixture
def desktop() -> Iterator[dict[str, str]]:
    with x11.desktop() as env:
        yield env


def test_the_tray_icon_is_embedded_and_its_menu_opens(desktop: dict[str, str], tmp_path: Path) -> None:
    env = {
        **desktop,
        "QT_QPA_PLATFORM": "xcb",
        "VMRTRAY_INSTANCE": f"vmrtray-e2e-{os.getpid()}",
        "VMRTRAY_LOG_DIR": str(tmp_path / "logs"),
    }
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
            icon = x11.wait_for(lambda: x11.embedded_icon(env), "the icon embedded in trayer's panel")
        except AssertionError:
            raise AssertionError(f"no embedded icon; windows:\n{x11.window_tree(env)}") from None
        assert isinstance(icon, tuple)
        x, y, _, h = icon
        SHOTS.mkdir(parents=True, exist_ok=True)
        before = tmp_path / "before.png"
        subprocess.run(["import", "-window", "root", str(before)], env=env, check=True)
        menu_area = (max(0, x - 400), y + h + 4, 300, 150)  # Qt opens the menu below-left of the icon
        assert x11.brightness(before, menu_area) < 0.05  # the bare root window is black

        shot = SHOTS / "tray-menu.png"
        x11.open_tray_menu(env, icon, shot)
        subprocess.run(["xdotool", "key", "Escape"], env=env, check=True)
    finally:
        app.send_signal(signal.SIGTERM)
        _, err = app.communicate(timeout=30)
    assert app.returncode == 0, err
    assert "Traceback" not in err
    log = (tmp_path / "logs" / "vmrtray.log").read_text("utf-8")  # the app keeps a log
    assert "starting (demo)" in log
    assert DEMO_PUBLIC_KEY not in log
    print(f"screenshot: {shot}")
