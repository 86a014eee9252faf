"""`vmrtray` where there is no desktop: one sentence, not Qt's abort."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize(("lang", "words"), [("C.UTF-8", "needs a graphical desktop"), ("zh_CN.UTF-8", "需要图形桌面")])
def test_no_desktop_is_one_clear_sentence(lang: str, words: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(LANG=lang, LC_ALL="", VMRTRAY_INSTANCE=f"vmrtray-launch-{os.getpid()}")
    done = subprocess.run(
        [sys.executable, "-m", "vmrtray", "--demo"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert words in done.stderr
    assert "vmrctl" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_launcher_stays_light() -> None:
    # The icon is shown before httpx, pydantic or the simulator load (bench/tray.py, start-up).
    heavy = "('httpx', 'pydantic', 'aiohttp', 'qasync')"
    code = f"import sys, vmrtray.ui.launcher; print(sorted(m for m in {heavy} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
