"""The service's words in vmrctl's tables and file names come out plain: a room name or a
failedReason with a right-to-left override, an escape sequence or a line break cannot move the
terminal's cursor, clear it, retitle it, reorder what it shows or add a row; a record id typed
with such characters is refused, shown escaped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import SimProcess, Vmrctl
from vmrtray.sim import DEMO_PUBLIC_KEY

AUTH = {"VMRTRAY_AUTH": DEMO_PUBLIC_KEY}
ROOM = "100701"  # its meeting is running in the simulator's world
HOSTILE = "研发部\u202e会议室\x1b[2J\x1b]0;PWN\x07\n\u2028第二行"
CLEAN = "研发部会议室[2J]0;PWN 第二行"
UNSAFE = "\u202e\x1b\x07\u2028"


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


def test_a_hostile_room_name_gives_a_clean_file_name(vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path) -> None:
    """The name a download is filed under, on disk and in the line that names it: pathvalidate
    alone kept the bidi override (a name that reads reversed in a file manager)."""
    sim_process.control("room", {"room": ROOM, "name": HOSTILE})
    started = vmrctl("record", "start", ROOM, "--json", env=AUTH)
    assert started.returncode == 0, started.stderr
    record_id = json.loads(started.stdout)["recordId"]
    assert vmrctl("record", "stop", ROOM, env=AUTH).returncode == 0
    out = tmp_path / "out"
    done = vmrctl("recordings", "download", record_id, "-o", str(out), env=AUTH)
    assert done.returncode == 0, done.stderr
    (saved,) = out.iterdir()
    assert saved.name.isprintable(), repr(saved.name)
    assert saved.name.startswith("研发部会议室[2J]0;PWN 第二行_100701_"), saved.name
    assert not any(ch in done.stdout + done.stderr for ch in UNSAFE), repr(done.stdout + done.stderr)
    assert done.stdout.startswith(f"{saved}  sha256 ")


@pytest.mark.parametrize("action", ["show", "download", "delete"])
def test_a_record_id_with_control_characters_is_refused_escaped(vmrctl: Vmrctl, action: str) -> None:
    done = vmrctl("recordings", action, "ab\x1b]0;PWN\x07c\u202e", env=AUTH)
    assert done.returncode == 2, done.stderr
    assert not any(ch in done.stderr for ch in UNSAFE), repr(done.stderr)
    assert done.stderr.strip() == "vmrctl: 'ab\\x1b]0;PWN\\x07c\\u202e' is not a record id"
