"""No exception of any kind in one refresh ends the polling or leaves a room unmarked (issue 15,
point 1). The simulator cannot make our client raise something that is not one of its errors
(if it could, that would be a bug to fix there), so here, and only here, one room's question is
made to raise a KeyError in place of an answer."""

from __future__ import annotations

import logging

import pytest

from vmrtray.api import Client, MeetingInfo
from vmrtray.core import status
from vmrtray.core.coordinator import Coordinator
from vmrtray.sim import Sim


async def test_an_unexpected_exception_marks_its_room_the_others_go_on_and_so_does_the_next_refresh(
    sim: Sim, api: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    sim.state.set_meeting("100701", started=True, participants=3)
    sim.state.set_meeting("100702", started=False)
    real = api.get_meeting_info
    broken = {"100701"}

    async def sometimes_broken(addr: str) -> MeetingInfo:
        if addr in broken:
            raise KeyError("a bug")
        return await real(addr)

    monkeypatch.setattr(api, "get_meeting_info", sometimes_broken)
    monkeypatch.setattr(status, "_logged", set())  # what earlier tests logged does not count
    coordinator = Coordinator(api, ["100701", "100702"], interval_active=3600, interval_idle=3600)
    try:
        with caplog.at_level(logging.WARNING):
            struck = await coordinator.refresh()
            await coordinator.refresh()
        marked, other = struck.rooms
        assert not marked.available
        assert marked.error is not None
        words = marked.error.describe("en")
        assert "could not be read" in words
        assert "Traceback" not in words
        assert other.available  # the other room was asked and shown
        assert caplog.text.count("Traceback") == 1  # logged once, not at every refresh
        broken.clear()
        healed = await coordinator.refresh()
        assert healed.ok
        assert healed.rooms[0].available
        assert healed.rooms[0].participants == 3
    finally:
        await coordinator.aclose()
