"""Booking input is checked field by field, each with its reason, before anything is sent."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.zones import local_zone
from vmrtray.api import Lang
from vmrtray.core import localtime
from vmrtray.core.bookings import InvalidBooking, Settled, build_request, parse_local, parse_times

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def _build(**changes: object) -> object:
    fields: dict[str, object] = {
        "account": "me@example.com",
        "theme": "周会",
        "start": NOW + timedelta(hours=1),
        "minutes": 30,
        "now": NOW,
    }
    fields.update(changes)
    return build_request(**fields)  # type: ignore[arg-type]


def test_a_good_booking() -> None:
    request = _build(participants=["9100", " 9101"], host_pwd="1234", guest_pwd="")
    assert request.end - request.start == timedelta(minutes=30)  # type: ignore[attr-defined]
    assert request.visitor_ids == ("9100", "9101")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"end": NOW + timedelta(minutes=30), "minutes": None}, "end", "after the start"),
        ({"minutes": None}, "end", "end time or a duration"),
        ({"minutes": 0}, "minutes", "more than 0"),
        ({"minutes": 60 * 25}, "end", "24 hours"),
        ({"start": NOW - timedelta(hours=1)}, "start", "in the past"),
        ({"theme": "   "}, "theme", "required"),
        ({"theme": "长" * 65}, "theme", "at most 64"),
        ({"host_pwd": "12ab"}, "host_pwd", "digits"),
        ({"guest_pwd": "123"}, "guest_pwd", "4 to 10 digits"),
        ({"participants": ["9100", "alice"]}, "participants", "alice"),
    ],
)
def test_each_bad_field_is_named_with_its_reason(changes: dict[str, object], field: str, words: str) -> None:
    with pytest.raises(InvalidBooking) as caught:
        _build(**changes)
    assert field in caught.value.reasons
    assert words in caught.value.reasons[field]


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(InvalidBooking) as caught:
        _build(theme="", host_pwd="x", start=NOW - timedelta(days=1))
    assert set(caught.value.reasons) == {"theme", "host_pwd", "start"}


@pytest.mark.parametrize("text", ["2026-13-01 10:00", "tomorrow", "2026-12-01", "2026-12-01 25:00"])
def test_unreadable_times(text: str) -> None:
    with pytest.raises(InvalidBooking) as caught:
        parse_local(text, "start")
    assert "2026-12-01 09:30" in caught.value.reasons["start"]


def test_local_time_is_aware() -> None:
    assert parse_local("2026-12-01 09:30", "start").tzinfo is not None


# -- times the clocks skip or repeat (issue 15, point 9) ------------------------------------------


@pytest.fixture
def berlin() -> Iterator[None]:
    with local_zone("Europe/Berlin"):
        yield


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("field", ["start", "end"])
def test_a_time_the_clocks_skip_is_refused_with_why(berlin: None, field: str, lang: Lang) -> None:
    with pytest.raises(InvalidBooking) as caught:
        parse_local("2031-03-30 02:30", field, lang)
    why = caught.value.reasons[field]
    if lang == "en":
        assert why == "2031-03-30 02:30 does not exist here: the clocks go forward at 02:00 that day (to 03:00)"
    else:
        assert why == "2031-03-30 02:30 在本地时区不存在：当天 02:00 时钟拨快到 03:00"


@pytest.mark.parametrize("text", ["2031-03-30 02:00", "2031-03-30 02:59"])
def test_every_minute_of_the_skipped_hour_is_refused(berlin: None, text: str) -> None:
    with pytest.raises(InvalidBooking, match="does not exist"):
        parse_local(text, "start")


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2031-03-30 01:59", datetime(2031, 3, 30, 0, 59, tzinfo=UTC)),
        ("2031-03-30 03:00", datetime(2031, 3, 30, 1, 0, tzinfo=UTC)),
        # the repeated autumn hour: its first occurrence, the summer one (zoneinfo's fold=0)
        ("2031-10-26 02:30", datetime(2031, 10, 26, 0, 30, tzinfo=UTC)),
    ],
)
def test_times_that_exist_are_taken_as_they_read(berlin: None, text: str, utc: datetime) -> None:
    assert parse_local(text, "start") == utc


def test_a_repeated_time_is_shown_with_its_offset_and_others_are_not(berlin: None) -> None:
    first = datetime(2031, 10, 26, 0, 30, tzinfo=UTC)  # 02:30 summer time
    second = first + timedelta(hours=1)  # 02:30 again, winter time
    assert localtime.shown(first) == "2031-10-26 02:30 UTC+02:00"
    assert localtime.shown(second) == "2031-10-26 02:30 UTC+01:00"
    assert localtime.span(first, first + timedelta(minutes=90)) == "2031-10-26 02:30 UTC+02:00–03:00"
    assert localtime.shown(datetime(2031, 10, 26, 3, 0, tzinfo=UTC)) == "2031-10-26 04:00"
    assert localtime.shown(datetime(2031, 3, 30, 1, 0, tzinfo=UTC)) == "2031-03-30 03:00"


def test_the_zone_is_put_back_after() -> None:
    before = time.tzname
    with local_zone("Europe/Berlin"):
        assert time.tzname[0] == "CET"
    assert time.tzname == before


@pytest.mark.parametrize(
    ("field", "text"), [("host_pwd", "١٢٣٤"), ("guest_pwd", "１２３４５６"), ("guest_pwd", "1234\n")]
)
def test_a_password_is_ascii_digits(field: str, text: str) -> None:
    with pytest.raises(InvalidBooking) as caught:
        _build(**{field: text})
    assert "digits 0-9" in caught.value.reasons[field]


@pytest.mark.parametrize("text", ["١٢٣", "９１００", "९१००"])
def test_a_participant_id_is_ascii_digits(text: str) -> None:
    with pytest.raises(InvalidBooking) as caught:
        _build(participants=["9100", text])
    assert text in caught.value.reasons["participants"]
    assert "0-9" in caught.value.reasons["participants"]


def test_an_interrupted_booking_in_the_repeated_hour_is_told_with_its_offset(berlin: None) -> None:
    start = datetime(2031, 10, 26, 0, 30, tzinfo=UTC)  # 02:30 summer time, repeated an hour later
    request = build_request(account="me@example.com", theme="Fall back", start=start, minutes=60, now=NOW)
    words = Settled(request, None, found=False).detail()
    assert words.startswith("2031-10-26 02:30 UTC+02:00: ")


# -- a start too far ahead (the year 9999 overflowed the service's zone once) ---------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "start",
    [datetime(9999, 12, 31, 23, 10, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC), NOW.replace(year=2032)],
)
def test_a_start_more_than_five_years_ahead_is_refused_with_why(start: datetime, lang: Lang) -> None:
    with pytest.raises(InvalidBooking) as caught:
        _build(start=start, lang=lang)  # 23:59 + 30 minutes would not even exist
    assert set(caught.value.reasons) == {"start"}
    words = "5 years ahead (after 2031-11-29)" if lang == "en" else "5 年以后（晚于 2031-11-29）"
    assert words in caught.value.reasons["start"]


def test_five_years_ahead_is_still_taken() -> None:
    assert _build(start=NOW.replace(year=2031)).start == NOW.replace(year=2031)  # type: ignore[attr-defined]


def test_a_huge_duration_is_refused_not_added() -> None:
    with pytest.raises(InvalidBooking) as caught:
        _build(minutes=99_999_999_999_999)
    assert "24 hours" in caught.value.reasons["end"]


# -- a time typed with its UTC offset: which of the two repeated 02:30s -------------------------


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2031-10-26 02:30 UTC+01:00", datetime(2031, 10, 26, 1, 30, tzinfo=UTC)),  # as `shown` writes it
        ("2031-10-26 02:30 +01:00", datetime(2031, 10, 26, 1, 30, tzinfo=UTC)),
        ("2031-10-26 02:30 utc+02:00", datetime(2031, 10, 26, 0, 30, tzinfo=UTC)),
        ("2031-07-01 10:00 +02:00", datetime(2031, 7, 1, 8, 0, tzinfo=UTC)),
    ],
)
def test_a_time_with_one_of_its_own_offsets_is_that_occurrence(berlin: None, text: str, utc: datetime) -> None:
    assert parse_local(text, "start") == utc
    assert localtime.shown(parse_local(text, "start")) == (
        text.upper().replace(" +", " UTC+") if text.startswith("2031-10") else text.rsplit(" ", 1)[0]
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2031-10-26 02:30 UTC+03:00", "2031-10-26 02:30 is at UTC+02:00 or UTC+01:00 here, not UTC+03:00"),
        ("2031-07-01 10:00 +01:00", "2031-07-01 10:00 is at UTC+02:00 here, not UTC+01:00"),
        ("2031-03-30 02:30 +01:00", "does not exist here"),
        ("2031-10-26 02:30 +25:00", "is not a time like"),
    ],
)
def test_an_offset_the_time_does_not_have_here_is_refused_with_why(berlin: None, text: str, words: str) -> None:
    with pytest.raises(InvalidBooking) as caught:
        parse_local(text, "start")
    assert words in caught.value.reasons["start"]


def test_an_offset_the_time_does_not_have_is_refused_in_chinese_too(berlin: None) -> None:
    with pytest.raises(InvalidBooking) as caught:
        parse_local("2031-10-26 02:30 UTC+03:00", "end", "zh")
    assert caught.value.reasons["end"] == "2031-10-26 02:30 在本地时区为 UTC+02:00 或 UTC+01:00，不是 UTC+03:00"


def test_from_summer_0250_to_winter_0210_is_twenty_minutes(berlin: None) -> None:
    start = parse_local("2031-10-26 02:50", "start")  # the first 02:50, summer time
    end = parse_local("2031-10-26 02:10 UTC+01:00", "end")  # the second 02:10, winter time
    now = datetime(2031, 10, 1, tzinfo=UTC)
    request = build_request(account="me@example.com", theme="Fall back", start=start, end=end, now=now)
    assert request.end - request.start == timedelta(minutes=20)


@pytest.mark.parametrize(
    ("start", "end", "utc"),
    [
        # the start in the second (winter) occurrence: the end's 02:55 follows it, the second too
        ("2031-10-26 02:30 +01:00", "2031-10-26 02:55", (datetime(2031, 10, 26, 1, 30), datetime(2031, 10, 26, 1, 55))),
        # the first 02:55 is already after the start: it is that one, the earliest
        ("2031-10-26 02:30 +02:00", "2031-10-26 02:55", (datetime(2031, 10, 26, 0, 30), datetime(2031, 10, 26, 0, 55))),
        # the start in the first: an end in the repeated hour before it in the first is the second
        ("2031-10-26 02:30 +02:00", "2031-10-26 02:10", (datetime(2031, 10, 26, 0, 30), datetime(2031, 10, 26, 1, 10))),
        # an end out of the repeated hour: as it reads
        ("2031-10-26 02:30 +01:00", "2031-10-26 03:15", (datetime(2031, 10, 26, 1, 30), datetime(2031, 10, 26, 2, 15))),
        # a start without an offset: the end as before, its first occurrence
        ("2031-10-26 02:30", "2031-10-26 02:55", (datetime(2031, 10, 26, 0, 30), datetime(2031, 10, 26, 0, 55))),
    ],
)
def test_an_end_without_an_offset_follows_the_start_given_with_one(
    start: str, end: str, utc: tuple[datetime, datetime]
) -> None:
    with local_zone("Europe/Berlin"):
        begins, ends = parse_times(start, end)
        assert (begins, ends) == tuple(t.replace(tzinfo=UTC) for t in utc)
        now = datetime(2031, 10, 1, tzinfo=UTC)
        request = build_request(account="me@example.com", theme="Fall back", start=begins, end=ends, now=now)
        assert request.end > request.start


def test_an_end_before_a_start_given_with_an_offset_is_still_refused() -> None:
    with local_zone("Europe/Berlin"):
        begins, ends = parse_times("2031-10-26 02:30 +01:00", "2031-10-26 02:10")
        assert ends == datetime(2031, 10, 26, 0, 10, tzinfo=UTC)  # neither 02:10 is after it: as before
        with pytest.raises(InvalidBooking) as caught:
            build_request(account="me", theme="t", start=begins, end=ends, now=datetime(2031, 10, 1, tzinfo=UTC))
        assert "after the start" in caught.value.reasons["end"]


# -- ids: ASCII digits, and not thousands of them -------------------------------------------------


def test_a_participant_id_of_twenty_digits_is_taken_and_one_of_thousands_is_not() -> None:
    assert _build(participants=["9" * 20]).visitor_ids == ("9" * 20,)  # type: ignore[attr-defined]
    huge = "9" * 4300
    with pytest.raises(InvalidBooking) as caught:
        _build(participants=["9100", huge, "9" * 21])
    why = caught.value.reasons["participants"]
    assert "1 to 20 digits" in why
    assert "(4300 characters)" in why
    assert len(why) < 200  # not repeated whole
    assert "9" * 21 in why


def test_a_room_id_of_thousands_of_digits_is_refused() -> None:
    with pytest.raises(InvalidBooking) as caught:
        _build(pid=10**25)
    assert "1 to 20 digits" in caught.value.reasons["room"]
