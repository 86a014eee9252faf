"""Times in a zone with summer time (issue 15, point 9), vmrctl run in Berlin's zone: a booking
in the autumn hour that the clock goes through twice is shown with its UTC offsets, so that
"02:30 – 02:15" cannot be read as a meeting that ends before it starts; a start in the spring
hour that never happens is refused with the reason (core.bookings.parse_local), not booked an
hour off."""

from __future__ import annotations

from tests.support.cli import SimProcess, Vmrctl
from vmrtray.sim import DEMO_PUBLIC_KEY

BERLIN = {"VMRTRAY_AUTH": DEMO_PUBLIC_KEY, "TZ": "Europe/Berlin"}


def test_a_booking_in_the_repeated_hour_shows_its_offsets(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    done = vmrctl("book", "--theme", "autumn", "--start", "2031-10-26 02:30", "--minutes", "45", env=BERLIN)
    assert done.returncode == 0, done.stderr
    assert "2031-10-26 02:30 +02:00 – 2031-10-26 02:15 +01:00" in done.stdout
    listed = vmrctl("bookings", env=BERLIN)
    assert listed.returncode == 0, listed.stderr
    assert "2031-10-26 02:30 +02:00" in listed.stdout
    assert "2031-10-26 02:15 +01:00" in listed.stdout


def test_an_ordinary_time_carries_no_offset(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    done = vmrctl("book", "--theme", "later", "--start", "2031-10-26 03:30", "--minutes", "30", env=BERLIN)
    assert done.returncode == 0, done.stderr
    assert "2031-10-26 03:30 – 2031-10-26 04:00," in done.stdout


def test_a_start_that_does_not_exist_is_refused_with_the_reason(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    done = vmrctl("book", "--theme", "spring", "--start", "2031-03-30 02:30", "--minutes", "30", env=BERLIN)
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.splitlines()
    assert "2031-03-30 02:30" in line
    assert sim_process.control("info")["bookings"] == 0
