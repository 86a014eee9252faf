"""The .ics a calendar imports, reminders once per booking, the contact list and its search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from vmrtray.api import Booking, Client
from vmrtray.core import contacts
from vmrtray.core.ics import save_ics, to_ics
from vmrtray.core.invitation import booking_invitation
from vmrtray.core.reminders import Reminders
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _booking(id: int, start: str, end: str, **more: object) -> Booking:
    data = {"id": id, "theme": f"Meeting {id}", "startDate": start, "endDate": end, **more}
    return Booking.model_validate(data, context={"tz": SHANGHAI})


def test_the_ics_parses_and_carries_the_right_moment_in_utc(tmp_path: Path) -> None:
    booking = _booking(
        7,
        "2026-12-01 09:30",
        "2026-12-01 10:30",
        sipkey="100701",
        shortAddress="https://s.example/S7",
        randomVisitorPwd="4321",
        randomHostPwd="9999",
    )
    path = save_ics(tmp_path / "meeting.ics", [booking], SHANGHAI, host="api.example")
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    assert event.decoded("dtend").astimezone(UTC) == datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
    assert str(event["uid"]) == "booking-7@api.example"
    assert calendar.walk("VTIMEZONE"), "the zone travels with the file"
    description = str(event["description"])
    assert "4321" in description
    assert "9999" not in description


async def test_a_reminder_fires_once_even_across_restarts(tmp_path: Path) -> None:
    start = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
    soon = _booking(1, "2026-12-01 10:00", "2026-12-01 11:00")
    later = _booking(2, "2026-12-01 15:00", "2026-12-01 16:00")
    reminders = Reminders(tmp_path / "reminded.json", timedelta(minutes=10))
    assert await reminders.due([soon, later], start - timedelta(minutes=11)) == []
    assert reminders.next_at([soon, later], start - timedelta(minutes=11)) == start - timedelta(minutes=10)
    assert await reminders.due([soon, later], start - timedelta(minutes=9)) == [soon]
    assert await reminders.due([soon, later], start - timedelta(minutes=5)) == []
    again = Reminders(tmp_path / "reminded.json", timedelta(minutes=10))  # the app restarted
    assert await again.due([soon, later], start - timedelta(minutes=4)) == []
    moved = _booking(1, "2026-12-01 10:30", "2026-12-01 11:00")  # the same booking at a new time
    assert await again.due([moved], start + timedelta(minutes=21)) == [moved]
    off = Reminders(tmp_path / "other.json", timedelta(0))
    assert await off.due([soon], start - timedelta(minutes=1)) == []
    assert off.next_at([soon], start) is None


async def test_contacts_come_in_pages_and_are_cached(sim: Sim, api: Client, tmp_path: Path) -> None:
    sim.state.set_contacts(sim.state.tenants[DEMO_PUBLIC_KEY], 1234)
    cache = contacts.ContactCache(tmp_path, sim.url, DEMO_ACCOUNT)
    assert not await cache.load()
    people = await cache.refresh(api, DEMO_ACCOUNT)
    assert len(people) == 1234
    assert len({p.id for p in people}) == 1234
    assert sim.stats.requests["/subscribe/getcontacts"] == 3  # pages of 500: 500, 500, 234
    again = contacts.ContactCache(tmp_path, sim.url, DEMO_ACCOUNT)  # the next run
    assert await again.load()
    assert [p.id for p in again.people] == [p.id for p in people]
    assert sim.stats.requests["/subscribe/getcontacts"] == 3


async def test_a_server_that_ignores_paging_is_asked_once_for_all(sim: Sim, api: Client) -> None:
    sim.state.set_contacts(sim.state.tenants[DEMO_PUBLIC_KEY], 700)
    sim.quirks.paging_ignored = True
    people = await contacts.fetch_all(api, DEMO_ACCOUNT)
    assert len(people) == 700
    assert len({p.id for p in people}) == 700


def test_search_matches_every_word_in_name_id_or_account() -> None:
    people = [
        contacts.Person.of("9100", "张伟", "zhangwei@corp.example"),
        contacts.Person.of("9101", "Alice Wong", "alice@corp.example"),
        contacts.Person.of("9102", "Bob", "bob@corp.example"),
    ]
    assert contacts.search(people, "") == [0, 1, 2]
    assert contacts.search(people, "张") == [0]
    assert contacts.search(people, "ALICE") == [1]
    assert contacts.search(people, "wong corp") == [1]
    assert contacts.search(people, "9102") == [2]
    assert contacts.search(people, "nobody") == []


def test_narrowing_a_search_finds_what_a_fresh_one_finds() -> None:
    people = [
        contacts.Person.of(str(9100 + i), name, f"u{i}@corp.example")
        for i, name in enumerate(["王芳", "王方", "李芳"] * 50)
    ]
    earlier = contacts.search(people, "王")
    assert contacts.search(people, "王芳", earlier) == contacts.search(people, "王芳")
    assert contacts.search(people, "王 u1", contacts.search(people, "王 u")) == contacts.search(people, "王 u1")


# -- the service's words in the .ics and the invitation (issue 15, points 3 and 8) -----------------

HOSTILE = {
    "theme": "Retro\r\nATTENDEE:mailto:mallory@evil.example\x1b]0;owned\x07",
    "shortAddress": "https://s.example/S7\r\nX-EVIL:1",
    "introduction": "Agenda:\n\u202eevil\u202c first\r\nEND:VEVENT\x1b[2J\n\n",
    "randomVisitorPwd": "43\x1b[2J21\u202e",
    "randomHostPwd": "99\r\n99",
    "sipkey": "1007\x0701",
}
CONTROLS = {chr(c) for c in range(0x20) if chr(c) not in "\r\n"} | {chr(c) for c in range(0x7F, 0xA0)}
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def test_service_text_with_line_breaks_and_controls_neither_breaks_the_ics_nor_adds_lines() -> None:
    booking = _booking(7, "2026-12-01 09:30", "2026-12-01 10:30", **HOSTILE)
    data = to_ics([booking], SHANGHAI, host="api.example")  # was ValueError: a URI with CR/LF
    text = data.decode()
    assert not (set(text) & (CONTROLS | BIDI))
    assert "\n" not in text.replace("\r\n", "")  # every line ends CRLF, no bare LF or CR
    names = {line.split(":", 1)[0].split(";", 1)[0] for line in text.split("\r\n") if line and line[0] != " "}
    assert "ATTENDEE" not in names
    assert "X-EVIL" not in names
    calendar = icalendar.Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Retro ATTENDEE:mailto:mallory@evil.example]0;owned"
    assert str(event["location"]) == "https://s.example/S7 X-EVIL:1"
    assert "url" not in event  # not an address once its line break is a space
    description = str(event["description"])
    assert "Guest password: 43[2J21" in description
    assert description.endswith("Agenda:\nevil first\nEND:VEVENT[2J")
    assert text.count("BEGIN:VEVENT") == 1
    assert text.count("END:VEVENT\r\n") == 1


def test_a_clean_link_stays_a_url_in_the_ics() -> None:
    booking = _booking(8, "2026-12-01 09:30", "2026-12-01 10:30", shortAddress="https://s.example/S8")
    (event,) = icalendar.Calendar.from_ical(to_ics([booking], SHANGHAI)).walk("VEVENT")
    assert str(event["url"]) == "https://s.example/S8"


def test_every_word_of_the_invitation_is_made_plain() -> None:
    booking = _booking(7, "2026-12-01 09:30", "2026-12-01 10:30", **HOSTILE)
    for lang in ("en", "zh"):
        text = booking_invitation(booking, SHANGHAI, lang=lang, host=True)  # type: ignore[arg-type]
        assert not (set(text) & (CONTROLS | BIDI | {"\r"})), repr(text)
        lines = text.split("\n")
        assert "43[2J21" in lines[-5]
        assert "99 99" in lines[-4]
        assert lines[-3:] == ["Agenda:", "evil first", "END:VEVENT[2J"]  # its own lines kept, nothing more
