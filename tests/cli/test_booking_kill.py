"""`vmrctl book` killed (SIGKILL) while the service holds the answer: the next run settles it —
the booking found if the service made it; left while the service may still carry the
create out; sent once that time is over if it did not — and there is exactly one."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from tests.support import journal
from tests.support.cli import ROOT, SimProcess, Vmrctl, kill_when, sign_in
from tests.support.journal import eventually
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY


def _themes(sim: SimProcess) -> list[str]:
    answer = httpx.get(
        f"{sim.url}/subscribe/getsubmeetings", params={"account": DEMO_ACCOUNT}, headers={"auth": DEMO_PUBLIC_KEY}
    ).json()
    return [b["theme"] for b in answer.get("data") or []]


def _book(vmrctl: Vmrctl, seconds: str) -> subprocess.Popen[bytes]:
    start = (datetime.now() + timedelta(days=2)).replace(hour=10, minute=0)
    when = f"{start:%Y-%m-%d %H:%M}"
    command = ["book", "--theme", "Board", "--start", when, "--minutes", "60", "--timeout", seconds]
    return subprocess.Popen(
        [sys.executable, "-m", "vmrtray.cli", *command],
        env=vmrctl.env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _creates(sim: SimProcess) -> int:
    return int(sim.control("stats")["requests"].get("/subscribe/createmeet", 0))


def _settle(vmrctl: Vmrctl, words: str) -> None:
    """`vmrctl bookings` tells the interrupted booking in `words`."""
    done = vmrctl("bookings", "--json")
    assert done.returncode == 0, done.stderr
    assert "interrupted booking" in done.stderr
    assert words in done.stderr


def test_a_killed_booking_the_service_made_is_found_by_the_next_run(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    sign_in(vmrctl)
    sim_process.control("faults", {"kind": "hang-after", "path": "/subscribe/createmeet"})
    kill_when(_book(vmrctl, "120"), lambda: "Board" in _themes(sim_process), "the service holding the answer")

    _settle(vmrctl, "confirmed")
    assert _themes(sim_process) == ["Board"]
    again = vmrctl("bookings", "--json")
    assert "interrupted" not in again.stderr  # settled once
    assert [b["theme"] for b in json.loads(again.stdout)] == ["Board"]
    assert _creates(sim_process) == 1


def test_a_killed_booking_carried_out_late_is_not_sent_twice(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    """The service carries the killed run's create out 5 s later: the next run, started
    before that, leaves it (nothing sent), and the one after finds it."""
    sign_in(vmrctl)
    sim_process.control("faults", {"kind": "slow:5000", "path": "/subscribe/createmeet"})
    kill_when(_book(vmrctl, "120"), lambda: _creates(sim_process) == 1, "the service holding the create")

    _settle(vmrctl, "still being answered by the service")
    assert _creates(sim_process) == 1
    eventually(lambda: _themes(sim_process) == ["Board"], "the create carried out late")
    _settle(vmrctl, "confirmed")
    assert _themes(sim_process) == ["Board"]
    assert _creates(sim_process) == 1


def test_a_killed_booking_the_service_never_made_is_sent_once_it_cannot_land(
    vmrctl: Vmrctl, sim_process: SimProcess
) -> None:
    """The service never carries the killed run's create out: it is left while it still
    could (its sender's timeout, 3 s, and the margin), then sent, once."""
    sign_in(vmrctl)
    sim_process.control("faults", {"kind": "hang", "path": "/subscribe/createmeet"})
    kill_when(_book(vmrctl, "3"), lambda: _creates(sim_process) == 1, "the service holding the create")

    _settle(vmrctl, "still being answered by the service")
    assert (_themes(sim_process), _creates(sim_process)) == ([], 1)
    data = Path(vmrctl.env["VMRTRAY_DATA_DIR"])
    eventually(lambda: journal.in_flight_over(data), "the time the create could still land, over")
    _settle(vmrctl, "sent now")
    assert _themes(sim_process) == ["Board"]
    again = vmrctl("bookings", "--json")
    assert "interrupted" not in again.stderr  # settled once
    assert [b["theme"] for b in json.loads(again.stdout)] == ["Board"]
