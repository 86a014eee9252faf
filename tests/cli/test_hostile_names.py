"""The service's words in vmrctl's tables come out plain: a room name or a failedReason with a
right-to-left override, an escape sequence or a line break cannot move the terminal's cursor,
clear it, reorder what it shows or add a row."""

from __future__ import annotations

import pytest

from tests.support.cli import SimProcess, Vmrctl
from vmrtray.sim import DEMO_PUBLIC_KEY

AUTH = {"VMRTRAY_AUTH": DEMO_PUBLIC_KEY}
ROOM = "100701"  # its meeting is running in the simulator's world
HOSTILE = "研发部\u202e会议室\x1b[2J\n\u2028第二行"
CLEAN = "研发部会议室[2J 第二行"
UNSAFE = "\u202e\x1b\u2028"


def _lines_of_room(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if "研发部" in line or "第二行" in line]


@pytest.mark.parametrize("command", [("status", ROOM), ("rooms",)])
def test_a_hostile_room_name_is_one_plain_cell(vmrctl: Vmrctl, sim_process: SimProcess, command: tuple[str]) -> None:
    sim_process.control("room", {"room": ROOM, "name": HOSTILE})
    done = vmrctl(*command, env=AUTH)
    assert done.returncode == 0, done.stderr
    assert not any(ch in done.stdout for ch in UNSAFE), repr(done.stdout)
    rows = _lines_of_room(done.stdout)
    assert len(rows) == 1, done.stdout  # the newline did not make a second row
    assert CLEAN in rows[0]


def test_a_hostile_failed_reason_in_status_is_plain(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    sim_process.control("room", {"room": ROOM, "record_fails": "录制\u202e失败\x1b]0;pwned\x07\n原因"})
    assert vmrctl("record", "start", ROOM, env=AUTH).returncode == 4
    done = vmrctl("status", ROOM, env=AUTH)
    assert done.returncode == 0, done.stderr
    assert not any(ch in done.stdout for ch in UNSAFE + "\x07"), repr(done.stdout)
    assert "录制失败]0;pwned 原因" in done.stdout
