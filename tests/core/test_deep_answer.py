"""One answer nested deeper than any decoder recurses ({"x":[[[…]]]}, 100,000 levels) is one
failed answer like any other (issue 15, point 1): before, json.loads' RecursionError escaped
the client — vmrctl said "internal error: RecursionError" and the refresh it struck failed with
no words for the room."""

from __future__ import annotations

from vmrtray.api import Client, ServerError
from vmrtray.core.coordinator import Coordinator
from vmrtray.sim import Sim


async def test_a_deeply_nested_answer_marks_the_room_and_the_next_refresh_goes_on(sim: Sim, api: Client) -> None:
    sim.state.set_meeting("100701", started=True, participants=3)
    coordinator = Coordinator(api, ["100701"], interval_active=3600, interval_idle=3600)
    try:
        sim.faults.queue("deep", path="/api/getmeetinginfo")
        struck = await coordinator.refresh()
        assert not struck.ok  # that refresh failed, in one sentence …
        assert isinstance(struck.error, ServerError)
        assert "the answer is nested too deeply to be read" in struck.error.describe("en")
        again = await coordinator.refresh()  # … and the next one goes on
        assert again.ok
        assert again.rooms[0].available
        assert again.rooms[0].participants == 3
    finally:
        await coordinator.aclose()
