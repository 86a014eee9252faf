"""Booking input is checked field by field, each with its reason, before anything is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vmrtray.core.bookings import InvalidBooking, build_request, parse_local

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
