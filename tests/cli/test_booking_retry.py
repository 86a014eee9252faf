"""One request is one booking, whatever is retried, timed out or run at the same time:
`vmrctl book` and `vmrctl bookings` (and the tray's settle) as real processes sharing one
data folder, against `vmrctl sim` in another process (issue 13, cases 1 and 2)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support import journal
from tests.support.cli import ROOT, SimProcess, Vmrctl, sign_in
from vmrtray.api import Client
from vmrtray.core import bookings
from vmrtray.core.pending import PendingBookings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY

CREATE = "/subscribe/createmeet"
ROOM = "3364"


def _themes(sim: SimProcess) -> list[str]:
    """The bookings the service holds for the account (what a second booking would show in)."""
    answer = httpx.get(
        f"{sim.url}/subscribe/getsubmeetings", params={"account": DEMO_ACCOUNT}, headers={"auth": DEMO_PUBLIC_KEY}
    ).json()
    return [b["theme"] for b in answer.get("data") or []]


def _creates(sim: SimProcess) -> int:
    return int(sim.control("stats")["requests"].get(CREATE, 0))


def _book(*extra: str) -> list[str]:
    start = (datetime.now() + timedelta(days=2)).replace(hour=14, minute=0)
    return ["book", "--theme", "Board", "--start", f"{start:%Y-%m-%d %H:%M}", "--minutes", "60", *extra]


def _start(vmrctl: Vmrctl, command: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "vmrtray.cli", *command],
        env=vmrctl.env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _data(vmrctl: Vmrctl) -> Path:
    return Path(vmrctl.env["VMRTRAY_DATA_DIR"])


@pytest.mark.parametrize("room", [(), ("--room", ROOM)], ids=["any room", "--room"])
def test_a_timed_out_booking_retried_is_booked_once(
    vmrctl: Vmrctl, sim_process: SimProcess, room: tuple[str, ...]
) -> None:
    """Case 1: the create is carried out and answered after 4 s; `--timeout 2` gives up;
    the same command again finds it and sends nothing."""
    sign_in(vmrctl)
    sim_process.control("faults", {"kind": "slow:4000", "path": CREATE})
    first = vmrctl(*_book(*room, "--timeout", "2"))
    assert first.returncode == 5, first.stderr
    journal.eventually(lambda: _themes(sim_process) == ["Board"], "the late create carried out")

    again = vmrctl(*_book(*room))
    assert _themes(sim_process) == ["Board"]  # one booking, not two
    assert _creates(sim_process) == 1  # nothing sent again
    assert again.returncode == 0, again.stderr
    assert "Already booked (an earlier try of this same booking went through)" in again.stderr
    assert "Booked 'Board'" in again.stdout


def test_a_retry_while_the_first_create_may_still_land_waits_for_it(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    """Case 1, retried at once: the create is still held by the service when the retry
    starts; the retry looks for it (instead of sending) until it lands."""
    sign_in(vmrctl)
    sim_process.control("faults", {"kind": "slow:4000", "path": CREATE})
    first = vmrctl(*_book("--room", ROOM, "--timeout", "2"))
    assert first.returncode == 5, first.stderr

    again = vmrctl(*_book("--room", ROOM))
    assert again.returncode == 0, again.stderr
    assert "Already booked" in again.stderr
    assert _themes(sim_process) == ["Board"]
    assert _creates(sim_process) == 1


def test_a_retry_is_booked_once_whatever_the_services_clock_says(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    """Case 1 with the service's clock 15 minutes behind ours: its createTime cannot tell the
    earlier try's booking from someone else's, the bookings listed before the first create can."""
    sign_in(vmrctl)
    sim_process.control("service", {"clock_behind": 900})
    sim_process.control("faults", {"kind": "slow:4000", "path": CREATE})  # carried out after the sender gave up
    first = vmrctl(*_book("--timeout", "2"))
    assert first.returncode == 5, first.stderr
    again = vmrctl(*_book())
    assert again.returncode == 0, again.stderr
    assert "Already booked" in again.stderr
    assert _themes(sim_process) == ["Board"]
    assert _creates(sim_process) == 1


def test_a_create_carried_out_long_after_a_short_timeout_is_not_sent_again(
    vmrctl: Vmrctl, sim_process: SimProcess
) -> None:
    """The service carries out a create 15 s after it came, the sender gave up after 2 s: a
    retry waits as long as a create may still land (at least 20 s + 10 s), however short the
    sender's own deadline, and finds it."""
    sign_in(vmrctl)
    sim_process.control("faults", {"kind": "slow:15000", "path": CREATE})
    first = vmrctl(*_book("--timeout", "2"))
    assert first.returncode == 5, first.stderr
    again = vmrctl(*_book())
    assert again.returncode == 0, again.stderr
    assert "Already booked" in again.stderr
    assert _themes(sim_process) == ["Board"]
    assert _creates(sim_process) == 1


