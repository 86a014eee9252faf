"""The log file rotates and never holds the key, an auth header or a link's signature."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from vmrtray.api import Client, ServerError
from vmrtray.core import logs
from vmrtray.core.credentials import load_key
from vmrtray.core.status import fetch_statuses
from vmrtray.sim import DEMO_ACCOUNT, DEMO_API_KEY, DEMO_PUBLIC_KEY, Sim


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = logs.setup(folder=tmp_path)
    assert path is not None
    yield path
    logs.setup(to_file=False)  # leave the root logger as other tests expect it


@pytest.fixture
def debug_log_file(tmp_path: Path) -> Iterator[Path]:
    path = logs.setup(debug=True, folder=tmp_path)  # what --debug sets up: httpx's own lines too
    assert path is not None
    yield path
    logs.setup(to_file=False)


async def test_a_key_that_reaches_a_log_line_is_scrubbed(log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VMRTRAY_AUTH", DEMO_PUBLIC_KEY)
    key = await load_key("https://api.example")  # registers it
    log = logging.getLogger("vmrtray.test")
    log.warning("calling with %s", key)  # a careless line, as a future change might add
    log.info("headers: {'auth': '%s', 'accept': 'json'}", "0123456789abcdef")
    log.info("GET http://files.example/rec.mp4?sign=c2lnbmF0dXJl&x=1")
    try:
        raise RuntimeError(f"the server refused {DEMO_API_KEY}")
    except RuntimeError:
        log.exception("a failure")
    text = log_file.read_text("utf-8")
    for secret in (DEMO_PUBLIC_KEY, DEMO_API_KEY, "0123456789abcdef", "c2lnbmF0dXJl"):
        assert secret not in text
    assert "calling with ***" in text
    assert "sign=***&x=1" in text
    assert "RuntimeError: the server refused ***" in text


def test_the_log_rotates(log_file: Path) -> None:
    log = logging.getLogger("vmrtray.test")
    line = "x" * 1000
    for _ in range(3 * logs.MAX_BYTES // 1000):
        log.info(line)
    assert (log_file.parent / f"{logs.LOG_FILE}.1").exists()
    assert log_file.stat().st_size <= logs.MAX_BYTES + 2000


def test_a_cos_signature_in_any_form_is_scrubbed(debug_log_file: Path) -> None:
    """COS's own `q-signature=` (a link signed in the query-string form) and a `sign=` that does
    not follow ? or & (issue 15, point 10: --debug printed them)."""
    log = logging.getLogger("vmrtray.test")
    log.debug("GET http://b.cos.ap-shanghai.myqcloud.com/r.mp4?q-sign-algorithm=sha1&q-signature=deadbeef01&x=1")
    log.debug("GET http://f.example/r.mp4?sign=q-sign-algorithm%3Dsha1%26q-signature%3Dcafe0123&y=2")
    log.debug("the link's sign=c2lnbmF0dXJl2 and q-signature%3Dfeed0123 in a body")
    text = debug_log_file.read_text("utf-8")
    for secret in ("deadbeef01", "cafe0123", "c2lnbmF0dXJl2", "feed0123"):
        assert secret not in text
    assert "q-signature=***&x=1" in text
    assert "sign=***&y=2" in text


async def test_a_rooms_passwords_never_reach_the_log(debug_log_file: Path, sim: Sim) -> None:
    """getmeetinginfo answers the host and guest passwords of a room (API_NOTES: never log them):
    not in httpx's debug lines, not in a model's or a status's repr as a careless line would
    log it, not in the traceback of an answer the model refused."""
    room = sim.state.set_meeting("100701", started=True, participants=2)
    room.host_pin, room.guest_pin = "739152", "915273"
    log = logging.getLogger("vmrtray.test")
    async with Client(sim.url, DEMO_PUBLIC_KEY) as api:
        info = await api.get_meeting_info("100701")
        assert (info.hostpwd, info.guestpwd) == ("739152", "915273")  # the answer carries them
        log.debug("answer %r / %s", info, info)
        log.debug("statuses %r", await fetch_statuses(api, ["100701", "100702"]))
        rooms = await api.get_rooms(DEMO_ACCOUNT)
        log.debug("rooms %r", rooms)
        sim.faults.queue("wrong-types", path="/api/getmeetinginfo")  # refused by the model
        with pytest.raises(ServerError) as caught:
            await api.get_meeting_info("100701")
        log.warning("could not read the room", exc_info=caught.value)
    text = debug_log_file.read_text("utf-8")
    assert "HTTP Request: GET" in text  # httpx's debug lines are there
    assert "MeetingInfo(" in text
    assert "RoomStatus(" in text
    for password in ("739152", "915273"):
        assert password not in text
