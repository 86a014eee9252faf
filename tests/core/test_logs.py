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


HOSTILE_ID = "EVIL\x1b]0;PWN\x07\x1b[2J\u202eX\x7f\x85\u200b\u2028\U000e0001-"


def test_the_services_control_characters_are_written_escaped(log_file: Path) -> None:
    """A record id like this one in a download_queue line made `tail -f` of the log retitle the
    terminal and clear it; now each such character is its escape, the traceback's lines stay."""
    log = logging.getLogger("vmrtray.test")
    log.warning("queued %s", HOSTILE_ID)
    try:
        raise RuntimeError(f"the store refused {HOSTILE_ID}")
    except RuntimeError:
        log.exception("download of %s failed", "r\t1")
    text = log_file.read_text("utf-8")
    escaped = "EVIL\\x1b]0;PWN\\x07\\x1b[2J\\u202eX\\x7f\\x85\\u200b\\u2028\\U000e0001-"
    assert f"queued {escaped}\n" in text
    assert f"RuntimeError: the store refused {escaped}\n" in text
    assert "download of r\t1 failed\nTraceback (most recent call last):\n" in text  # newline and tab kept
    for char in "\x1b\x07\x7f\x85\u200b\u202e\u2028\U000e0001\r":
        assert char not in text, repr(char)


def test_a_lone_surrogate_is_written_escaped_and_the_line_kept(
    log_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """json.loads makes a lone surrogate of \\ud800; the file's UTF-8 cannot write it: the line
    was lost, and "--- Logging error ---" said on stderr."""
    log = logging.getLogger("vmrtray.test")
    log.warning("could not remember recording x\ud800y")
    log.warning("a second line %s", "\udcff")
    text = log_file.read_text("utf-8")
    assert "could not remember recording x\\ud800y\n" in text
    assert "a second line \\udcff\n" in text
    assert "Logging error" not in capsys.readouterr().err


def test_the_console_writes_what_its_encoding_cannot_as_escapes(log_file: Path) -> None:
    import io

    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")  # a strict stream
    console = next(h for h in logging.getLogger().handlers if type(h) is not logging.handlers.RotatingFileHandler)
    assert isinstance(console, logging.StreamHandler)
    previous = console.setStream(stream)
    try:
        logging.getLogger("vmrtray.test").warning("会议室 %s", "x\ud800")
        stream.flush()
        written = stream.buffer.getvalue().decode("ascii")  # type: ignore[attr-defined]
    finally:
        console.setStream(previous)
    assert "\\u4f1a\\u8bae\\u5ba4 x\\ud800" in written


def test_the_ranges_passed_without_a_look_up_hold_nothing_to_escape() -> None:
    import sys
    import unicodedata

    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if not logs._SUSPECT.match(char):
            assert char in "\n\t" or unicodedata.category(char) not in logs._ESCAPED, hex(code)
