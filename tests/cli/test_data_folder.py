"""The data folder vmrctl and the tray share: private whoever makes it first, and a lock of
the bookings journal that something else took the place of is one sentence, not a crash."""

from __future__ import annotations

import datetime
import os
import stat
from pathlib import Path

import pytest

from tests.support.cli import SimProcess, Vmrctl, sign_in
from vmrtray.cli.exits import Exit

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes and planted links are POSIX")


def _book() -> list[str]:
    """A booking about a year ahead (a start more than 5 years ahead is refused as a mistyped year)."""
    start = f"{datetime.date.today().year + 1}-01-05 10:00"
    return ["book", "--theme", "Board", "--start", start, "--minutes", "30"]


def test_the_data_folder_is_private_whoever_makes_it_first(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    sign_in(vmrctl)
    data = Path(vmrctl.env["VMRTRAY_DATA_DIR"])
    assert not data.exists()
    done = vmrctl(*_book())  # the bookings journal is the first to write there
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "pending-bookings.d").stat().st_mode) == 0o700


def test_a_data_folder_the_user_shares_is_left_as_it_is(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    """`VMRTRAY_DATA_DIR` may name a team's folder: its mode is the user's business; the
    catalog in it is 0600 all the same."""
    sign_in(vmrctl)
    data = Path(vmrctl.env["VMRTRAY_DATA_DIR"])
    data.mkdir()
    data.chmod(0o2775)
    assert vmrctl("recordings", "list").returncode == 0
    assert stat.S_IMODE(data.stat().st_mode) == 0o2775
    assert stat.S_IMODE((data / "catalog.sqlite3").stat().st_mode) == 0o600


@pytest.mark.parametrize("planted", ["a folder", "a link to a folder"])
def test_a_journal_lock_something_took_the_place_of_is_one_sentence(
    vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path, planted: str
) -> None:
    sign_in(vmrctl)
    data = Path(vmrctl.env["VMRTRAY_DATA_DIR"])
    data.mkdir(mode=0o700)
    lock = data / "pending-bookings.lock"
    if planted == "a folder":
        lock.mkdir()
    else:
        (tmp_path / "elsewhere").mkdir()
        lock.symlink_to(tmp_path / "elsewhere")
    for command in (_book(), ["bookings"]):
        done = vmrctl(*command)
        assert done.returncode == Exit.FAILURE, done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith(f"vmrctl: The bookings journal in {data} cannot be used ("), line
        assert line.endswith("); nothing was sent."), line
    assert sim_process.control("stats")["requests"].get("/subscribe/createmeet", 0) == 0


@pytest.mark.parametrize("planted", ["a folder", "a link to a folder"])
def test_a_catalog_lock_something_took_the_place_of_is_one_sentence(
    vmrctl: Vmrctl, tmp_path: Path, planted: str
) -> None:
    data = Path(vmrctl.env["VMRTRAY_DATA_DIR"])
    data.mkdir(mode=0o700)
    lock = data / "catalog.sqlite3.lock"
    if planted == "a folder":
        lock.mkdir()
    else:
        (tmp_path / "elsewhere").mkdir()
        lock.symlink_to(tmp_path / "elsewhere")
    done = vmrctl("recordings", "list")
    assert done.returncode == Exit.FAILURE, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"vmrctl: The recordings catalog {data / 'catalog.sqlite3'} cannot be opened ("), line
