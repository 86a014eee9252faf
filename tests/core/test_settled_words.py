"""What a crash left, settled, said once for the tray and vmrctl: each outcome in both languages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from vmrtray.api import ApiError, Booking, BookingRequest
from vmrtray.core.bookings import Settled

START = (datetime.now().astimezone() + timedelta(days=1)).replace(hour=9, minute=30, second=0, microsecond=0)
REQUEST = BookingRequest(account="a@b.c", theme="Board", start=START, end=START + timedelta(hours=1))
BOOKED = Booking.model_validate(
    {
        "id": "4711",
        "theme": "Board",
        "startDate": START.strftime("%Y-%m-%d %H:%M"),
        "endDate": (START + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
    }
)
OUTCOMES = {
    "found": Settled(REQUEST, BOOKED, found=True),
    "sent": Settled(REQUEST, BOOKED, found=False),
    "refused": Settled(REQUEST, None, found=False, refusal=ApiError(200009, "已被预约")),
    "passed": Settled(REQUEST, None, found=False),
}


@pytest.mark.parametrize("case", list(OUTCOMES))
def test_each_outcome_is_one_line_naming_the_booking_in_both_languages(case: str) -> None:
    outcome = OUTCOMES[case]
    for lang in ("en", "zh"):
        said = outcome.describe(lang)  # type: ignore[arg-type]
        assert "\n" not in said
        assert "Board" in said
        assert START.strftime("%Y-%m-%d %H:%M") in said
    assert "interrupted booking" in outcome.describe("en")
    chinese = outcome.describe("zh").replace("Board", "")
    assert not re.search(r"[A-Za-z]{3,}", chinese), chinese


def test_the_words_tell_the_outcomes_apart() -> None:
    assert len({o.title("en") for o in OUTCOMES.values()}) == 3  # refused and passed share "not booked"
    assert "4711" in OUTCOMES["found"].detail("en")
    assert "4711" in OUTCOMES["sent"].detail("zh")
    assert "time has passed" in OUTCOMES["passed"].detail("en")
    assert "booked for that time" in OUTCOMES["refused"].detail("en")
