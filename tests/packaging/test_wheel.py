"""The built wheel carries what the app needs beside its code: the icons and the compiled
translations. Built as a user's pip builds it (isolated, from pyproject.toml), installed in
a fresh venv, and the files found and loaded from there."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from PySide6.QtCore import QTranslator

from vmrtray.ui.icons import TrayState

ROOT = Path(__file__).resolve().parents[2]

FIND = """
import json
from importlib import resources
assets = resources.files("vmrtray.ui") / "assets"
print(json.dumps({
    "icons": sorted(p.name for p in (assets / "icons").iterdir()),
    "i18n": sorted(str(p) for p in (assets / "i18n").iterdir()),
}))
"""


def test_the_built_wheel_installs_with_its_icons_and_translations(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True,
        timeout=600,
    )
    (wheel,) = (tmp_path / "dist").glob("vmrtray-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith("tests/")]
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        check=True,
        timeout=300,
    )
    done = subprocess.run([python, "-c", FIND], check=True, capture_output=True, text=True, cwd=tmp_path)
    found = json.loads(done.stdout)

    for state in TrayState:
        stem = state.value.replace("_", "-")
        assert {f"tray-{stem}.svg", f"tray-{stem}-mono.svg"} <= set(found["icons"])
    assert "vmrtray.svg" in found["icons"]
    qm = {Path(p).name: Path(p) for p in found["i18n"]}
    assert set(qm) == {"vmrtray_zh_CN.qm", "vmrtray_en.qm"}
    assert str(venv) in str(qm["vmrtray_zh_CN.qm"])  # from the fresh install, not this checkout
    translator = QTranslator()
    assert translator.load(str(qm["vmrtray_zh_CN.qm"]))
    assert translator.translate("TrayMenu", "Quit") == "退出"
