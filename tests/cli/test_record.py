"""`vmrctl record start` when the service will not record: it refuses the room (200004), or
it accepts and then fails to start. Both are told with the reason and exit 4. `vmrctl record
stop` writes the stop down as the tray does, for a watch on this machine to take up."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.support.cli import SimProcess, Vmrctl
from vmrtray.api import Client
from vmrtray.core.catalog import Catalog
from vmrtray.core.making import FIRST_CHECK, FilesWatch, Ready
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


def test_a_recorder_that_joins_after_two_seconds_is_a_started_recording(
    vmrctl: Vmrctl, sim_process: SimProcess
) -> None:
    """`record: false` with the new recordId right after openRecord means starting, not failed."""
    sim_process.control("room", {"room": ROOM, "start_delay": 2})
    done = vmrctl("record", "start", ROOM, env=AUTH)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Recording started in {ROOM} (record id ")
    assert next(r for r in sim_process.control("info")["rooms"] if r["sipkey"] == ROOM)["recording"]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "Recording did not start in 100701: 录制服务器繁忙"),
        ("zh", "会议室 100701 录制未能开始：录制服务器繁忙"),
    ],
)
def test_a_recorder_that_fails_after_three_seconds_is_told_with_its_reason(
    vmrctl: Vmrctl, sim_process: SimProcess, lang: str, words: str
) -> None:
    sim_process.control("room", {"room": ROOM, "start_delay": 3, "record_fails": "录制服务器繁忙"})
    done = vmrctl("record", "start", ROOM, env={**AUTH, "VMRTRAY_LANG": lang})
    assert done.returncode == 4
    assert done.stderr.strip() == words


def test_a_start_never_confirmed_within_the_wait_is_exit_5_in_one_sentence(
    vmrctl: Vmrctl, sim_process: SimProcess
) -> None:
    sim_process.control("room", {"room": ROOM, "start_delay": 3600})
    done = vmrctl("record", "start", ROOM, "--wait", "1", "--json", env=AUTH)
    assert done.returncode == 5
    record_id = json.loads(done.stdout)["recordId"]
    assert done.stderr.strip() == (
        f"Recording not confirmed in {ROOM} (record id {record_id}): the service has not said it records after 1 s;"
        " it may still start."
    )


def test_a_status_question_slower_than_the_wait_ends_the_start_at_the_wait(
    vmrctl: Vmrctl, sim_process: SimProcess
) -> None:
    """Each confirming question is bounded by the time left of `--wait`: a service that holds
    getLiveRecStatus for 30 s does not hold `record start --wait 1` until the request's own
    timeout (20 s): exit 5, "not confirmed", as for a recorder that has not joined."""
    sim_process.control("faults", {"kind": "slow:30000", "count": 50, "path": "/meeting/getLiveRecStatus"})
    began = time.monotonic()
    done = vmrctl("record", "start", ROOM, "--wait", "1", "--timeout", "20", env=AUTH)
    took = time.monotonic() - began
    assert done.returncode == 5, done.stderr
    assert "the service has not said it records after 1 s" in done.stderr
    assert took < 1 + 20  # well within the wait and the request's timeout, not after it


def test_a_stopped_recordings_files_are_waited_for_when_asked(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    """Issue 14: right after a stop the service lists nothing while it makes the files; `--wait`
    asks again until they are listed (here 8 s after the stop); without it, "not listed yet" (exit 4)."""
    sim_process.control("service", {"files_delay": 8})
    started = json.loads(vmrctl("record", "start", ROOM, "--json", env=AUTH).stdout)
    assert vmrctl("record", "stop", ROOM, env=AUTH).returncode == 0
    at_once = vmrctl("recordings", "show", started["recordId"], env=AUTH)
    assert at_once.returncode == 4, at_once.stderr
    assert "no files listed yet (still being made, or deleted)" in at_once.stderr
    waited = vmrctl("recordings", "show", started["recordId"], "--wait", "30", "--json", env=AUTH)
    assert waited.returncode == 0, waited.stderr
    assert [f["recordId"] for f in json.loads(waited.stdout)] == [started["recordId"]]


async def test_a_stop_is_written_down_so_a_watch_on_this_machine_takes_it_up(
    vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path
) -> None:
    """`vmrctl record stop` goes the tray's way: the catalog says the recording stopped and
    when to ask for its files, so the tray or `vmrctl watch` on this machine asks for them on
    that schedule and tells the recording ready — without having seen the stop itself (the
    code before wrote down only the recordId: nothing asked for it)."""
    started = vmrctl("record", "start", ROOM, "--json", env=AUTH)
    assert started.returncode == 0, started.stderr
    record_id = json.loads(started.stdout)["recordId"]
    stopped = vmrctl("record", "stop", ROOM, env=AUTH)
    assert stopped.returncode == 0, stopped.stderr
    catalog = Catalog(tmp_path / "data" / "catalog.sqlite3")
    try:
        assert [made[0] for made in catalog.being_made()] == [record_id]
        async with Client(sim_process.url, DEMO_PUBLIC_KEY, timeout=5.0) as api:
            watch = FilesWatch(api, catalog, clock=lambda: time.time() + FIRST_CHECK)  # its first check is due
            (ready,) = await watch.check()
        assert isinstance(ready, Ready)
        assert (ready.record_id, ready.room) == (record_id, ROOM)
        assert catalog.being_made() == []
    finally:
        catalog.close()
