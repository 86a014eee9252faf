"""Live streaming through core.live against the simulator over loopback: on, off, already
on, may not be streamed, a server with no live endpoints (404 with a web page), and the
2019 document's answers with trailing commas and closeLive without `data`."""

from __future__ import annotations

import httpx
import pytest

from vmrtray.api import ApiError, Client, NoLiveError
from vmrtray.core import live
from vmrtray.sim import Sim


async def _status_live(api: Client, room: str) -> bool:
    return (await api.get_live_rec_status(room)).live


async def test_live_on_gives_the_watch_address_and_the_status_says_live(
    sim: Sim, api: Client, started_room: str
) -> None:
    outcome = await live.start(api, started_room, wait=5)
    assert outcome.ok, outcome.reason
    assert outcome.url is not None
    assert outcome.url.startswith(f"{sim.url}/live/")
    status = await api.get_live_rec_status(started_room)
    assert status.live
    assert status.rtmp_url
    assert status.rtmp_url.endswith(outcome.url.rsplit("/", 1)[1])
    assert outcome.describe("en") == f"{started_room}: live streaming started, watch at {outcome.url}"
    assert outcome.describe("zh") == f"{started_room}：已开始直播，观看地址 {outcome.url}"


async def test_live_off(api: Client, started_room: str) -> None:
    assert (await live.start(api, started_room, wait=5)).ok
    outcome = await live.stop(api, started_room)
    assert outcome.ok
    assert outcome.error is None
    assert not await _status_live(api, started_room)


async def test_a_second_start_is_refused_as_already_on(api: Client, started_room: str) -> None:
    assert (await live.start(api, started_room, wait=5)).ok
    outcome = await live.start(api, started_room, wait=5)
    assert not outcome.ok
    assert outcome.already_on
    assert not outcome.no_live
    assert "(200002): live streaming is already on in this meeting" in outcome.reason


async def test_a_room_that_may_not_be_streamed(sim: Sim, api: Client, started_room: str) -> None:
    sim.state.find_room(started_room)[1].may_live = False  # type: ignore[index]
    outcome = await live.start(api, started_room, wait=5, lang="zh")
    assert outcome.may_not_stream
    assert outcome.url is None
    assert "该会议不允许直播" in outcome.reason


async def test_a_server_with_no_live_endpoints_says_so(sim: Sim, api: Client, started_room: str) -> None:
    async with httpx.AsyncClient() as http:  # the control API's service-wide knob
        knobs = (await http.post(f"{sim.url}/_sim/service", json={"live_endpoints": False})).json()
    assert knobs["live_endpoints"] is False
    with pytest.raises(NoLiveError):
        await api.open_live(started_room)
    started, stopped = await live.start(api, started_room, wait=5), await live.stop(api, started_room, lang="zh")
    assert started.no_live
    assert stopped.no_live
    assert started.describe("en") == "This server offers no live streaming (it has no live endpoints)."
    assert stopped.describe("zh") == "此服务器不提供直播（没有直播接口）。"
    assert isinstance(started.error, ApiError)
    assert started.error.code is None


async def test_the_answers_are_printed_as_the_2019_document_prints_them(sim: Sim, started_room: str) -> None:
    from vmrtray.sim import DEMO_PUBLIC_KEY

    async with httpx.AsyncClient(base_url=sim.url, headers={"auth": DEMO_PUBLIC_KEY}) as http:
        opened = (await http.post("/meeting/openLive", json={"conferenceKey": started_room})).text
        closed = (await http.post("/meeting/closeLive", json={"conferenceKey": started_room})).text
    assert '",\n' in opened
    assert "/live/" in opened
    assert '"data"' not in closed
    assert closed.rstrip().endswith("1,\n}")


async def test_a_stream_that_goes_live_a_second_later_is_confirmed(sim: Sim, api: Client, started_room: str) -> None:
    sim.state.find_room(started_room)[1].live_delay = 1.0  # type: ignore[index]
    outcome = await live.start(api, started_room, wait=10)
    assert outcome.ok, outcome.reason
    assert await _status_live(api, started_room)


@pytest.mark.parametrize(("lang", "words"), [("en", "not confirmed yet"), ("zh", "直播尚未确认")])
async def test_a_stream_not_live_within_the_wait_is_not_confirmed_and_keeps_its_address(
    sim: Sim, api: Client, started_room: str, lang: str, words: str
) -> None:
    sim.state.find_room(started_room)[1].live_delay = 3600.0  # type: ignore[index]
    outcome = await live.start(api, started_room, wait=0, lang=lang)  # type: ignore[arg-type]
    assert not outcome.ok
    assert outcome.unconfirmed
    assert outcome.url is not None
    assert words in outcome.describe(lang)  # type: ignore[arg-type]


async def test_a_status_slower_than_the_wait_ends_the_start_at_the_wait(
    sim: Sim, api: Client, started_room: str
) -> None:
    """The confirming question is bounded by the wait: a service holding getLiveRecStatus for
    30 s gives "not confirmed yet" with the watch address, not the request's timeout error."""
    sim.faults.queue("slow:30000", path="/meeting/getLiveRecStatus", count=50)
    outcome = await live.start(api, started_room, wait=1)
    assert (outcome.ok, outcome.unconfirmed, outcome.error) == (False, True, None)
    assert outcome.url is not None
