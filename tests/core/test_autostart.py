"""Start at login on Linux: the XDG autostart entry is written, runs this install, and is removed."""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

import pytest

from vmrtray.core import autostart

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG entry is Linux's")


@pytest.fixture(autouse=True)
def _config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_the_entry_is_written_and_removed(tmp_path: Path) -> None:
    assert not autostart.is_enabled()
    autostart.enable(["/opt/vmr tray/bin/vmrtray"])  # a path with a space survives quoting
    entry = tmp_path / "config" / "autostart" / "vmrtray.desktop"
    assert autostart.is_enabled()
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read_string(entry.read_text())
    section = parsed["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"] == '"/opt/vmr tray/bin/vmrtray"'  # the Desktop Entry spec's quoting
    autostart.disable()
    assert not entry.exists()
    autostart.disable()  # twice is fine


@pytest.mark.parametrize(
    ("arg", "written"),
    [
        ("/usr/bin/vmrtray", "/usr/bin/vmrtray"),
        ("/opt/my apps/vmrtray", '"/opt/my apps/vmrtray"'),
        ('say "hi" $HOME', '"say \\\\"hi\\\\" \\\\$HOME"'),
        ("100%", "100%%"),
    ],
)
def test_arguments_are_quoted_as_the_spec_says(arg: str, written: str) -> None:
    assert autostart.exec_arg(arg) == written


def test_the_command_starts_this_install() -> None:
    argv = autostart.command()
    assert argv[0].endswith("vmrtray") or argv[1:] == ["-m", "vmrtray"]
