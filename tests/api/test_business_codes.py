"""Each business code, produced by the simulator under the real service's conditions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vmrtray.api import BUSINESS_CODES, ApiError, BookingRequest, Client
from vmrtray.sim import DEMO_ACCOUNT, Sim


async def _refused(call: object) -> ApiError:
    with pytest.raises(ApiError) as caught:
        await call  # type: ignore[misc]
    return caught.value


async def test_200001_another_tenants_room(api: Client) -> None:
    assert (await _refused(api.open_record("8000000"))).code == 200001


async def test_200003_already_recording(api: Client, started_room: str) -> None:
    await api.open_record(started_room)
    assert (await _refused(api.open_record(started_room))).code == 200003


async def test_200004_room_may_not_record(sim: Sim, api: Client) -> None:
    sim.state.set_meeting("100706", started=True)  # the demo's last room may not record
    assert (await _refused(api.open_record("100706"))).code == 200004


async def test_200006_not_started_with_the_real_message(api: Client) -> None:
    error = await _refused(api.open_record("100702"))
    assert error.code == 200006
    assert error.message == "当前会议室没有开启会议"


async def test_200007_not_recording(api: Client, started_room: str) -> None:
    assert (await _refused(api.close_record(started_room))).code == 200007


async def test_200008_no_such_room(api: Client) -> None:
    assert (await _refused(api.open_record("424242"))).code == 200008
    assert (await _refused(api.get_meeting_info("424242"))).code == 200008


async def test_200009_room_booked(api: Client) -> None:
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=1)
    request = BookingRequest(account=DEMO_ACCOUNT, theme="x", start=start, end=start + timedelta(hours=1), pid=3364)
    await api.create_meeting(request)
    assert (await _refused(api.create_meeting(request))).code == 200009


@pytest.mark.parametrize("code", [200002, 200005])
async def test_live_codes_are_understood(sim: Sim, api: Client, started_room: str, code: int) -> None:
    # No endpoint of the eleven starts a live stream, so the service cannot be led into
    # these by the real conditions; the simulator answers them on the wire instead.
    sim.faults.queue(f"code:{code}")
    error = await _refused(api.get_live_rec_status(started_room))
    assert error.code == code


@pytest.mark.parametrize("code", sorted(BUSINESS_CODES))
def test_every_code_has_a_meaning_in_both_languages(code: int) -> None:
    error = ApiError(code, BUSINESS_CODES[code][0])
    zh, en = error.describe("zh"), error.describe("en")
    assert str(code) in zh
    assert str(code) in en
    assert BUSINESS_CODES[code][0] in zh
    assert BUSINESS_CODES[code][1] in en


def test_unknown_code_shows_the_servers_words() -> None:
    error = ApiError(500123, "系统繁忙")
    assert "系统繁忙" in error.describe("en")
