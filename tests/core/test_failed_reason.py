"""A failedReason the service sends oddly (issue 14 review): only spaces is a failure without
words, said so; a number, an object or a list is a failure whose words are its JSON text —
never a room made unavailable by an answer not understood. Against the simulator."""

from __future__ import annotations

import pytest

from vmrtray.api import Client
from vmrtray.core import recording
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.recording import Action
from vmrtray.core.status import fetch_statuses
from vmrtray.sim import Sim

ROOM = "100701"


async def test_a_reason_of_only_spaces_is_said_as_no_reason(sim: Sim, api: Client) -> None:
    sim.state.set_meeting(ROOM, started=True).record_fails = "   \u3000 "
    outcome = await recording.toggle(api, ROOM, Action.START, wait=5)
    assert not outcome.ok
    assert not outcome.unconfirmed
    assert outcome.describe() == f"{ROOM}: could not start recording — the service gave no reason"
    zh = await recording.toggle(api, ROOM, Action.START, wait=5, lang="zh")
    assert zh.describe("zh") == f"{ROOM}：开始录制失败——服务未说明原因"

    coordinator = Coordinator(api, [ROOM])
    snapshot = await coordinator.refresh()
    room = snapshot.room(ROOM)
    assert room is not None
    assert room.failed_reason == "the service gave no reason"


@pytest.mark.parametrize(
    ("sent", "said"), [(500, "500"), ({"code": 7}, '{"code": 7}'), (["disk", "full"], '["disk", "full"]')]
)
async def test_a_reason_that_is_not_text_is_a_failure_not_an_unavailable_room(
    sim: Sim, api: Client, sent: object, said: str
) -> None:
    sim.state.set_meeting(ROOM, started=True)
    coordinator = Coordinator(api, [ROOM])
    await coordinator.refresh()
    sim.state.find_room(ROOM)[1].record_fails = sent  # type: ignore[index]
    outcome = await recording.toggle(api, ROOM, Action.START, wait=5)
    assert (outcome.ok, outcome.reason) == (False, said)

    (status,) = await fetch_statuses(api, [ROOM])
    assert status.error is None
    assert status.live is not None
    assert status.live.failed_reason == said
    snapshot = await coordinator.refresh()
    room = snapshot.room(ROOM)
    assert room is not None
    assert room.available
    assert room.failed_reason == said
