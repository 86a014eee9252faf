"""Alerts: switchable per kind, quiet after a wake, a flapping room coalesced into one."""

from __future__ import annotations

from vmrtray.core.events import Event, Kind
from vmrtray.core.notifications import Notifier


def _event(kind: Kind, room: str = "100701", quiet: bool = False) -> Event:
    return Event(kind, room, f"研发部会议室 ({room})", quiet=quiet)


def test_each_change_is_alerted_once() -> None:
    notifier = Notifier()
    alerts = notifier.push([_event(Kind.MEETING_STARTED), _event(Kind.LIVE_ON, "100702")], now=0)
    assert [a.body for a in alerts] == [
        "研发部会议室 (100701): a meeting started",
        "研发部会议室 (100702): live streaming is on",
    ]
    assert notifier.push([], now=1) == []


def test_switched_off_groups_and_quiet_events_are_not_alerted() -> None:
    notifier = Notifier(enabled={"participants": False})
    assert notifier.push([_event(Kind.PARTICIPANTS_CHANGED), _event(Kind.MEETING_ENDED, quiet=True)], now=0) == []


def test_a_flapping_room_gives_one_alert_per_gap_with_its_last_state() -> None:
    notifier = Notifier(gap=60)
    first = notifier.push([_event(Kind.MEETING_STARTED)], now=0)
    held = [
        notifier.push([_event(k)], now=t)
        for t, k in ((5, Kind.MEETING_ENDED), (9, Kind.MEETING_STARTED), (12, Kind.MEETING_ENDED))
    ]
    assert len(first) == 1
    assert held == [[], [], []]
    assert notifier.due(now=30) == []
    (summary,) = notifier.due(now=61)
    assert summary.body == "研发部会议室 (100701): the meeting ended (3 changes)"
    assert notifier.due(now=200) == []


def test_rooms_do_not_hold_each_other_back() -> None:
    notifier = Notifier(gap=60)
    notifier.push([_event(Kind.MEETING_STARTED, "100701")], now=0)
    assert len(notifier.push([_event(Kind.MEETING_STARTED, "100702")], now=1)) == 1


def test_chinese_alerts() -> None:
    (alert,) = Notifier(lang="zh").push([_event(Kind.RECORDING_FAILED)], now=0)
    assert "录制失败" in alert.body
    assert alert.urgent


def test_the_answer_to_the_users_own_click_is_alerted_at_once_whatever_the_settings() -> None:
    """The settings, a wake's quiet and the gap filter what happens by itself; the end of a
    toggle the user clicked (`asked`) is their answer, said at once; what follows is held
    as before."""
    notifier = Notifier(enabled={"recording": False}, gap=60)
    assert len(notifier.push([_event(Kind.MEETING_STARTED)], now=0)) == 1
    label = "研发部会议室 (100701)"
    clicked = [
        Event(Kind.RECORDING_STARTED, "100701", label, ours=True, asked=True),
        Event(Kind.RECORDING_STOPPED, "100701", label, ours=True, asked=True, quiet=True),
        Event(Kind.RECORDING_UNCONFIRMED, "100701", label, ours=True, asked=True),
    ]
    said = [notifier.push([event], now=10 + n) for n, event in enumerate(clicked)]
    assert [[(a.body.removeprefix(f"{label}: "), a.urgent) for a in alerts] for alerts in said] == [
        [("recording started (by this app)", False)],
        [("recording stopped (by this app)", False)],
        [("recording not confirmed — the service never said it records; no longer waiting", True)],
    ]
    by_itself = [_event(Kind.RECORDING_STARTED), _event(Kind.MEETING_ENDED)]
    assert notifier.push(by_itself, now=20) == []  # recording switched off; the meeting held back
    assert [a.body for a in notifier.due(now=73)] == [f"{label}: the meeting ended"]