def test_bookings_and_the_trays_settle_leave_a_booking_in_flight_alone(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    """Case 2: while `vmrctl book` waits for a slow answer, `vmrctl bookings` and the tray's
    settle (the same core function, called here in-process) neither send it nor report it."""
    sign_in(vmrctl)
    sim_process.control("faults", {"kind": "slow:8000", "path": CREATE})
    booking = _start(vmrctl, _book("--timeout", "60"))
    try:
        journal.eventually(lambda: _creates(sim_process) == 1, "the create sent and held")

        listed = vmrctl("bookings", "--json")
        assert listed.returncode == 0, listed.stderr
        assert "interrupted" not in listed.stderr
        settled = asyncio.run(_tray_settles(sim_process, _data(vmrctl)))
        assert settled == []
        assert _creates(sim_process) == 1
    finally:
        out, err = booking.communicate(timeout=60)
    assert booking.returncode == 0, err
    assert "Booked 'Board'" in out
    assert _themes(sim_process) == ["Board"]
    assert _creates(sim_process) == 1


def _booking_id(out: str) -> str:
    found = re.search(r"booking id (\d+)", out)
    assert found, out
    return found.group(1)


async def _tray_settles(sim: SimProcess, data: Path) -> list[bookings.Settled]:
    async with Client(sim.url, DEMO_PUBLIC_KEY) as api:
        return await bookings.settle_pending(api, PendingBookings(data, api.server, DEMO_ACCOUNT))


def test_two_bookings_of_the_same_request_at_once_make_one(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    """The second `book` of the same request, started while the first waits for its answer,
    waits for the first and finds its booking."""
    sign_in(vmrctl)
    sim_process.control("faults", {"kind": "slow-after:3000", "path": CREATE})
    first = _start(vmrctl, _book("--room", ROOM))
    second: subprocess.Popen[str] | None = None
    try:
        journal.eventually(lambda: _creates(sim_process) == 1, "the first create sent")
        second = _start(vmrctl, _book("--room", ROOM))
        out2, err2 = second.communicate(timeout=60)
    finally:
        out1, err1 = first.communicate(timeout=60)
        if second is not None and second.poll() is None:
            second.kill()
    assert (first.returncode, second.returncode) == (0, 0), err1 + err2
    assert "Another vmrctl or vmrtray is making this same booking" in err2
    assert "Already booked" in err2
    assert _booking_id(out1) == _booking_id(out2)  # both tell the one booking
    assert _themes(sim_process) == ["Board"]
    assert _creates(sim_process) == 1


def test_two_bookings_of_the_same_request_started_together_make_one(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    """No room named (the service would take any free one, so nothing refuses a second):
    started in the same instant, one sends and the other finds what it booked."""
    sign_in(vmrctl)
    runs = [_start(vmrctl, _book()) for _ in range(2)]
    answers = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], answers
    assert sum("Already booked" in err for _, err in answers) == 1
    assert _booking_id(answers[0][0]) == _booking_id(answers[1][0])
    assert _themes(sim_process) == ["Board"]
    assert _creates(sim_process) == 1
