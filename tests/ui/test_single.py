"""One vmrtray per user: a second launch tells the first, and a crash's leftover socket
does not lock the user out."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.support.waiting import until
from vmrtray.ui.single import SingleInstance


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    return tmp_path


async def test_a_second_launch_asks_the_first_to_show_itself(qapp: object, runtime: Path) -> None:
    first = SingleInstance(f"vmrtray-test-{os.getpid()}")
    knocks: list[bool] = []
    first.activated.connect(lambda: knocks.append(True))
    assert first.claim()
    assert SingleInstance(first.name).claim() is False
    await until(lambda: knocks == [True], "the first told")
    first.release()
    assert not first.path.exists()
    assert SingleInstance(first.name).claim()  # after a quit the next launch is the first


async def test_a_socket_left_by_a_crash_is_taken_over(qapp: object, runtime: Path) -> None:
    crashed = SingleInstance(f"vmrtray-test-{os.getpid()}")
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(crashed.path))  # bound, never listening, and closed: what a SIGKILL leaves
    dead.close()
    assert crashed.path.exists()
    assert crashed.claim()
    crashed.release()
