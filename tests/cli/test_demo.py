"""`vmrctl --demo`: a command against a throwaway simulated service, as a user runs it (a real
process). What the user sees, and that nothing is kept: no settings, no data, no key, and
no temporary folder left behind."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.support.cli import ROOT, Vmrctl
from vmrtray.core.demo import start_demo

#: The demo world's rooms (`sim.world.DemoWorld`): the first has a meeting running, the last is a lecture hall.
DEMO_ROOMS = ("100701", "100702", "100703", "100704", "100705", "100706")


@pytest.fixture
def user(tmp_path: Path) -> dict[str, Path]:
    """This user's folders: config, data, the keyring's file, and the temporary folder (TMPDIR)."""
    folders = {name: tmp_path / name for name in ("config", "data", "tmp")}
    for folder in folders.values():
        folder.mkdir()
    return {**folders, "keyring": tmp_path / "test-keyring.json"}


@pytest.fixture
def vmrctl(user: dict[str, Path], tmp_path: Path) -> Vmrctl:
    """vmrctl with nothing configured (no server, no account, no key): a demo needs none."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VMRTRAY_")}
    env.update(
        VMRTRAY_CONFIG_DIR=str(user["config"]),
        VMRTRAY_DATA_DIR=str(user["data"]),
        VMRTRAY_TEST_KEYRING=str(user["keyring"]),
        PYTHON_KEYRING_BACKEND="tests.support.keyrings.FileKeyring",
        TMPDIR=str(user["tmp"]),
        PYTHONPATH=str(ROOT),
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
    )
    return Vmrctl(env, tmp_path)


def _nothing_kept(user: dict[str, Path]) -> None:
    for name in ("config", "data", "tmp"):
        assert list(user[name].iterdir()) == [], f"the demo left something in {name}"
    assert not user["keyring"].exists()


def test_demo_status_shows_the_demo_rooms(vmrctl: Vmrctl, user: dict[str, Path]) -> None:
    done = vmrctl("--demo", "status")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines[2:]] == list(DEMO_ROOMS)  # the favourites: every room
    assert lines[2].split()[2:4] == ["in", "use"]
    assert all("idle" in line for line in lines[3:])
    assert done.stderr == ""
    _nothing_kept(user)


def test_demo_rooms_lists_what_may_be_booked(vmrctl: Vmrctl, user: dict[str, Path]) -> None:
    done = vmrctl("--demo", "rooms")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].split() == ["PID", "ROOM", "NAME", "KIND", "CAPACITY"]
    rows = [line.split() for line in done.stdout.splitlines()[2:]]
    assert [row[1] for row in rows] == list(DEMO_ROOMS)
    assert rows[0][2] == "研发部会议室"
    assert rows[-1][3:5] == ["lecture", "hall"]
    _nothing_kept(user)


def test_demo_record_start_in_the_running_meeting(vmrctl: Vmrctl, user: dict[str, Path]) -> None:
    done = vmrctl("--demo", "record", "start", "100701")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Recording started in 100701 (record id ")
    _nothing_kept(user)


def test_demo_record_start_in_an_idle_room_is_refused(vmrctl: Vmrctl, user: dict[str, Path]) -> None:
    done = vmrctl("--demo", "record", "start", "100702")
    assert done.returncode == 4
    assert "has not started" in done.stderr
    _nothing_kept(user)


@pytest.fixture
def past_recordings(dirs: dict[str, Path]) -> list[tuple[str, str]]:
    """The recordings the demo world holds from before it began, (record id, room): a still
    demo is the same world each time, so every `vmrctl --demo` holds these."""

    async def ask() -> list[tuple[str, str]]:
        demo = await start_demo(lively=False)
        await demo.stop()
        return demo.recordings

    return asyncio.run(ask())


def test_demo_recordings_show_a_past_recording(
    vmrctl: Vmrctl, user: dict[str, Path], past_recordings: list[tuple[str, str]]
) -> None:
    record_id, room = past_recordings[0]
    done = vmrctl("--demo", "recordings", "show", record_id)
    assert done.returncode == 0, done.stderr
    row = done.stdout.splitlines()[2].split()
    assert row[:2] == ["1", room]
    assert row[-2:] == ["91.6", "MiB"]  # 96,000,000 bytes, in IEC units
    _nothing_kept(user)


def test_demo_download_goes_to_the_demos_folder_and_goes_with_it(
    vmrctl: Vmrctl, user: dict[str, Path], past_recordings: list[tuple[str, str]]
) -> None:
    record_id, room = next(found for found in past_recordings if found[1] == "100701")
    done = vmrctl("--demo", "recordings", "download", record_id)
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.split()[0])
    assert path.is_relative_to(user["tmp"])
    assert f"_{room}_" in path.name
    _nothing_kept(user)  # the file went with the demo's folder


@pytest.mark.parametrize("command", ["login", "logout"])
def test_demo_refuses_to_sign_in_or_out(vmrctl: Vmrctl, user: dict[str, Path], command: str) -> None:
    done = vmrctl("--demo", command)
    assert done.returncode == 2
    assert done.stderr.strip() == "vmrctl: --demo needs no login"
    _nothing_kept(user)
