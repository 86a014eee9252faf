"""Booking against the simulator: made once however the answer is lost, conflicts answered
with proposals, cancelled for good."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from vmrtray.api import ApiError, BookingRequest, Client, NetworkError, Room
from vmrtray.core import bookings, slots
from vmrtray.core.bookings import Submission, build_request
from vmrtray.core.directory import RoomDirectory
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim

CREATE = "/subscribe/createmeet"
LIST = "/subscribe/getsubmeetings"


def _request(room: Room, theme: str = "Weekly sync", hours_ahead: int = 2, minutes: int = 60) -> BookingRequest:
    start = (datetime.now().astimezone() + timedelta(hours=hours_ahead)).replace(minute=0, second=0, microsecond=0)
    return build_request(account=DEMO_ACCOUNT, theme=theme, start=start, minutes=minutes, pid=room.pid)


@pytest.fixture(autouse=True)
def _release_hung_answers(sim: Sim):  # type: ignore[no-untyped-def]
    yield
    sim.faults.release.set()


def _sim_bookings(sim: Sim, theme: str) -> list[object]:
    tenant = sim.state.tenants[DEMO_PUBLIC_KEY]
    return [b for b in tenant.bookings.values() if b.theme == theme]


async def _first_room(api: Client) -> Room:
    return (await api.get_rooms(DEMO_ACCOUNT))[0]


async def test_a_booking_is_made_and_listed_then_cancelled(sim: Sim, api: Client) -> None:
    room = await _first_room(api)
    booking = await bookings.create(api, _request(room))
    assert booking.biz_product_id == room.pid
    assert booking.short_address
    listed = await bookings.upcoming_and_past(api, DEMO_ACCOUNT)
    assert [b.id for b in listed] == [booking.id]
    await bookings.cancel(api, booking.id)
    assert await bookings.upcoming_and_past(api, DEMO_ACCOUNT) == []
    assert _sim_bookings(sim, "Weekly sync") == []


async def test_a_lost_answer_is_found_not_booked_twice(sim: Sim) -> None:
    """The service books, then the answer never comes: the booking is found, not repeated."""
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=1.0) as api:
        room = await _first_room(api)
        sim.faults.queue("hang-after", path=CREATE)
        booking = await Submission(api, _request(room)).submit()
    assert len(_sim_bookings(sim, "Weekly sync")) == 1
    assert int(booking.id) == _sim_bookings(sim, "Weekly sync")[0].id  # type: ignore[attr-defined]


async def test_a_retry_after_an_unanswered_create_checks_first(sim: Sim) -> None:
    """Create hangs after booking and the check fails too: the user retries; still one booking."""
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=1.0) as api:
        room = await _first_room(api)
        sim.faults.queue("hang-after", path=CREATE)
        sim.faults.queue("pass", path=LIST)  # the look before the create
        sim.faults.queue("reset", path=LIST)  # the look after it
        submission = Submission(api, _request(room))
        with pytest.raises(NetworkError):
            await submission.submit()
        assert submission.uncertain
        booking = await submission.submit()  # the retry
    assert submission.recovered
    assert [b.id for b in _sim_bookings(sim, "Weekly sync")] == [int(booking.id)]  # type: ignore[attr-defined]
    creates = [path for path, _ in sim.stats.bodies if path == CREATE]
    assert len(creates) == 1


async def test_a_create_that_never_reached_the_service_is_sent_again(sim: Sim, api: Client) -> None:
    room = await _first_room(api)
    sim.faults.queue("reset", path=CREATE)
    submission = Submission(api, _request(room))
    with pytest.raises(NetworkError):
        await submission.submit()
    assert _sim_bookings(sim, "Weekly sync") == []
    booking = await submission.submit()
    assert not submission.recovered
    assert [b.id for b in _sim_bookings(sim, "Weekly sync")] == [int(booking.id)]  # type: ignore[attr-defined]


async def test_a_taken_room_is_refused_and_alternatives_proposed(sim: Sim, api: Client) -> None:
    rooms = await api.get_rooms(DEMO_ACCOUNT)
    mine = await bookings.create(api, _request(rooms[0], theme="Mine", minutes=60))
    request = _request(rooms[0], theme="Clash", minutes=60)
    with pytest.raises(ApiError) as caught:
        await bookings.create(api, request)
    assert caught.value.code == 200009
    offer = await slots.alternatives(api, RoomDirectory(api, DEMO_ACCOUNT), rooms[0].pid, request.start, request.end)
    assert offer.starts, "a free start of the same room is proposed"
    for start in offer.starts:
        assert not (start < mine.end_date and mine.start_date < start + timedelta(hours=1))
    assert abs(offer.starts[0] - request.start) == timedelta(hours=1)  # the nearest: just before or after
    assert rooms[0].pid not in [r.pid for r in offer.rooms]
    assert len(offer.rooms) == len(rooms) - 1
    taken = await bookings.create(
        api, build_request(account=DEMO_ACCOUNT, theme="Clash", start=offer.starts[0], minutes=60, pid=rooms[0].pid)
    )
    assert taken.start_date == offer.starts[0]


def test_nearest_starts_step_both_ways_and_skip_the_past() -> None:
    from vmrtray.api import Booking

    zone_now = datetime(2026, 12, 1, 9, 0).astimezone()
    busy = Booking.model_validate(
        {"id": 1, "startDate": "2026-12-01 10:00", "endDate": "2026-12-01 11:00", "bizProductId": 7},
        context={"tz": zone_now.tzinfo},
    )
    start = datetime(2026, 12, 1, 10, 0).astimezone()
    found = slots.nearest_free_starts([busy], 7, start, timedelta(minutes=60), not_before=zone_now, count=3)
    assert found == [start - timedelta(hours=1), start + timedelta(hours=1), start + timedelta(minutes=90)]


async def test_concurrent_submits_of_one_request_make_one_booking_per_call(sim: Sim, api: Client) -> None:
    """Two different requests at once both land: the duplicate check is per submission."""
    rooms = await api.get_rooms(DEMO_ACCOUNT)
    a, b = await asyncio.gather(
        bookings.create(api, _request(rooms[0], theme="A")), bookings.create(api, _request(rooms[1], theme="B"))
    )
    assert {a.theme, b.theme} == {"A", "B"}


async def test_a_booking_list_that_cannot_be_had_does_not_stop_a_booking(sim: Sim, api: Client) -> None:
    """The look before the create is a help, not a condition: the service's list failing
    (HTTP 500) still books, once."""
    room = await _first_room(api)
    sim.faults.queue("500", path=LIST)
    booking = await Submission(api, _request(room)).submit()
    assert [b.id for b in _sim_bookings(sim, "Weekly sync")] == [int(booking.id)]  # type: ignore[attr-defined]
