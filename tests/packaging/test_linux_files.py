"""The Linux desktop files are valid for the tools distributions check them with."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from vmrtray.core import autostart

LINUX = Path(__file__).resolve().parents[2] / "packaging" / "linux"


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"needs {name} (Debian: {package}); .ci/run installs it")
    return found


def test_the_desktop_entry_is_valid() -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    done = subprocess.run([tool, str(LINUX / "cn.vmrtray.Vmrtray.desktop")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in done.stdout.lower()


def test_the_autostart_entry_is_valid(tmp_path: Path) -> None:
    tool = _tool("desktop-file-validate", "desktop-file-utils")
    entry = tmp_path / "vmrtray.desktop"
    entry.write_text(autostart.desktop_entry(["/opt/vmr tray/bin/vmrtray", "--debug", 'say "hi" $HOME', "100%"]))
    done = subprocess.run([tool, str(entry)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_metainfo_is_valid() -> None:
    tool = _tool("appstreamcli", "appstream")
    metainfo = LINUX / "cn.vmrtray.Vmrtray.metainfo.xml"
    done = subprocess.run([tool, "validate", "--no-net", str(metainfo)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
