"""Every endpoint against the simulator over loopback, with the document's quirks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vmrtray.api import ApiError, AuthError, BookingRequest, Client
from vmrtray.sim import DEMO_ACCOUNT, DEMO_DEDICATED_ACCOUNT, DEMO_DEDICATED_KEY, Sim


async def test_recording_round_trip_gives_files_with_known_bytes(sim: Sim, api: Client, started_room: str) -> None:
    record_id = await api.open_record(started_room)
    status = await api.get_live_rec_status(started_room)
    assert status.record is True
    assert status.record_id == record_id

    assert await api.close_record(started_room) == record_id
    files = await api.get_records(record_id)
    assert [f.record_id for f in files] == [record_id]
    assert files[0].conference_key == started_room
    assert files[0].file_size == sim.recording_info(record_id)["files"][0]["size"]
    assert files[0].start_time.tzinfo is not None
    assert not files[0].down_url.startswith(sim.url)  # another host: the object store


async def test_live_status_after_recording_keeps_the_last_id_but_says_not_recording(
    api: Client, started_room: str
) -> None:
    # API_NOTES 5: the sample shows a recordId with record false.
    record_id = await api.open_record(started_room)
    await api.close_record(started_room)
    status = await api.get_live_rec_status(started_room)
    assert status.record is False
    assert status.record_id == record_id


async def test_a_recording_split_in_two_keeps_both_files(sim: Sim, api: Client, started_room: str) -> None:
    sim.state.find_room(started_room)[1].files_per_recording = 2  # type: ignore[index]
    record_id = await api.open_record(started_room)
    await api.close_record(started_room)
    files = await api.get_records(record_id)
    assert len(files) == 2
    assert files[1].cid  # only some files carry a cid


async def test_recording_failure_after_open_is_reported_by_status(sim: Sim, api: Client, started_room: str) -> None:
    sim.state.find_room(started_room)[1].record_fails = "存储空间不足"  # type: ignore[index]
    await api.open_record(started_room)
    status = await api.get_live_rec_status(started_room)
    assert status.record is False
    assert status.failed_reason == "存储空间不足"


async def test_delete_removes_the_files(sim: Sim, api: Client, started_room: str) -> None:
    record_id = await api.open_record(started_room)
    await api.close_record(started_room)
    assert await api.delete_record_file(record_id) == record_id
    assert await api.get_records(record_id) == []
    assert sim.recording_info(record_id)["deleted"] is True


async def test_trailing_commas_in_close_and_delete_are_read(sim: Sim, api: Client, started_room: str) -> None:
    # API_NOTES 2: the document's samples for both carry trailing commas.
    sim.quirks.trailing_commas = True
    record_id = await api.open_record(started_room)
    assert await api.close_record(started_room) == record_id
    assert await api.delete_record_file(record_id) == record_id


async def test_meeting_info_is_flat_and_needs_no_key(sim: Sim) -> None:
    async with Client(sim.url, None) as anonymous:
        info = await anonymous.get_meeting_info("100701")
    assert info.alias == "100701"
    assert info.started is True
    assert info.participants == 3
    assert info.name == "研发部会议室"


async def test_meeting_info_of_an_idle_room(api: Client) -> None:
    info = await api.get_meeting_info("100702")
    assert (info.started, info.participants) == (False, 0)


async def test_rooms_tolerate_int_sipkey_and_string_capacity(api: Client) -> None:
    rooms = await api.get_rooms(DEMO_ACCOUNT)
    first = rooms[0]
    assert first.sipkey == "100701"  # sent as a number (API_NOTES 6)
    assert first.max_square == 100  # sent as "100"
    assert first.alias.endswith("@demo.myvmr.cn")  # typed boolean, is an address
    assert first.is_public_vmr is True  # "yes"
    assert first.to_api()["livePwd"] == ""  # undocumented, kept


async def test_contacts_paged_and_all(api: Client) -> None:
    everyone = await api.get_contacts(DEMO_ACCOUNT, all=True)
    page = await api.get_contacts(DEMO_ACCOUNT, page_index=2, page_size=5)
    assert len(everyone) == 40
    assert page == everyone[5:10]
    assert all(isinstance(c.id, str) and c.name for c in everyone)
    assert everyone[0].to_api()["account"].endswith("@demo.myvmr.cn")  # unknown fields kept


def _booking(start: datetime, minutes: int = 60, pid: int | None = 3364, **extra: object) -> BookingRequest:
    return BookingRequest(
        account=DEMO_ACCOUNT,
        theme="周会",
        start=start,
        end=start + timedelta(minutes=minutes),
        pid=pid,
        **extra,  # type: ignore[arg-type]
    )


def _next_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)


async def test_booking_create_list_cancel(sim: Sim, api: Client) -> None:
    start = _next_hour()
    booking = await api.create_meeting(_booking(start, visitor_ids=("9100", "9101"), host_pwd="1234"))
    assert booking.start_date == start  # sent in UTC, stored and read back in Asia/Shanghai
    assert booking.start_date.utcoffset() == timedelta(hours=8)
    assert [v.id for v in booking.visitor_list] == ["9100", "9101"]
    assert booking.random_host_pwd == "1234"
    assert [b.id for b in await api.get_bookings(DEMO_ACCOUNT)] == [booking.id]

    await api.cancel_meeting(booking.id)  # answers message "操作成功" with state 1
    assert await api.get_bookings(DEMO_ACCOUNT) == []


async def test_booking_sent_in_the_servers_wall_clock(sim: Sim, api: Client) -> None:
    start = datetime(2031, 1, 6, 1, 0, tzinfo=UTC)
    booking = await api.create_meeting(_booking(start))
    stored = sim.state.tenants[sim.state.tenant(api._key).key].bookings[int(booking.id)]
    assert stored.start == datetime(2031, 1, 6, 9, 0)  # 01:00 UTC is 09:00 in Shanghai


@pytest.mark.parametrize("as_object", [False, True])
async def test_createmeet_data_as_list_or_object(sim: Sim, api: Client, as_object: bool) -> None:
    sim.quirks.createmeet_object = as_object  # API_NOTES 8
    booking = await api.create_meeting(_booking(_next_hour()))
    assert booking.theme == "周会"


async def test_overlapping_booking_is_200009(api: Client) -> None:
    start = _next_hour()
    await api.create_meeting(_booking(start))
    with pytest.raises(ApiError) as caught:
        await api.create_meeting(_booking(start + timedelta(minutes=30)))
    assert caught.value.code == 200009
    assert "already booked" in caught.value.describe("en")
    assert "已被预约" in caught.value.describe("zh")


async def test_server_picks_a_room_when_pid_is_empty(api: Client) -> None:
    booking = await api.create_meeting(_booking(_next_hour(), pid=None))
    assert booking.biz_product_id is not None


async def test_dedicated_cloud_key_as_given(sim: Sim) -> None:
    async with Client(sim.url, DEMO_DEDICATED_KEY) as dedicated:
        rooms = await dedicated.get_rooms(DEMO_DEDICATED_ACCOUNT)
    assert [r.sipkey for r in rooms] == ["8000000", "8000001", "8000002"]


async def test_missing_key_is_an_auth_error_with_the_real_message(sim: Sim) -> None:
    async with Client(sim.url, None) as anonymous:
        with pytest.raises(AuthError) as caught:
            await anonymous.get_rooms(DEMO_ACCOUNT)
    assert caught.value.missing is True
    assert "auth码不能为空" in str(caught.value)


async def test_wrong_key_is_an_auth_error_that_does_not_echo_the_key(sim: Sim) -> None:
    wrong = "0123456789abcdef0123456789abcdef:fedcba9876543210fedcba9876543210"
    async with Client(sim.url, wrong) as client:
        with pytest.raises(AuthError) as caught:
            await client.open_record("100701")
    assert wrong not in str(caught.value)
    assert "fedcba" not in repr(client)


async def test_a_shared_http_client_is_left_open(sim: Sim) -> None:
    import httpx

    async with httpx.AsyncClient() as shared:
        async with Client(sim.url, None, http=shared) as api:
            await api.get_meeting_info("100701")
        assert not shared.is_closed
    async with Client(sim.url, None) as owner:
        await owner.get_meeting_info("100701")
    assert owner._http.is_closed
