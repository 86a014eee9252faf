"""The real tray, offscreen, against the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from PySide6.QtGui import QGuiApplication

from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.directory import RoomDirectory
from vmrtray.core.notifications import Notifier
from vmrtray.sim import DEMO_ACCOUNT, Sim
from vmrtray.ui.icons import TrayState
from vmrtray.ui.tray import Tray

ROOMS = ["100701", "100702", "100706"]


@pytest_asyncio.fixture
async def tray(sim: Sim, api: Client, qapp: object) -> AsyncIterator[Tray]:
    coordinator = Coordinator(api, ROOMS, interval_active=30, interval_idle=30)
    directory = RoomDirectory(api, DEMO_ACCOUNT)
    await directory.rooms()
    tray = Tray(notifier=Notifier(gap=0))
    tray.attach(coordinator, directory=directory)
    await until(lambda: tray.snapshot is not None and tray.snapshot.rooms[0].available, "first refresh")
    yield tray
    tray.hide()
    await coordinator.aclose()


def _text(tray: Tray, name: str) -> str:
    action = tray.find_action(name)
    assert action is not None, f"no action {name}"
    return action.text()


async def test_the_menu_follows_the_sim(sim: Sim, tray: Tray) -> None:
    assert "in use" in _text(tray, "room:100701")
    assert "3 people" in _text(tray, "room:100701")
    assert "idle" in _text(tray, "room:100702")
    assert tray.state == TrayState.IN_USE
    assert "1 of 3 rooms in use" in tray.icon.toolTip()

    sim.state.set_meeting("100701", started=False)
    sim.state.set_meeting("100702", started=True, participants=4, live=True)
    assert tray.coordinator is not None
    tray.coordinator.request_refresh()
    await until(lambda: "idle" in _text(tray, "room:100701"), "room 100701 idle")
    assert "LIVE" in _text(tray, "room:100702")
    assert tray.find_action("live:100702") is not None
    assert tray.state == TrayState.LIVE


async def test_a_record_toggle_reaches_the_sim_and_changes_the_icon(sim: Sim, tray: Tray) -> None:
    quick = tray.find_action("record-quick:100701")
    assert quick is not None
    assert quick.isEnabled()
    quick.trigger()
    room = sim.state.find_room("100701")[1]  # type: ignore[index]
    await until(lambda: room.meeting is not None and room.meeting.recording is not None, "recording in the sim")
    await until(lambda: tray.state == TrayState.RECORDING, "red icon")
    assert "REC" in _text(tray, "room:100701")
    assert any("recording started" in a.body for a in tray.alerts)

    stop = tray.find_action("record:100701")
    assert stop is not None
    assert stop.text() == "Stop recording"
    stop.trigger()
    await until(lambda: room.meeting is not None and room.meeting.recording is None, "stopped in the sim")
    await until(lambda: tray.state == TrayState.IN_USE, "icon back")


async def test_a_recording_that_fails_is_reported_with_its_reason(sim: Sim, tray: Tray) -> None:
    sim.state.find_room("100701")[1].record_fails = "云存储空间不足"  # type: ignore[index]
    tray.find_action("record:100701").trigger()  # type: ignore[union-attr]
    await until(lambda: any("云存储空间不足" in a.body for a in tray.alerts), "failure reported")
    failure = next(a for a in tray.alerts if "云存储空间不足" in a.body)
    assert failure.urgent


async def test_record_is_disabled_with_the_reason(sim: Sim, tray: Tray) -> None:
    idle = tray.find_action("record:100702")
    assert idle is not None
    assert not idle.isEnabled()
    assert "has not started" in idle.text()
    assert tray.find_action("record-quick:100702") is None

    sim.state.set_meeting("100706", started=True)
    tray.find_action("record:100706")  # the room may not record: the service says so on trying
    assert tray.coordinator is not None
    await tray.coordinator.start_recording("100706")
    await until(lambda: "may not be recorded" in _text(tray, "record:100706"), "reason shown")
    assert not tray.find_action("record:100706").isEnabled()  # type: ignore[union-attr]


async def test_alerts_fire_once_per_change(sim: Sim, tray: Tray) -> None:
    assert tray.coordinator is not None
    before = len(tray.alerts)
    sim.state.set_meeting("100702", started=True)
    tray.coordinator.request_refresh()
    await until(lambda: len(tray.alerts) > before, "an alert")
    for _ in range(3):
        await tray.coordinator.refresh()
    started = [a for a in tray.alerts[before:] if "a meeting started" in a.body]
    assert len(started) == 1
    assert any("a meeting started" in line.text() for line in tray.find_action("recent").menu().actions())  # type: ignore[union-attr]


async def test_unreachable_then_back(sim: Sim, tray: Tray) -> None:
    assert tray.coordinator is not None
    sim.faults.rate, sim.faults.kinds = 1.0, ("502",)
    tray.coordinator.request_refresh()
    await until(lambda: tray.state == TrayState.UNREACHABLE, "warning icon")
    assert "service unreachable" in tray.icon.toolTip()
    assert "in use" in _text(tray, "room:100701")  # the last good data stays
    sim.faults.rate = 0.0
    tray.coordinator.request_refresh()
    await until(lambda: tray.state == TrayState.IN_USE, "back")


async def test_a_rejected_key_turns_the_tray_to_signed_out(sim: Sim, qapp: object) -> None:
    async with Client(sim.url, "wrong-key") as wrong:
        coordinator = Coordinator(wrong, ROOMS, interval_active=30, interval_idle=30)
        tray = Tray()
        tray.attach(coordinator)
        try:
            await until(lambda: tray.state == TrayState.SIGNED_OUT and tray.snapshot is not None, "signed out")
            await until(lambda: tray.snapshot is not None and tray.snapshot.signed_out, "signed out")
            assert tray.find_action("sign-in") is not None
            assert "rejected" in tray.icon.toolTip()
        finally:
            tray.hide()
            await coordinator.aclose()


async def test_the_invitation_keeps_the_host_password_unless_asked(tray: Tray) -> None:
    tray.find_action("invite:100701").trigger()  # type: ignore[union-attr]
    guest = QGuiApplication.clipboard().text()
    assert "100701" in guest
    assert "654321" in guest
    assert "123456" not in guest
    tray.find_action("invite-host:100701").trigger()  # type: ignore[union-attr]
    assert "Host password: 123456" in QGuiApplication.clipboard().text()


async def test_pause_and_refresh_from_the_menu(sim: Sim, tray: Tray) -> None:
    tray.find_action("pause").trigger()  # type: ignore[union-attr]
    await until(lambda: tray.snapshot is not None and tray.snapshot.paused, "paused")
    assert "updates paused" in tray.icon.toolTip()
    tray.find_action("pause").trigger()  # type: ignore[union-attr]
    sim.state.set_meeting("100702", started=True)
    tray.find_action("refresh").trigger()  # type: ignore[union-attr]
    await until(lambda: "in use" in _text(tray, "room:100702"), "refreshed")


async def test_without_a_tray_the_window_shows_the_same_state(tray: Tray) -> None:
    tray.show()  # offscreen has no system tray
    assert tray.window is not None
    assert tray.window.isVisible()
    assert "1 of 3 rooms in use" in tray.window.summary.text()
    assert "研发部会议室" in tray.window.rooms.text()


async def test_signed_out_without_credentials_offers_sign_in_and_demo(qapp: object) -> None:
    tray = Tray()
    tray.attach(None, has_credentials=False)
    assert tray.state == TrayState.SIGNED_OUT
    assert tray.find_action("sign-in") is not None
    assert tray.find_action("demo") is not None
    assert tray.find_action("refresh") is None
    tray.hide()


async def test_the_demo_tray_says_demo(sim: Sim, api: Client, qapp: object) -> None:
    tray = Tray(demo=True)
    tray.attach(None, has_credentials=False)
    assert tray.icon.toolTip().startswith("DEMO")
    assert tray.find_action("demo") is None
    tray.hide()
