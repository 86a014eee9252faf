"""The key, echoed by the service, is never printed (issue 15, point 4): a message of a refusal
that repeats it (`auth码 <key> 无效`) or a room named with it reaches vmrctl's tables, its JSON,
its per-room notes and its final error line as `***` — the whole `id:key` and the secret half
alone, on stdout and on stderr."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.inprocess import ThreadedSim, environment, run_vmrctl
from vmrtray.sim import DEMO_API_KEY, DEMO_PUBLIC_KEY
from vmrtray.sim import state as sim_state

ROOM = "100701"
ECHO_CODE = 209999  # a refusal of the simulator's, whose message this test writes


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadedSim]:
    threaded = ThreadedSim()
    with threaded as running, environment(monkeypatch, tmp_path, running.url):
        yield threaded


def _no_key(text: str) -> None:
    assert DEMO_PUBLIC_KEY not in text
    assert DEMO_API_KEY not in text  # the secret half alone


@pytest.mark.parametrize(
    "argv", [("status", ROOM), ("status", ROOM, "--json"), ("rooms",), ("rooms", "--json")], ids=" ".join
)
def test_a_room_named_with_the_key_is_shown_scrubbed(sim: ThreadedSim, argv: tuple[str, ...]) -> None:
    def name_it() -> None:
        found = sim.sim.state.find_room(ROOM) if sim.sim else None
        assert found is not None
        found[1].name = f"研发部 {DEMO_PUBLIC_KEY} / {DEMO_API_KEY}"

    sim.call(name_it)
    done = run_vmrctl(*argv)
    assert done.code == 0, done.stderr.replace(DEMO_API_KEY, "<key>")
    _no_key(done.stdout + done.stderr)
    assert "研发部 *** / ***" in done.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ("status", ROOM),
        ("status", ROOM, "--json"),
        ("rooms",),
        ("rooms", "--json"),
        ("rooms", "--debug"),
        ("record", "start", ROOM),
        ("record", "start", ROOM, "--json"),
        ("bookings",),
    ],
    ids=" ".join,
)
def test_a_refusal_that_echoes_the_key_is_told_scrubbed(
    sim: ThreadedSim, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    monkeypatch.setitem(sim_state.BUSINESS_MESSAGES, ECHO_CODE, f"auth码 {DEMO_PUBLIC_KEY} 无效")
    assert sim.sim is not None
    faults = sim.sim.faults
    sim.call(lambda: faults.queue(f"code:{ECHO_CODE}", count=1000))
    done = run_vmrctl(*argv)
    assert done.code in (3, 4), done.stderr.replace(DEMO_API_KEY, "<key>")
    _no_key(done.stdout + done.stderr)
    assert "auth码 *** 无效" in done.stdout + done.stderr


#: Words of a user's that look like what the log scrubs (`sign=`, `auth:`), and are not a key.
LOOKS_LIKE_A_LOG_SECRET = "design sign=off / OAuth:rollout / auth=ok q-signature=v2"


@pytest.mark.parametrize("argv", [("bookings",), ("bookings", "--json")], ids=" ".join)
def test_a_theme_that_looks_like_a_log_secret_is_printed_as_it_is(sim: ThreadedSim, argv: tuple[str, ...]) -> None:
    """Only the key and its secret half are hidden from vmrctl's output: the log's patterns are
    for log lines (before, `design sign=off / OAuth:rollout` printed as `sign=*** / OAuth:***`)."""
    start = ("--start", "2031-05-01 10:00", "--minutes", "30")
    booked = run_vmrctl("book", "--room", "3365", "--theme", LOOKS_LIKE_A_LOG_SECRET, *start)
    assert booked.code == 0, booked.stderr
    assert f"'{LOOKS_LIKE_A_LOG_SECRET}'" in booked.stdout
    done = run_vmrctl(*argv)
    assert done.code == 0, done.stderr
    assert LOOKS_LIKE_A_LOG_SECRET in done.stdout
    assert "***" not in done.stdout


@pytest.mark.parametrize("argv", [("rooms",), ("rooms", "--json"), ("status", ROOM)], ids=" ".join)
def test_a_room_name_that_looks_like_a_log_secret_is_printed_as_it_is(sim: ThreadedSim, argv: tuple[str, ...]) -> None:
    def name_it() -> None:
        found = sim.sim.state.find_room(ROOM) if sim.sim else None
        assert found is not None
        found[1].name = f"{LOOKS_LIKE_A_LOG_SECRET} {DEMO_API_KEY}"

    sim.call(name_it)
    done = run_vmrctl(*argv)
    assert done.code == 0, done.stderr.replace(DEMO_API_KEY, "<key>")
    _no_key(done.stdout + done.stderr)
    assert f"{LOOKS_LIKE_A_LOG_SECRET} ***" in done.stdout
