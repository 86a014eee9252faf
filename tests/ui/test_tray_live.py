"""Live streaming in the tray (issue 14, point 5): the room's submenu starts and stops the
stream through core (confirmed by status), says the outcome as an alert, copies the watch
address the service gave while live, and offers nothing once the server has answered that it
has no live endpoints.

The simulator's stream goes live on the simulator's clock, which the test moves: no test
waits out a delay.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication

from tests.support.clock import Clock
from tests.support.waiting import until
from vmrtray.api import Client, Lang
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.notifications import Notifier
from vmrtray.sim import Sim
from vmrtray.sim.state import SimRoom
from vmrtray.ui import asyncutil
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
def room(sim: Sim, started_room: str) -> SimRoom:
    found = sim.state.find_room(started_room)
    assert found is not None
    return found[1]


async def _tray(api: Client, lang: Lang = "en") -> Tray:
    coordinator = Coordinator(api, ROOMS, interval_active=30, interval_idle=30, lang=lang)
    tray = Tray(lang=lang, notifier=Notifier(gap=0, lang=lang))
    tray.attach(coordinator)
    await until(lambda: tray.snapshot is not None and tray.snapshot.rooms[0].started, "first refresh")
    return tray


@pytest_asyncio.fixture
async def tray(sim: Sim, api: Client, room: SimRoom, clock: Clock, qapp: object) -> AsyncIterator[Tray]:
    shown = await _tray(api)
    yield shown
    await _close(shown)


async def _close(tray: Tray) -> None:
    await until(lambda: not asyncutil._running, "the toggles ended")
    tray.hide()
    if tray.coordinator is not None:
        await tray.coordinator.aclose()


def _text(tray: Tray, name: str) -> str:
    action = tray.find_action(name)
    assert action is not None, f"no action {name}"
    return action.text()


def _watch_address(sim: Sim, room: SimRoom) -> str:
    assert room.meeting is not None
    assert room.meeting.live_token
    return f"{sim.url}/live/{room.meeting.live_token}"


def _about_live(tray: Tray) -> list[str]:
    return [a.body for a in tray.alerts if "live" in a.body or "直播" in a.body]


async def test_start_then_stop_live_streaming_from_the_room_menu(
    sim: Sim, room: SimRoom, clock: Clock, tray: Tray
) -> None:
    room.live_delay = 2.0  # the service says live two of its seconds after openLive
    assert tray.find_action(f"live-copy:{ROOM}") is None
    tray.find_action(f"live-toggle:{ROOM}").trigger()  # type: ignore[union-attr]
    await until(lambda: "starting live stream…" in _text(tray, f"room:{ROOM}"), "starting shown")
    toggle = tray.find_action(f"live-toggle:{ROOM}")
    assert toggle is not None
    assert (toggle.text(), toggle.isEnabled()) == ("Starting live stream…", False)

    clock.now += 2.0
    await until(lambda: bool(_about_live(tray)), "the start told")
    url = _watch_address(sim, room)
    assert tray.alerts[-1].title == LABEL
    assert _about_live(tray) == [f"{ROOM}: live streaming started, watch at {url}"]
    assert not tray.alerts[-1].urgent
    assert "LIVE" in _text(tray, f"room:{ROOM}")
    assert _text(tray, f"live-toggle:{ROOM}") == "Stop live stream"
    tray.find_action(f"live-copy:{ROOM}").trigger()  # type: ignore[union-attr]
    assert QGuiApplication.clipboard().text() == url
    assert tray.coordinator is not None
    await until(lambda: not asyncutil._running, "the start ended")
    await tray.coordinator.refresh()  # the polling that sees it live keeps the address, says nothing more
    assert tray.find_action(f"live-copy:{ROOM}") is not None
    assert tray.find_action(f"live:{ROOM}") is not None  # the stream itself, for a player
    assert len(_about_live(tray)) == 1

    tray.find_action(f"live-toggle:{ROOM}").trigger()  # type: ignore[union-attr]
    await until(lambda: len(_about_live(tray)) == 2, "the stop told")
    assert _about_live(tray)[-1] == f"{ROOM}: live streaming stopped"
    assert room.meeting is not None
    assert not room.meeting.live
    assert _text(tray, f"live-toggle:{ROOM}") == "Start live stream"
    assert "LIVE" not in _text(tray, f"room:{ROOM}")
    assert tray.find_action(f"live-copy:{ROOM}") is None
    assert tray.find_action(f"live:{ROOM}") is None


async def test_a_server_without_live_endpoints_loses_the_entries_after_one_try(sim: Sim, tray: Tray) -> None:
    sim.state.live_endpoints = False
    sim.state.set_meeting("100702", started=True, participants=2)
    assert tray.coordinator is not None
    await tray.coordinator.refresh()
    assert tray.find_action("live-toggle:100702") is not None  # offered until the server answers

    tray.find_action(f"live-toggle:{ROOM}").trigger()  # type: ignore[union-attr]
    await until(lambda: bool(_about_live(tray)), "the answer told")
    assert _about_live(tray) == ["This server offers no live streaming (it has no live endpoints)."]
    assert tray.alerts[-1].urgent
    for room in ROOMS:
        assert tray.find_action(f"live-toggle:{room}") is None
        assert tray.find_action(f"live-copy:{room}") is None
    await tray.coordinator.refresh()  # and they stay away
    assert tray.find_action(f"live-toggle:{ROOM}") is None
    assert _text(tray, f"record:{ROOM}") == "Start recording"  # the rest of the menu is there


async def test_a_start_not_confirmed_says_so_plainly_and_can_be_stopped(
    sim: Sim, room: SimRoom, clock: Clock, tray: Tray
) -> None:
    room.live_delay = 3600.0
    assert tray.coordinator is not None
    tray.coordinator.live_wait = 0.0  # asks once
    tray.find_action(f"live-toggle:{ROOM}").trigger()  # type: ignore[union-attr]
    await until(lambda: bool(_about_live(tray)), "the outcome told")
    assert _about_live(tray) == [
        f"{ROOM}: live streaming not confirmed yet — the service has not said it streams after 0 s; it may still start"
    ]
    assert not tray.alerts[-1].urgent
    details = [a.text() for a in tray.find_action(f"room:{ROOM}").menu().actions()]  # type: ignore[union-attr]
    assert "Live stream started: waiting for the service to say it streams" in details
    assert _text(tray, f"live-toggle:{ROOM}") == "Stop live stream"  # a second start would be "already on"
    tray.find_action(f"live-copy:{ROOM}").trigger()  # type: ignore[union-attr]
    assert QGuiApplication.clipboard().text() == _watch_address(sim, room)

    clock.now += 3600.0  # it comes: the polling shows it, the address still there
    await until(lambda: not asyncutil._running, "the start ended")
    await tray.coordinator.refresh()
    assert "LIVE" in _text(tray, f"room:{ROOM}")
    assert tray.find_action(f"live-copy:{ROOM}") is not None


async def test_a_stream_someone_else_started_is_offered_to_stop_without_an_address(sim: Sim, tray: Tray) -> None:
    sim.state.set_meeting(ROOM, live=True)
    assert tray.coordinator is not None
    await tray.coordinator.refresh()
    assert _text(tray, f"live-toggle:{ROOM}") == "Stop live stream"
    assert tray.find_action(f"live-copy:{ROOM}") is None  # only openLive's answer gives the watch address
    assert tray.find_action(f"live:{ROOM}") is not None
    assert tray.find_action("live-toggle:100702") is None  # no meeting there: nothing to stream


async def test_the_start_is_told_in_chinese(
    sim: Sim, api: Client, room: SimRoom, clock: Clock, chinese: None, qapp: object
) -> None:
    shown = await _tray(api, "zh")
    try:
        assert _text(shown, f"live-toggle:{ROOM}") == "开始直播"
        shown.find_action(f"live-toggle:{ROOM}").trigger()  # type: ignore[union-attr]
        await until(lambda: bool(_about_live(shown)), "the start told")
        assert _about_live(shown) == [f"{ROOM}：已开始直播，观看地址 {_watch_address(sim, room)}"]
        assert _text(shown, f"live-toggle:{ROOM}") == "停止直播"
        assert _text(shown, f"live-copy:{ROOM}") == "复制观看地址"
    finally:
        await _close(shown)


class Player(QObject):
    """Stands in for the desktop's rtmp player (QDesktopServices.setUrlHandler)."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def play(self, url: QUrl) -> None:
        self.opened.append(url.toString())


