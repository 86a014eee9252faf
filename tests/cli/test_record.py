"""`vmrctl record start` when the service will not record: it refuses the room (200004), or
it accepts and then fails to start. Both are told with the reason and exit 4."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import SimProcess, Vmrctl
from vmrtray.sim import DEMO_PUBLIC_KEY

AUTH = {"VMRTRAY_AUTH": DEMO_PUBLIC_KEY}
ROOM = "100701"  # its meeting is running in the simulator's world


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "(200004): this meeting may not be recorded"), ("zh", "（200004）：该会议不允许录制")]
)
def test_a_room_that_may_not_be_recorded_is_refused(
    vmrctl: Vmrctl, sim_process: SimProcess, lang: str, words: str
) -> None:
    sim_process.control("room", {"room": ROOM, "may_record": False})
    done = vmrctl("record", "start", ROOM, env={**AUTH, "VMRTRAY_LANG": lang})
    assert done.returncode == 4
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""
    assert not next(r for r in sim_process.control("info")["rooms"] if r["sipkey"] == ROOM)["recording"]


def test_a_recording_the_service_fails_to_start_is_told_with_its_reason(
    vmrctl: Vmrctl, sim_process: SimProcess
) -> None:
    sim_process.control("room", {"room": ROOM, "record_fails": "云端存储空间不足"})
    done = vmrctl("record", "start", ROOM, env=AUTH)
    assert done.returncode == 4
    assert done.stderr.strip() == f"Recording did not start in {ROOM}: 云端存储空间不足"
    assert done.stdout == ""


def test_a_failed_start_still_gives_its_record_id_and_remembers_it(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    sim_process.control("room", {"room": ROOM, "record_fails": "云端存储空间不足"})
    done = vmrctl("record", "start", ROOM, "--json", env=AUTH)
    assert done.returncode == 4
    data = json.loads(done.stdout)
    assert data["conferenceKey"] == ROOM
    assert data["record"] is False
    assert data["recordId"]
    listed = json.loads(vmrctl("recordings", "list", "--json", env=AUTH).stdout)
    assert [(r["recordId"], r["conferenceKey"], r["source"]) for r in listed] == [(data["recordId"], ROOM, "opened")]
