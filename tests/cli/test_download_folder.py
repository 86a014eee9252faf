"""A download folder that cannot be one is a sentence naming it, exit 2 (issue 15, point 8):
`-o` naming a file, /dev/null, a path under /proc, or a file's "subfolder"; the settings'
`download_dir` doing so; an empty `-o ""` or `watch --download ""`. Before, the first ones
ended in "internal error: FileExistsError / FileNotFoundError" (exit 1) once the recording's
files were listed, `-o ""` silently downloaded into ~/Downloads, and `watch --download ""`
watched without downloading anything."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.inprocess import ThreadedSim, environment, run_vmrctl
from tests.support.cli import Vmrctl
from vmrtray.cli.exits import Exit
from vmrtray.sim import DEMO_PUBLIC_KEY

ROOM = "100701"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's home and Downloads in the test's folder: a download into the default folder
    (the code before, for `-o ""`) lands there, not in the real one."""
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(home / "Downloads"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home


@pytest.fixture
def recording(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A recording whose files the simulator lists (so that the code before reached the folder)."""
    with ThreadedSim() as sim, environment(monkeypatch, tmp_path, sim.url):
        monkeypatch.chdir(tmp_path)
        started = run_vmrctl("record", "start", ROOM, "--json")
        assert started.code == 0, started.stderr
        assert run_vmrctl("record", "stop", ROOM).code == 0
        yield str(json.loads(started.stdout)["recordId"])


def _nothing_downloaded(home: Path, tmp_path: Path) -> None:
    assert not list((home / "Downloads").rglob("*.mp4"))
    assert not list(tmp_path.glob("*.mp4"))


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("afile", "/afile (-o) cannot be used: it is not a folder"),
        ("afile/sub", "/afile/sub (-o) cannot be used: Not a directory"),
        ("/dev/null", "/dev/null (-o) cannot be used: it is not a folder"),
        ("/proc/vmrtray-test", "/proc/vmrtray-test (-o) cannot be used: No such file or directory"),
        ("a\x00b", "(-o) cannot be used: not a folder name"),
        ("", "-o: an empty folder name"),
        ("  ", "-o: an empty folder name"),
    ],
    ids=["file", "under-a-file", "dev-null", "proc", "nul", "empty", "blank"],
)
def test_a_download_folder_that_cannot_be_one_is_a_sentence(
    recording: str, home: Path, tmp_path: Path, given: str, words: str
) -> None:
    (tmp_path / "afile").write_text("kept\n")
    done = run_vmrctl("recordings", "download", recording, "-o", given)
    assert done.code == Exit.USAGE, done.stderr
    (line,) = done.stderr.splitlines()
    assert words in line
    assert "internal error" not in line
    _nothing_downloaded(home, tmp_path)
    assert (tmp_path / "afile").read_text() == "kept\n"


def test_a_settings_download_dir_that_cannot_be_one_is_named(recording: str, home: Path, tmp_path: Path) -> None:
    settings = tmp_path / "config" / "settings.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('download_dir = "/dev/null"\n', encoding="utf-8")
    done = run_vmrctl("recordings", "download", recording)
    assert done.code == Exit.USAGE, done.stderr
    (line,) = done.stderr.splitlines()
    assert "The download folder /dev/null (download_dir in the settings) cannot be used: it is not a folder" in line


def test_a_download_folder_is_made_when_missing(recording: str, home: Path, tmp_path: Path) -> None:
    """A guard: a folder that is not there yet is made, and the files land in it."""
    done = run_vmrctl("recordings", "download", recording, "-o", "new/sub")
    assert done.code == 0, done.stderr
    assert list((tmp_path / "new" / "sub").glob("*.mp4"))


@pytest.mark.parametrize("given", ["", "afile"], ids=["empty", "file"])
def test_watch_refuses_a_download_folder_that_cannot_be_one(vmrctl: Vmrctl, given: str) -> None:
    """At once, with the sentence (before: `--download ""` watched without downloading, and a
    file's name watched on until stopped)."""
    (vmrctl.home / "afile").write_text("kept\n")
    done = vmrctl("watch", ROOM, "--download", given, env={"VMRTRAY_AUTH": DEMO_PUBLIC_KEY})
    assert done.returncode == Exit.USAGE, done.stderr
    assert "--download" in done.stderr
    assert "internal error" not in done.stderr
