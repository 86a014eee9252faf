"""The simulated world: the seeded demo script is repeatable, and lively."""

from __future__ import annotations

import httpx

from tests.support.clock import Clock
from vmrtray.sim import DEMO_PUBLIC_KEY, DemoWorld, Sim, SimState
from vmrtray.sim.state import Tenant


def _snapshot(state: SimState) -> list[tuple[str, int | None, bool]]:
    return [
        (room.sipkey, room.meeting.participants if room.meeting else None, bool(room.meeting and room.meeting.live))
        for room in state.tenants[DEMO_PUBLIC_KEY].rooms.values()
    ]


def test_the_same_seed_plays_the_same_script() -> None:
    one, two, other = DemoWorld(seed=7), DemoWorld(seed=7), DemoWorld(seed=8)
    runs: list[list[object]] = [[], [], []]
    for _ in range(200):
        for state, seen in zip((one, two, other), runs, strict=True):
            state.script_step()
            seen.append(_snapshot(state))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_the_script_starts_and_ends_meetings() -> None:
    state = DemoWorld(seed=3)
    started_counts = set()
    for _ in range(300):
        state.script_step()
        started_counts.add(sum(1 for s in _snapshot(state) if s[1] is not None))
    assert len(started_counts) > 2  # rooms come and go, not a frozen picture


async def test_control_api_steers_meetings_and_faults() -> None:
    async with Sim() as sim, httpx.AsyncClient(base_url=sim.url) as http:
        info = (await http.post("/_sim/meeting", json={"room": "100702", "started": True, "participants": 9})).json()
        assert {"sipkey": "100702", "started": True, "participants": 9}.items() <= next(
            r for r in info["rooms"] if r["sipkey"] == "100702"
        ).items()
        assert (await http.post("/_sim/faults", json={"kind": "nope"})).status_code == 400
        await http.post("/_sim/faults", json={"kind": "500", "path": "/api/getmeetinginfo"})
        assert (await http.get("/api/getmeetinginfo", params={"addr": "100701"})).status_code == 500
        assert (await http.get("/api/getmeetinginfo", params={"addr": "100701"})).status_code == 200
        stats = (await http.get("/_sim/stats")).json()
        assert stats["requests"]["/api/getmeetinginfo"] == 2


async def test_the_real_messages_for_a_missing_key_and_body() -> None:
    async with Sim() as sim, httpx.AsyncClient(base_url=sim.url) as http:
        no_key = (await http.post("/meeting/openRecord", json={"conferenceKey": "100701"})).json()
        no_body = (await http.post("/meeting/openRecord", headers={"auth": DEMO_PUBLIC_KEY})).json()
    assert (no_key["state"], no_key["message"]) == (0, "auth码不能为空")
    assert (no_body["state"], no_body["message"]) == (0, "消息体缺失,请检查")


def _paced(clock: Clock) -> tuple[SimState, Tenant]:
    state = DemoWorld(seed=1)
    state.clock = clock
    tenant = state.tenants[DEMO_PUBLIC_KEY]
    state.set_meeting("100701", started=True)
    return state, tenant


def test_a_recorder_still_joining_says_false_with_the_new_record_id_then_true() -> None:
    clock = Clock(1000.0)
    state, tenant = _paced(clock)
    state.start_delay = 2.0
    record_id = state.open_record(tenant, "100701")
    status = state.live_status(tenant, "100701")
    assert (status["record"], status["recordId"], "failedReason" in status) == (False, record_id, False)
    clock.now += 2.0
    status = state.live_status(tenant, "100701")
    assert (status["record"], status["recordId"]) == (True, record_id)


def test_a_recorder_that_fails_while_joining_names_its_reason_and_leaves_no_files() -> None:
    clock = Clock(1000.0)
    state, tenant = _paced(clock)
    room = tenant.rooms["100701"]
    room.start_delay, room.record_fails = 3.0, "录制服务器繁忙"
    record_id = state.open_record(tenant, "100701")
    assert state.live_status(tenant, "100701")["record"] is False
    clock.now += 3.0
    status = state.live_status(tenant, "100701")
    assert (status["record"], status["recordId"], status["failedReason"]) == (False, record_id, "录制服务器繁忙")
    assert state.record_files(tenant, record_id) == []


def test_files_are_listed_only_once_they_are_made() -> None:
    clock = Clock(1000.0)
    state, tenant = _paced(clock)
    state.files_delay = 5.0
    record_id = state.open_record(tenant, "100701")
    clock.now += 60
    state.close_record(tenant, "100701")
    assert state.record_files(tenant, record_id) == []
    clock.now += 5.0
    assert len(state.record_files(tenant, record_id)) == 1
