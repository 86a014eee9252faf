"""`--ics FILE` that cannot be a file to write is refused before anything is sent (exit 2, the
file named): empty, a folder, a device or a pipe (the calendar is written through a temporary
file and a rename, which put a file in the place of a pipe — and would in the place of
/dev/null for root), a file standing where its folder should be. Before, `book --ics .` booked
the room and then said it could not write, `--ics PIPE` replaced the pipe, and `--ics ""`
wrote nothing without a word."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.inprocess import ThreadedSim, environment, run_vmrctl
from vmrtray.cli.exits import Exit

BOOK = ["book", "--room", "3365", "--theme", "t", "--start", "2031-05-01 10:00", "--minutes", "30"]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with ThreadedSim() as sim, environment(monkeypatch, tmp_path, sim.url):
        monkeypatch.chdir(tmp_path)
        (tmp_path / "afile").write_text("kept\n")
        os.mkfifo(tmp_path / "pipe")
        yield tmp_path


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("", "--ics: an empty file name"),
        (" ", "--ics: an empty file name"),
        (".", "cannot write .: it is not a file"),
        ("pipe", "cannot write pipe: it is not a file"),
        ("afile/x.ics", "cannot write afile/x.ics: afile is not a folder"),
        ("a\x00b.ics", "not a file name"),
    ],
    ids=["empty", "blank", "folder", "pipe", "under-a-file", "nul"],
)
@pytest.mark.parametrize("command", ["book", "bookings"])
def test_an_ics_file_that_cannot_be_one_is_refused_before_anything_is_sent(
    folder: Path, command: str, given: str, words: str
) -> None:
    argv = BOOK if command == "book" else ["bookings"]
    done = run_vmrctl(*argv, "--ics", given)
    assert done.code == Exit.USAGE, done.stderr
    (line,) = done.stderr.splitlines()
    assert words in line
    assert stat.S_ISFIFO((folder / "pipe").stat().st_mode)
    assert (folder / "afile").read_text() == "kept\n"
    listed = run_vmrctl("bookings", "--json")
    assert listed.code == 0, listed.stderr
    assert listed.stdout.strip() == "[]"  # nothing was booked


def test_an_ics_file_in_a_new_folder_is_written(folder: Path) -> None:
    """A guard: a file whose folder is not there yet is written, the folder made."""
    done = run_vmrctl(*BOOK, "--ics", "new/x.ics")
    assert done.code == 0, done.stderr
    assert "BEGIN:VCALENDAR" in (folder / "new" / "x.ics").read_text()
