"""The repeated autumn hour from vmrctl: the second 02:30 is booked by typing the time as
vmrctl prints it ("02:30 +01:00"), and 02:50 summer time to 02:10 winter time is 20 minutes."""

from __future__ import annotations

import json

from tests.support.cli import SimProcess, Vmrctl, sign_in

BERLIN = {"TZ": "Europe/Berlin"}


def test_the_second_0230_is_booked_in_the_form_vmrctl_prints_it(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    sign_in(vmrctl)
    first = vmrctl(
        "book", "--room", "3365", "--theme", "first", "--start", "2031-10-26 02:30", "--minutes", "30", env=BERLIN
    )
    assert first.returncode == 0, first.stderr
    assert "2031-10-26 02:30 +02:00" in first.stdout  # the first 02:30, told with its offset

    second = vmrctl(
        "book",
        "--json",
        "--room",
        "3366",
        "--theme",
        "second",
        "--start",
        "2031-10-26 02:30 +01:00",
        "--minutes",
        "30",
        env=BERLIN,
    )
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["startDate"] == "2031-10-26T09:30:00+08:00"  # 01:30 UTC, an hour after the first

    across = vmrctl(
        "book",
        "--json",
        "--room",
        "3367",
        "--theme",
        "across",
        "--start",
        "2031-10-26 02:50",
        "--end",
        "2031-10-26 02:10 UTC+01:00",
        env=BERLIN,
    )
    assert across.returncode == 0, across.stderr
    booked = json.loads(across.stdout)
    assert (booked["startDate"], booked["endDate"]) == ("2031-10-26T08:50:00+08:00", "2031-10-26T09:10:00+08:00")


def test_an_offset_the_time_does_not_have_is_refused_with_why(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    sign_in(vmrctl)
    done = vmrctl("book", "--theme", "x", "--start", "2031-10-26 02:30 +03:00", "--minutes", "30", env=BERLIN)
    assert done.returncode == 2
    assert "2031-10-26 02:30 is at UTC+02:00 or UTC+01:00 here, not UTC+03:00" in done.stderr
