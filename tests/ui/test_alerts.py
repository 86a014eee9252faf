"""The words of the tray's own alerts, and which download changes call for one."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.support.zones import local_zone
from vmrtray.api import Booking
from vmrtray.core.download_queue import State, Transfer
from vmrtray.ui import alerts


def _transfer(idx: int, state: State, error: str | None = None) -> Transfer:
    return Transfer("rec-1", idx, 100, Path("/videos/room/part.mp4"), state=state, error=error)


def test_a_recording_is_downloaded_when_its_last_file_is(qapp: object) -> None:
    first, second = _transfer(0, State.DONE), _transfer(1, State.DOWNLOADING)
    assert alerts.download(first, [first, second]) is None
    second.state = State.DONE
    done = alerts.download(second, [first, second])
    assert done is not None
    assert done.title == "Recording downloaded"
    assert done.body == "/videos/room"
    assert not done.urgent


def test_a_download_that_stops_with_a_reason_is_urgent(qapp: object) -> None:
    failed = alerts.download(_transfer(0, State.FAILED, "disk full"), [])
    assert failed is not None
    assert failed.urgent
    assert failed.body == "disk full"
    paused = _transfer(0, State.PAUSED)
    assert alerts.download(paused, [paused]) is None  # paused by the user: nothing to say
    paused.error = "the connection broke"
    stopped = alerts.download(paused, [paused])
    assert stopped is not None
    assert stopped.title == "Download stopped"


def test_a_download_waiting_to_try_again_by_itself_is_said_but_not_urgent(qapp: object) -> None:
    waiting = _transfer(0, State.PAUSED, "waiting to try again: the server failed (HTTP 502)")
    waiting._retrying = True  # as the queue leaves a file after a server failure
    said = alerts.download(waiting, [waiting])
    assert said is not None
    assert said.title == "Download will be tried again"
    assert said.body == "waiting to try again: the server failed (HTTP 502)"
    assert not said.urgent


def _booking(theme: str, start: str) -> Booking:
    """A booking as the service answers it, its time in Berlin's zone (the service's zone here)."""
    data = {"id": 9, "theme": theme, "sipkey": "1007\x1b[2J01", "startDate": start, "endDate": start}
    return Booking.model_validate(data, context={"tz": ZoneInfo("Europe/Berlin")})


def test_a_booking_alert_shows_no_control_character_and_a_repeated_time_with_its_offset(qapp: object) -> None:
    """The booked and reminder alerts said the service's theme and number raw (ESC, RLO) and
    a time of the repeated autumn hour without saying which (issue 15, points 3 and 9)."""
    booking = _booking("Board\x1b]0;owned\x07 \u202eevil", "2031-10-26 02:30")
    with local_zone("Europe/Berlin"):
        made = alerts.booked(booking)
        reminded = alerts.reminder(booking, booking.start_date)
    for alert in (made, reminded):
        words = alert.title + alert.body
        assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in words), words
        assert "Board" in alert.title
        assert "UTC+02:00" in alert.body  # the first 02:30 of that night, said so
