"""What the tray says of a record toggle the user clicked: once, urgent when the recording did
not start, whatever the notification settings say (they filter what happens by itself, not
the answer to the user's own click), and never the service's raw words in a label.
"""

from __future__ import annotations

from collections.abc import Mapping

from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.notifications import Alert, Notifier
from vmrtray.sim import Sim
from vmrtray.sim.state import SimRoom
from vmrtray.ui import asyncutil
from vmrtray.ui.tray import Tray

ROOMS = ["100701", "100702"]
ROOM = "100701"
LABEL = "研发部会议室 (100701)"
#: A room name as a hostile or broken service could send it: a right-to-left override, an
#: escape sequence that clears a terminal, a newline and a line separator.
HOSTILE = "研发部\u202e会议室\x1b[2J\n\u2028第二行"
CLEAN = "研发部会议室[2J 第二行"


async def _tray(api: Client, enabled: Mapping[str, bool] | None = None, **timing: float) -> Tray:
    coordinator = Coordinator(api, ROOMS, interval_active=30, interval_idle=30, **timing)  # type: ignore[arg-type]
    tray = Tray(notifier=Notifier(enabled=enabled or {}, gap=0))
    tray.attach(coordinator)
    await until(lambda: tray.snapshot is not None and tray.snapshot.rooms[0].available, "first refresh")
    return tray


async def _close(tray: Tray) -> None:
    tray.hide()
    if tray.coordinator is not None:
        await tray.coordinator.aclose()


def _room(sim: Sim) -> SimRoom:
    found = sim.state.find_room(ROOM)
    assert found is not None
    return found[1]


def _text(tray: Tray, name: str) -> str:
    action = tray.find_action(name)
    assert action is not None, f"no action {name}"
    return action.text()


def _saying(tray: Tray, words: str) -> list[Alert]:
    return [a for a in tray.alerts if words in a.body]


async def _click_and_settle(tray: Tray, name: str) -> None:
    """Click `name`, wait for the toggle to end, then let two refreshes see what it did."""
    tray.find_action(name).trigger()  # type: ignore[union-attr]
    await until(lambda: bool(asyncutil._running), "the toggle began")
    await until(lambda: not asyncutil._running, "the toggle ended")
    assert tray.coordinator is not None
    for _ in range(2):
        await tray.coordinator.refresh()


async def test_a_stop_from_the_tray_is_said_once(sim: Sim, api: Client, qapp: object) -> None:
    tray = await _tray(api)
    try:
        await _click_and_settle(tray, f"record:{ROOM}")
        assert "REC" in _text(tray, f"room:{ROOM}")
        await _click_and_settle(tray, f"record:{ROOM}")
        assert "REC" not in _text(tray, f"room:{ROOM}")
        assert [(a.title, a.body) for a in _saying(tray, "recording stopped")] == [
            (LABEL, f"{LABEL}: recording stopped (by this app)")
        ]
    finally:
        await _close(tray)


async def test_a_start_never_confirmed_is_urgent(sim: Sim, api: Client, qapp: object) -> None:
    _room(sim).start_delay = 3600.0  # the recorder never joins while the test runs
    tray = await _tray(api, start_wait=0.0, give_up_after=0.0)
    try:
        await _click_and_settle(tray, f"record:{ROOM}")
        said = _saying(tray, "not confirmed")
        assert [a.body for a in said] == [
            f"{LABEL}: recording not confirmed — the service never said it records; no longer waiting"
        ]
        assert said[0].urgent
    finally:
        await _close(tray)


async def test_the_answer_to_a_click_is_said_with_recording_notifications_off(
    sim: Sim, api: Client, qapp: object
) -> None:
    tray = await _tray(api, enabled={"recording": False})
    try:
        await _click_and_settle(tray, f"record:{ROOM}")  # started: told as core's event
        await _click_and_settle(tray, f"record:{ROOM}")  # stopped
        assert [a.body for a in tray.alerts] == [
            f"{LABEL}: recording started (by this app)",
            f"{LABEL}: recording stopped (by this app)",
        ]

        _room(sim).record_fails = "云存储空间不足"  # a start that fails is told too, urgent
        await _click_and_settle(tray, f"record:{ROOM}")
        assert [(a.body, a.urgent) for a in tray.alerts[2:]] == [
            (f"Recording did not start in {LABEL}: 云存储空间不足", True)
        ]

        # what happens by itself still follows the setting: someone else records and stops
        _room(sim).record_fails = None
        await api.open_record("100701")
        assert tray.coordinator is not None
        await tray.coordinator.refresh()
        assert "REC" in _text(tray, f"room:{ROOM}")
        await api.close_record("100701")
        await tray.coordinator.refresh()
        assert "REC" not in _text(tray, f"room:{ROOM}")
        assert len(tray.alerts) == 3
    finally:
        await _close(tray)


async def test_a_hostile_room_name_comes_out_clean_in_the_menu_and_the_alerts(
    sim: Sim, api: Client, qapp: object
) -> None:
    _room(sim).name = HOSTILE
    tray = await _tray(api)
    try:
        title = _text(tray, f"room:{ROOM}")
        assert title.startswith(f"{CLEAN} ({ROOM}) — ")
        assert _text(tray, f"record-quick:{ROOM}").endswith(f"({CLEAN})")
        await _click_and_settle(tray, f"record:{ROOM}")
        assert [(a.title, a.body) for a in tray.alerts] == [
            (f"{CLEAN} ({ROOM})", f"{CLEAN} ({ROOM}): recording started (by this app)")
        ]
        shown = [title, _text(tray, f"room:{ROOM}"), tray.icon.toolTip(), *(a.title + a.body for a in tray.alerts)]
        for text in shown:
            assert not any(ch in text for ch in "\u202e\x1b\n\u2028"), repr(text)
    finally:
        await _close(tray)
