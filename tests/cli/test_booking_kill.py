"""`vmrctl book` killed (SIGKILL) while the service holds the answer: the next run settles it —
the booking found if the service made it, sent if it did not — and there is exactly one."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta

import httpx
import pytest

from tests.support.cli import ROOT, SimProcess, Vmrctl, kill_when, sign_in
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY


def _themes(sim: SimProcess) -> list[str]:
    answer = httpx.get(
        f"{sim.url}/subscribe/getsubmeetings", params={"account": DEMO_ACCOUNT}, headers={"auth": DEMO_PUBLIC_KEY}
    ).json()
    return [b["theme"] for b in answer.get("data") or []]


@pytest.mark.parametrize(("fault", "words"), [("hang-after", "confirmed"), ("hang", "sent now")])
def test_a_killed_booking_is_settled_by_the_next_run(
    vmrctl: Vmrctl, sim_process: SimProcess, fault: str, words: str
) -> None:
    sign_in(vmrctl)
    start = (datetime.now() + timedelta(days=2)).replace(hour=10, minute=0)
    sim_process.control("faults", {"kind": fault, "path": "/subscribe/createmeet"})
    command = ["book", "--theme", "Board", "--start", f"{start:%Y-%m-%d %H:%M}", "--minutes", "60", "--timeout", "120"]
    booking = subprocess.Popen(
        [sys.executable, "-m", "vmrtray.cli", *command],
        env=vmrctl.env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def holding_the_answer() -> bool:
        if fault == "hang-after":  # carried out, the answer held
            return "Board" in _themes(sim_process)
        return sim_process.control("stats")["requests"].get("/subscribe/createmeet", 0) > 0

    kill_when(booking, holding_the_answer, "the service holding the answer")

    done = vmrctl("bookings", "--json")
    assert done.returncode == 0, done.stderr
    assert "interrupted booking" in done.stderr
    assert words in done.stderr
    assert [b["theme"] for b in json.loads(done.stdout)] == ["Board"]
    again = vmrctl("bookings", "--json")
    assert "interrupted" not in again.stderr  # settled once
    assert [b["theme"] for b in json.loads(again.stdout)] == ["Board"]
