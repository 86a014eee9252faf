"""What the journal's new outcomes and waits say, for the tray and vmrctl: one sentence each,
in both languages (issue 13)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from vmrtray.api import BookingRequest, Lang
from vmrtray.core.bookings import BookingBusy, Settled, Wait, wait_words

START = (datetime.now().astimezone() + timedelta(days=1)).replace(hour=9, minute=30, second=0, microsecond=0)
REQUEST = BookingRequest(account="a@b.c", theme="Board", start=START, end=START + timedelta(hours=1))
UNTIL = datetime(2026, 12, 1, 9, 41, 7, tzinfo=UTC)
LANGS: tuple[Lang, ...] = ("en", "zh")


def _one_sentence(said: str, lang: Lang) -> None:
    assert "\n" not in said
    assert said.strip() == said
    if lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]", said), said
        assert not re.search(r"\b(the|is|an)\b", said), said  # no English left in


@pytest.mark.parametrize("lang", LANGS)
def test_a_booking_left_in_flight_says_so_and_when_it_is_looked_for_again(lang: Lang) -> None:
    outcome = Settled(REQUEST, None, found=False, in_flight=UNTIL)
    said = outcome.describe(lang)
    _one_sentence(said, lang)
    assert "Board" in said
    assert f"{UNTIL.astimezone():%H:%M:%S}" in said
    assert START.strftime("%Y-%m-%d %H:%M") in said
    if lang == "en":
        assert "still being answered by the service" in said
        assert "was not booked" not in said


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("wait", list(Wait))
def test_each_wait_is_one_sentence_with_its_end(wait: Wait, lang: Lang) -> None:
    said = wait_words(wait, UNTIL, lang)
    _one_sentence(said, lang)
    assert f"{UNTIL.astimezone():%H:%M:%S}" in said


@pytest.mark.parametrize("lang", LANGS)
def test_a_booking_another_process_holds_too_long_is_one_sentence(lang: Lang) -> None:
    said = BookingBusy("Board").describe(lang)
    _one_sentence(said, lang)
    assert "Board" in said
    assert "vmrctl bookings" in said
