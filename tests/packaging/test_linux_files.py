"""The Linux desktop files are valid for the tools distributions check them with."""

from __future__ import annotations

import shutil
import subprocess
import sys
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


WATCH_UNIT = LINUX / "vmrctl-watch.service"


def _unit(text: str) -> dict[str, dict[str, str]]:
    """A systemd unit's sections and keys (one value each: this unit sets no key twice)."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not a key=value line: {line!r}"
        assert key not in current, f"{key} set twice"
        current[key] = value
    return sections


def test_the_watch_unit_runs_vmrctl_watch_with_no_key_in_it() -> None:
    text = WATCH_UNIT.read_text("utf-8")
    unit = _unit(text)
    service = unit["Service"]
    command = service["ExecStart"].split()
    assert command[:2] == ["vmrctl", "watch"]
    assert {"--download", "--json"} <= set(command)
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "3"  # no key, or a rejected one: starting again cannot help
    assert unit["Install"]["WantedBy"] == "default.target"  # a user unit
    assert "VMRTRAY_AUTH=" not in text
    assert "EnvironmentFile" not in service


def test_the_watch_unit_is_valid_for_systemd(tmp_path: Path) -> None:
    tool = _tool("systemd-analyze", "systemd")
    vmrctl = shutil.which("vmrctl") or shutil.which("vmrctl", path=str(Path(sys.executable).parent))
    if vmrctl is None:
        pytest.skip("needs vmrctl installed (pip install -e .)")
    # systemd looks for a bare command in its own fixed path, not $PATH: verified with vmrctl's full path
    unit = tmp_path / "vmrctl-watch.service"
    unit.write_text(WATCH_UNIT.read_text("utf-8").replace("ExecStart=vmrctl ", f"ExecStart={vmrctl} "))
    done = subprocess.run([tool, "verify", str(unit)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.strip() == "", done.stderr
