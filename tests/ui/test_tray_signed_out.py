"""The tray signs out only when the service refuses the key on two refreshes in a row, and
then says which request was refused (issue 15, point 7): before, one 403 (a gateway's, a
bad moment's) signed it out for good."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.notifications import Notifier
from vmrtray.sim import Sim
from vmrtray.ui.icons import TrayState
from vmrtray.ui.tray import Tray

MEETING_INFO = "/api/getmeetinginfo"


@pytest_asyncio.fixture
async def tray(sim: Sim, api: Client, qapp: object) -> AsyncIterator[Tray]:
    sim.state.set_meeting("100701", started=True, participants=3)
    coordinator = Coordinator(api, ["100701"], interval_active=3600, interval_idle=3600)
    tray = Tray(notifier=Notifier(gap=0))
    tray.attach(coordinator)
    await until(lambda: tray.snapshot is not None and tray.snapshot.rooms[0].available, "first refresh")
    yield tray
    tray.hide()
    await coordinator.aclose()


async def test_one_403_leaves_the_tray_signed_in_and_polling(sim: Sim, tray: Tray) -> None:
    assert tray.coordinator is not None
    sim.stats.reset()
    sim.faults.queue("code:403", count=1, path=MEETING_INFO)
    tray.coordinator.request_refresh()
    await until(lambda: sim.stats.requests[MEETING_INFO] >= 2, "asked again by itself, at the backoff")
    # The refused refresh keeps the rooms it had (available) with ok=False: wait for the next one's.
    await until(lambda: tray.snapshot is not None and tray.snapshot.ok and tray.snapshot.rooms[0].available, "again")
    assert tray.state == TrayState.IN_USE
    assert not tray.snapshot.signed_out  # type: ignore[union-attr]
    assert "1 of 1 room in use" in tray.icon.toolTip()
    assert tray.find_action("sign-in") is None


async def test_two_403s_in_a_row_sign_out_and_the_tooltip_names_the_request(sim: Sim, tray: Tray) -> None:
    assert tray.coordinator is not None
    sim.faults.queue("code:403", count=2, path=MEETING_INFO)
    tray.coordinator.request_refresh()
    await until(lambda: tray.state == TrayState.SIGNED_OUT, "signed out")
    tip = tray.icon.toolTip()
    assert "rejected twice in a row" in tip
    assert MEETING_INFO in tip
    assert tray.find_action("sign-in") is not None
    await until(lambda: any(MEETING_INFO in a.body for a in tray.alerts), "the alert names it too")


async def test_the_signed_out_line_in_chinese(sim: Sim, tray: Tray, chinese: None) -> None:
    assert tray.coordinator is not None
    sim.faults.queue("code:403", count=2, path=MEETING_INFO)
    tray.coordinator.request_refresh()
    await until(lambda: tray.state == TrayState.SIGNED_OUT, "signed out")
    assert f"密钥连续两次被拒绝（被拒绝的请求：{MEETING_INFO}）" in tray.icon.toolTip()
