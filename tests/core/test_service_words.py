"""The service's words that faces show — a room's name, a failedReason — enter core plain
(core.untrusted): no bidi override, escape or line break reaches a label, an alert or a file's
Recordings entry, whichever face asks."""

from __future__ import annotations

from vmrtray.api import Client
from vmrtray.core.recordings import room_name_of
from vmrtray.core.status import fetch_statuses
from vmrtray.sim import Sim

ROOM = "100701"  # its meeting is running in the simulator's world
HOSTILE = "研发部\u202e会议室\x1b[2J\n\u2028第二行"
CLEAN = "研发部会议室[2J 第二行"


async def test_a_room_name_and_a_failed_reason_are_plain_in_the_status(sim: Sim, api: Client) -> None:
    room = sim.state.find_room(ROOM)[1]  # type: ignore[index]
    room.name, room.record_fails = HOSTILE, "录制\u202e失败\x1b]0;x\x07\n原因"
    await api.open_record(ROOM)
    [status] = await fetch_statuses(api, [ROOM])
    assert status.info is not None
    assert status.live is not None
    assert status.info.name == CLEAN
    assert status.live.failed_reason == "录制失败]0;x 原因"
    assert status.to_api()["name"] == CLEAN


async def test_the_room_name_a_recording_is_filed_under_is_plain(sim: Sim, api: Client) -> None:
    sim.state.find_room(ROOM)[1].name = HOSTILE  # type: ignore[index]
    assert await room_name_of(api, ROOM) == CLEAN
