"""The words of the tray's own alerts, and which download changes call for one."""

from __future__ import annotations

from pathlib import Path

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
