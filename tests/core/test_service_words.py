"""The service's words that faces show — a room's name, a failedReason — enter core plain
(core.untrusted): no bidi override, escape or line break reaches a label, an alert or a file's
Recordings entry, whichever face asks."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from vmrtray.api import Client
from vmrtray.core import bookings, contacts
from vmrtray.core.agenda import Agenda
from vmrtray.core.directory import RoomDirectory
from vmrtray.core.recordings import room_name_of
from vmrtray.core.status import fetch_statuses
from vmrtray.core.untrusted import plain
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim

ROOM = "100701"  # its meeting is running in the simulator's world
HOSTILE = "研发部\u202e会议室\x1b[2J\n\u2028第二行"
CLEAN = "研发部会议室[2J 第二行"


async def test_a_room_name_and_a_failed_reason_are_plain_in_the_status(sim: Sim, api: Client) -> None:
    room = sim.state.find_room(ROOM)[1]  # type: ignore[index]
    room.name, room.record_fails = HOSTILE, "录制\u202e失败\x1b]0;x\x07\n原因"
    await api.open_record(ROOM)
    [status] = await fetch_statuses(api, [ROOM])
    assert status.info is not None
    assert status.live is not None
    assert status.info.name == CLEAN
    assert status.live.failed_reason == "录制失败]0;x 原因"
    assert status.to_api()["name"] == CLEAN


async def test_the_room_name_a_recording_is_filed_under_is_plain(sim: Sim, api: Client) -> None:
    sim.state.find_room(ROOM)[1].name = HOSTILE  # type: ignore[index]
    assert await room_name_of(api, ROOM) == CLEAN


def _plain_slowly(text: str, limit: int) -> str:
    """plain() without its shortcut for text with nothing to drop."""
    spaced = "".join(" " if ch in "\t\n\r\v\f\x85" else ch for ch in text)
    kept = "".join(ch for ch in spaced if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"))
    words = " ".join(kept.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=40) | st.sampled_from([HOSTILE, " a  b ", "a\u3000b", "x" * 12]), limit=st.integers(5, 50))
def test_plain_is_the_same_with_its_shortcut(text: str, limit: int) -> None:
    """Contacts come by the ten thousand: plain() returns clean text as it is without looking
    at each character; the answer is the same as looking."""
    assert plain(text, limit) == _plain_slowly(text, limit)


def test_a_contacts_name_and_account_are_plain_in_the_picker() -> None:
    person = contacts.Person.of("9100", "张\u202e伟\x1b[2J\n", "zhang\u2028wei@corp.example")
    assert (person.name, person.account) == ("张伟[2J", "zhangwei@corp.example")
    assert contacts.search([person], "张伟") == [0]


async def test_a_bookings_theme_is_plain_in_the_agenda(sim: Sim, api: Client) -> None:
    """The theme is the reminder's alert title and the My bookings list's first column."""
    room = (await api.get_rooms(DEMO_ACCOUNT))[0]
    start = (datetime.now().astimezone() + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    await bookings.create(
        api, bookings.build_request(account=DEMO_ACCOUNT, theme="Standup", start=start, minutes=30, pid=room.pid)
    )
    for booking in sim.state.tenants[DEMO_PUBLIC_KEY].bookings.values():  # someone renamed it on the service
        booking.theme = HOSTILE
    agenda = Agenda(api, DEMO_ACCOUNT)
    try:
        await agenda.refresh()
        assert [b.theme for b in agenda.bookings] == [CLEAN]
    finally:
        await agenda.aclose()


async def test_a_rooms_name_and_address_are_plain_in_the_directory(sim: Sim, api: Client) -> None:
    """The booking dialog's and the settings' room lists, the invitation's address line."""
    room = sim.state.find_room(ROOM)[1]  # type: ignore[index]
    room.name, room.domain = HOSTILE, "corp\u202e.example\n"
    known = (await RoomDirectory(api, DEMO_ACCOUNT).rooms())[0]
    assert (known.sipkey, known.p_desc, known.alias) == (ROOM, CLEAN, f"{ROOM}meet@corp.example")