async def test_the_stream_opens_in_the_desktops_player_or_is_copied_when_none_opens_it(
    sim: Sim, tray: Tray, room: SimRoom
) -> None:
    sim.state.set_meeting(ROOM, live=True)
    assert tray.coordinator is not None
    await tray.coordinator.refresh()
    stream = f"rtmp://{sim.state.share_host}/live/{ROOM}"
    player = Player()
    QDesktopServices.setUrlHandler("rtmp", player, "play")
    try:
        tray.find_action(f"live:{ROOM}").trigger()  # type: ignore[union-attr]
    finally:
        QDesktopServices.unsetUrlHandler("rtmp")
    assert player.opened == [stream]
    # the offscreen platform opens nothing (as a desktop without an rtmp player): copied, and said
    tray.find_action(f"live:{ROOM}").trigger()  # type: ignore[union-attr]
    assert QGuiApplication.clipboard().text() == stream
    assert tray.alerts[-1].body == "No program here opens the live stream's address: it was copied instead."


async def test_a_meeting_that_may_not_be_streamed_is_not_offered_again(sim: Sim, tray: Tray, room: SimRoom) -> None:
    room.may_live = False  # the service answers 200005
    tray.find_action(f"live-toggle:{ROOM}").trigger()  # type: ignore[union-attr]
    await until(lambda: bool(_about_live(tray)), "the refusal told")
    assert tray.alerts[-1].urgent
    assert tray.coordinator is not None
    await tray.coordinator.refresh()  # a later look does not offer it again
    entry = tray.find_action(f"live-toggle:{ROOM}")
    assert entry is not None
    assert entry.text() == "Start live stream — this meeting may not be streamed"
    assert not entry.isEnabled()
