"""The service's words in vmrctl's tables and file names come out plain: a room name or a
failedReason with a right-to-left override, an escape sequence or a line break cannot move the
terminal's cursor, clear it, retitle it, reorder what it shows or add a row; a record id typed
with such characters is refused, shown escaped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.cli.inprocess import Ran, ThreadedSim, environment, run_vmrctl
from tests.support.cli import SimProcess, Vmrctl
from vmrtray.cli.output import SAFE_RANGES, json_text
from vmrtray.sim import DEMO_PUBLIC_KEY
from vmrtray.sim import state as sim_state
from vmrtray.sim.state import Tenant

AUTH = {"VMRTRAY_AUTH": DEMO_PUBLIC_KEY}
ROOM = "100701"  # its meeting is running in the simulator's world
HOSTILE = "研发部\u202e会议室\x1b[2J\x1b]0;PWN\x07\n\u2028第二行"
CLEAN = "研发部会议室[2J]0;PWN 第二行"
UNSAFE = "\u202e\x1b\x07\u2028"


def _lines_of_room(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if "研发部" in line or "第二行" in line]


@pytest.mark.parametrize("command", [("status", ROOM), ("rooms",)])
def test_a_hostile_room_name_is_one_plain_cell(vmrctl: Vmrctl, sim_process: SimProcess, command: tuple[str]) -> None:
    sim_process.control("room", {"room": ROOM, "name": HOSTILE})
    done = vmrctl(*command, env=AUTH)
    assert done.returncode == 0, done.stderr
    assert not any(ch in done.stdout for ch in UNSAFE), repr(done.stdout)
    rows = _lines_of_room(done.stdout)
    assert len(rows) == 1, done.stdout  # the newline did not make a second row
    assert CLEAN in rows[0]


def test_a_hostile_failed_reason_in_status_is_plain(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    sim_process.control("room", {"room": ROOM, "record_fails": "录制\u202e失败\x1b]0;pwned\x07\n原因"})
    assert vmrctl("record", "start", ROOM, env=AUTH).returncode == 4
    done = vmrctl("status", ROOM, env=AUTH)
    assert done.returncode == 0, done.stderr
    assert not any(ch in done.stdout for ch in UNSAFE + "\x07"), repr(done.stdout)
    assert "录制失败]0;pwned 原因" in done.stdout


def test_a_hostile_room_name_gives_a_clean_file_name(vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path) -> None:
    """The name a download is filed under, on disk and in the line that names it: pathvalidate
    alone kept the bidi override (a name that reads reversed in a file manager)."""
    sim_process.control("room", {"room": ROOM, "name": HOSTILE})
    started = vmrctl("record", "start", ROOM, "--json", env=AUTH)
    assert started.returncode == 0, started.stderr
    record_id = json.loads(started.stdout)["recordId"]
    assert vmrctl("record", "stop", ROOM, env=AUTH).returncode == 0
    out = tmp_path / "out"
    done = vmrctl("recordings", "download", record_id, "-o", str(out), env=AUTH)
    assert done.returncode == 0, done.stderr
    (saved,) = out.iterdir()
    assert saved.name.isprintable(), repr(saved.name)
    assert saved.name.startswith("研发部会议室[2J]0;PWN 第二行_100701_"), saved.name
    assert not any(ch in done.stdout + done.stderr for ch in UNSAFE), repr(done.stdout + done.stderr)
    assert done.stdout.startswith(f"{saved}  sha256 ")


@pytest.mark.parametrize("action", ["show", "download", "delete"])
def test_a_record_id_with_control_characters_is_refused_escaped(vmrctl: Vmrctl, action: str) -> None:
    done = vmrctl("recordings", action, "ab\x1b]0;PWN\x07c\u202e", env=AUTH)
    assert done.returncode == 2, done.stderr
    assert not any(ch in done.stderr for ch in UNSAFE), repr(done.stderr)
    assert done.stderr.strip() == "vmrctl: 'ab\\x1b]0;PWN\\x07c\\u202e' is not a record id"


# -- in this process, the simulator steered directly (tests/cli/inprocess.py) --------------------
#: ESC ] 0;… BEL retitles a terminal, ESC [ 2J clears it; U+202E reverses what follows; DEL, a C1
#: CSI (U+009B), a line separator and a zero-width joiner are what json.dumps leaves raw.
STEERING = "\x1b]0;PWN\x07\x1b[2J\u202e\x7f\x9b\u2028\u200d"
RAW = frozenset(char for char in STEERING if not char.isprintable())  # ESC BEL U+202E DEL CSI U+2028 ZWJ
BOOKING_START = "2031-01-15 10:00"


@pytest.fixture
def steered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadedSim]:
    threaded = ThreadedSim()
    with threaded as running, environment(monkeypatch, tmp_path, running.url):
        yield threaded


def _tenant(threaded: ThreadedSim) -> Tenant:
    assert threaded.sim is not None
    return threaded.sim.state.tenants[DEMO_PUBLIC_KEY]


def _shown_plain(done: Ran) -> None:
    """Nothing that steers a terminal, on stdout or stderr."""
    shown = done.stdout + done.stderr
    assert not RAW & set(shown), repr(shown)


def _json_of(done: Ran) -> Any:
    """The JSON on stdout: parsed as it is, with no raw control or format character, and its
    Chinese readable (not escaped)."""
    _shown_plain(done)
    return json.loads(done.stdout)


def test_hostile_contacts_are_plain_in_the_table_and_escaped_in_json(steered: ThreadedSim) -> None:
    def plant() -> None:
        tenant = _tenant(steered)
        first = tenant.contacts[0]
        tenant.contacts[0] = (first[0], f"张三{STEERING}", first[2])

    steered.call(plant)
    table = run_vmrctl("contacts", "--all")
    assert table.code == 0, table.stderr
    _shown_plain(table)
    assert "张三]0;PWN[2J" in table.stdout
    data = run_vmrctl("contacts", "--all", "--json")
    assert data.code == 0, data.stderr
    names = json.dumps(_json_of(data), ensure_ascii=False)
    assert "张三" in data.stdout
    assert "张三" in names


def test_a_hostile_booking_theme_and_share_link(steered: ThreadedSim) -> None:
    """Table, --json, the sentence of `book`, and the .ics of a booking whose theme steers the
    terminal and whose shortAddress holds CR/LF (the .ics printed nothing, ValueError, before)."""
    booked = run_vmrctl("book", "--theme", "周会", "--start", BOOKING_START, "--minutes", "30")
    assert booked.code == 0, booked.stderr

    def plant() -> None:
        for booking in _tenant(steered).bookings.values():
            booking.theme = f"周会{STEERING}"
        assert steered.sim is not None
        steered.sim.url += "\r\nX-Injected: 1"  # the shortAddress the simulator gives is made of it

    steered.call(plant)
    table = run_vmrctl("bookings")
    assert table.code == 0, table.stderr
    _shown_plain(table)
    assert "周会]0;PWN[2J" in table.stdout
    data = run_vmrctl("bookings", "--json")
    assert data.code == 0, data.stderr
    (theme,) = [b["theme"] for b in _json_of(data)]
    assert theme.startswith("周会")
    ics = steered_home(steered) / "b.ics"
    written = run_vmrctl("bookings", "--ics", str(ics))
    assert written.code == 0, written.stderr
    _shown_plain(written)
    text = ics.read_text()
    assert "X-Injected: 1\r\n" not in text
    assert not RAW & set(text)


def steered_home(threaded: ThreadedSim) -> Path:
    import os

    return Path(os.environ["VMRTRAY_DATA_DIR"]).parent


@pytest.mark.parametrize("json_output", [False, True], ids=["text", "json"])
def test_a_hostile_record_id_from_open_and_close_record(
    steered: ThreadedSim, monkeypatch: pytest.MonkeyPatch, json_output: bool
) -> None:
    hostile = f"rec{STEERING}-1"
    monkeypatch.setattr(sim_state, "uuid", SimpleNamespace(UUID=lambda **_: hostile))
    more = ("--json",) if json_output else ()
    started = run_vmrctl("record", "start", ROOM, *more)
    stopped = run_vmrctl("record", "stop", ROOM, *more)
    for done in (started, stopped):
        _shown_plain(done)
        if json_output and done.code == 0:
            assert json.loads(done.stdout)["recordId"] == hostile  # the service's own, JSON-escaped
        elif done.code == 0:
            assert "\\x1b]0;PWN\\x07" in done.stdout  # shown escaped, as a typed one is


@pytest.mark.parametrize("argv", [("record", "start", ROOM), ("rooms",), ("status", ROOM), ("rooms", "--json")])
def test_a_hostile_error_message_is_shown_escaped(
    steered: ThreadedSim, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    monkeypatch.setitem(sim_state.BUSINESS_MESSAGES, 209998, f"拒绝{STEERING}\n第二行")
    assert steered.sim is not None
    faults = steered.sim.faults
    steered.call(lambda: faults.queue("code:209998", count=1000))
    done = run_vmrctl(*argv)
    assert done.code == 4, done.stderr
    _shown_plain(done)
    assert "拒绝" in done.stdout + done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_hostile_failed_reason_when_a_start_fails(steered: ThreadedSim) -> None:
    def plant() -> None:
        assert steered.sim is not None
        found = steered.sim.state.find_room(ROOM)
        assert found is not None
        found[1].record_fails = f"录制失败{STEERING}\n原因"

    steered.call(plant)
    done = run_vmrctl("record", "start", ROOM)
    assert done.code == 4, done.stderr
    _shown_plain(done)
    assert "录制失败" in done.stderr
    data = run_vmrctl("status", ROOM, "--json")
    assert data.code == 0, data.stderr
    _json_of(data)


def test_json_escapes_every_control_and_format_character_and_keeps_chinese() -> None:
    """vmrctl's JSON writer on its own: C0, DEL, C1, bidi, separators, a format character beyond
    U+FFFF (a surrogate pair) escaped; Chinese and emoji as themselves; the same data back."""
    data = {"name": f"研发部{STEERING}\x00\U000e0001😀", STEERING: [1, "二"]}
    text = json_text(data)
    assert not RAW & set(text)
    assert "\x00" not in text
    assert "\U000e0001" not in text
    assert "研发部" in text
    assert "😀" in text
    assert "\\udb40\\udc01" in text
    assert json.loads(text) == data


def test_the_ranges_not_checked_one_by_one_hold_no_unsafe_character() -> None:
    import re
    import unicodedata

    ranges = re.findall(r"(.)-(.)", SAFE_RANGES)
    assert len(ranges) == 6
    for low, high in ranges:
        for point in range(ord(low), ord(high) + 1):
            assert unicodedata.category(chr(point)) not in {"Cc", "Cf", "Zl", "Zp", "Cs"}, hex(point)


def test_the_booked_sentence_shows_a_hostile_share_link_on_its_own_line(steered: ThreadedSim) -> None:
    def plant() -> None:
        assert steered.sim is not None
        steered.sim.url += f"\r\nX-Injected: 1{STEERING}"  # the shortAddress the simulator gives is made of it

    steered.call(plant)
    done = run_vmrctl("book", "--theme", "周会", "--start", BOOKING_START, "--minutes", "30")
    assert done.code == 0, done.stderr
    _shown_plain(done)
    assert "\r" not in done.stdout
    assert not any(line.startswith("X-Injected") for line in done.stdout.splitlines()), done.stdout
