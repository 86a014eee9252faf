"""A start the service confirms late (issue 14, step 1): the tray says "starting recording…"
meanwhile, blocks nothing, and tells the end once — started, failed with the service's
reason (in the user's language around it), or confirmed only later by the polling.

The simulator's recorder joins on the simulator's clock, which the test moves: "2 s" is
two seconds of the service's time, no test waits them out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.support.clock import Clock
from tests.support.waiting import until
from vmrtray.api import Client, Lang
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.notifications import Notifier
from vmrtray.sim import Sim
from vmrtray.sim.state import SimRoom
from vmrtray.ui import asyncutil
from vmrtray.ui.icons import TrayState
from vmrtray.ui.tray import Tray

ROOMS = ["100701", "100702"]
ROOM = "100701"
LABEL = "研发部会议室 (100701)"


@pytest.fixture
def clock(sim: Sim) -> Clock:
    moved = Clock()
    sim.state.clock = moved
    return moved


@pytest.fixture
def room(sim: Sim) -> SimRoom:
    found = sim.state.find_room(ROOM)
    assert found is not None
    return found[1]


async def _tray(api: Client, lang: Lang, **timing: float) -> Tray:
    coordinator = Coordinator(api, ROOMS, interval_active=30, interval_idle=30, lang=lang, **timing)  # type: ignore[arg-type]
    tray = Tray(lang=lang, notifier=Notifier(gap=0, lang=lang))
    tray.attach(coordinator)
    await until(lambda: tray.snapshot is not None and tray.snapshot.rooms[0].available, "first refresh")
    return tray


@pytest_asyncio.fixture
async def tray(sim: Sim, api: Client, clock: Clock, qapp: object) -> AsyncIterator[Tray]:
    shown = await _tray(api, "en")
    yield shown
    await _close(shown)


async def _close(tray: Tray) -> None:
    tray.hide()
    if tray.coordinator is not None:
        await tray.coordinator.aclose()


def _text(tray: Tray, name: str) -> str:
    action = tray.find_action(name)
    assert action is not None, f"no action {name}"
    return action.text()


def _about_recording(tray: Tray) -> list[str]:
    return [a.body for a in tray.alerts if a.title == LABEL and ("record" in a.body or "录制" in a.body)]


async def test_a_start_confirmed_after_2_s_shows_starting_then_rec_with_one_alert(
    sim: Sim, clock: Clock, room: SimRoom, tray: Tray
) -> None:
    room.start_delay = 2.0
    tray.find_action(f"record-quick:{ROOM}").trigger()  # type: ignore[union-attr]
    await until(lambda: "starting recording…" in _text(tray, f"room:{ROOM}"), "starting shown")
    assert "1 starting recording…" in tray.icon.toolTip()
    record = tray.find_action(f"record:{ROOM}")
    assert record is not None
    assert (record.text(), record.isEnabled()) == ("Starting recording…", False)
    quick = tray.find_action(f"record-quick:{ROOM}")
    assert quick is not None
    assert not quick.isEnabled()

    # nothing waits for it: the polling and the other rooms go on
    sim.state.set_meeting("100702", started=True, participants=2)
    assert tray.coordinator is not None
    tray.coordinator.request_refresh()
    await until(lambda: "in use" in _text(tray, "room:100702"), "the other room follows")
    assert "starting recording…" in _text(tray, f"room:{ROOM}")
    assert _about_recording(tray) == []

    clock.now += 2.0  # the recorder has joined
    await until(lambda: "REC" in _text(tray, f"room:{ROOM}"), "recording shown")
    assert tray.state == TrayState.RECORDING
    assert "starting" not in _text(tray, f"room:{ROOM}")
    assert _text(tray, f"record:{ROOM}") == "Stop recording"
    await until(lambda: not asyncutil._running, "the toggle ended")
    for _ in range(2):  # the refreshes that see it recording say nothing more
        await tray.coordinator.refresh()
    assert _about_recording(tray) == [f"{LABEL}: recording started (by this app)"]


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_start_that_fails_after_3_s_says_the_services_reason_once(
    sim: Sim, api: Client, clock: Clock, room: SimRoom, lang: Lang, request: pytest.FixtureRequest
) -> None:
    if lang == "zh":
        request.getfixturevalue("chinese")
    room.start_delay, room.record_fails = 3.0, "录制服务器\u202e繁忙\n\x07"  # the service's words, not clean
    tray = await _tray(api, lang)
    try:
        tray.find_action(f"record:{ROOM}").trigger()  # type: ignore[union-attr]
        starting = "starting recording…" if lang == "en" else "正在开始录制…"
        await until(lambda: starting in _text(tray, f"room:{ROOM}"), "starting shown")
        clock.now += 3.0  # the recorder gives up
        await until(lambda: bool(_about_recording(tray)), "the failure told")
        await until(lambda: not asyncutil._running, "the toggle ended")
        assert tray.coordinator is not None
        await tray.coordinator.refresh()  # the refresh that sees the failure says nothing more
        said = {
            "en": f"Recording did not start in {LABEL}: 录制服务器繁忙",
            "zh": f"{LABEL} 未能开始录制：录制服务器繁忙",
        }
        assert _about_recording(tray) == [said[lang]]
        assert tray.alerts[-1].urgent
        assert starting not in _text(tray, f"room:{ROOM}")
        details = [a.text() for a in tray.find_action(f"room:{ROOM}").menu().actions()]  # type: ignore[union-attr]
        assert ("Recording failed: 录制服务器繁忙" if lang == "en" else "录制失败：录制服务器繁忙") in details
    finally:
        await _close(tray)


async def test_a_start_not_confirmed_within_the_wait_is_told_when_the_polling_sees_it(
    sim: Sim, api: Client, clock: Clock, room: SimRoom, qapp: object
) -> None:
    room.start_delay = 120.0
    tray = await _tray(api, "en", start_wait=0.0)  # the toggle asks once, then leaves it to the polling
    try:
        tray.find_action(f"record:{ROOM}").trigger()  # type: ignore[union-attr]
        await until(lambda: sim.stats.requests["/meeting/getLiveRecStatus"] > 0, "the start asked about")
        await until(lambda: not asyncutil._running, "the toggle ended: not confirmed")
        assert tray.coordinator is not None
        await tray.coordinator.refresh()
        assert "starting recording…" in _text(tray, f"room:{ROOM}")
        assert _about_recording(tray) == []  # neither "failed" nor "not confirmed" for a recorder still joining

        clock.now += 120.0  # the recorder joins long after the wait
        await tray.coordinator.refresh()
        assert "REC" in _text(tray, f"room:{ROOM}")
        await tray.coordinator.refresh()
        assert _about_recording(tray) == [f"{LABEL}: recording started (by this app)"]
    finally:
        await _close(tray)
