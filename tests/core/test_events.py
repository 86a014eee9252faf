"""Events are exactly the differences between two snapshots."""

from __future__ import annotations

from dataclasses import replace

from vmrtray.api import Broke, NetworkError
from vmrtray.core.events import Kind, RoomState, Snapshot, diff

IDLE = RoomState("100701", "A", available=True)
BUSY = replace(IDLE, started=True, participants=3)


def _snap(*rooms: RoomState, **kw: object) -> Snapshot:
    return Snapshot(rooms=rooms, **kw)  # type: ignore[arg-type]


def _kinds(old: Snapshot | None, new: Snapshot) -> list[Kind]:
    return [e.kind for e in diff(old, new)]


def test_the_first_snapshot_is_the_baseline() -> None:
    assert _kinds(None, _snap(BUSY)) == []


def test_nothing_changed_nothing_said() -> None:
    assert _kinds(_snap(BUSY), _snap(BUSY)) == []


def test_room_changes() -> None:
    assert _kinds(_snap(IDLE), _snap(BUSY)) == [Kind.MEETING_STARTED]
    assert _kinds(_snap(BUSY), _snap(IDLE)) == [Kind.MEETING_ENDED]
    assert _kinds(_snap(BUSY), _snap(replace(BUSY, participants=4))) == [Kind.PARTICIPANTS_CHANGED]
    rec = replace(BUSY, recording=True, record_id="r", ours=True)
    assert _kinds(_snap(BUSY), _snap(rec)) == [Kind.RECORDING_STARTED]
    assert diff(_snap(BUSY), _snap(rec))[0].ours
    assert _kinds(_snap(rec), _snap(BUSY)) == [Kind.RECORDING_STOPPED]
    assert _kinds(_snap(BUSY), _snap(replace(BUSY, failed_reason="disk"))) == [Kind.RECORDING_FAILED]
    assert _kinds(_snap(BUSY), _snap(replace(BUSY, live=True))) == [Kind.LIVE_ON]
    assert _kinds(_snap(BUSY), _snap(replace(BUSY, available=False))) == [Kind.ROOM_UNAVAILABLE]
    assert _kinds(_snap(replace(BUSY, available=False)), _snap(BUSY)) == [Kind.ROOM_BACK]


def test_service_level_changes_say_one_thing() -> None:
    down = _snap(BUSY, ok=False, error=NetworkError(Broke.REFUSED))
    assert _kinds(_snap(IDLE), down) == [Kind.SERVICE_UNREACHABLE]
    assert _kinds(down, down) == []
    assert _kinds(down, _snap(IDLE)) == [Kind.SERVICE_BACK, Kind.MEETING_ENDED]
    assert _kinds(_snap(BUSY), _snap(BUSY, signed_out=True)) == [Kind.SIGNED_OUT]


def test_a_room_state_in_a_log_line_does_not_carry_the_guest_password() -> None:
    """A snapshot is logged as its repr: the room's guest password is not in it (issue 15, point 10)."""
    state = RoomState("100701", name="Board", guest_pwd="4711")
    assert "4711" not in repr(Snapshot(rooms=(state,), ok=True))
