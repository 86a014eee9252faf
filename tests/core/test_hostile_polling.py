"""The coordinator under every fault: the room at fault is marked unavailable with one
readable line, the others stay; when every request fails the last data stays, marked; and
the next refresh of its own interval brings the room back once the fault stops. A refused
key once (the envelope's code 403) is such a fault too, never a sign-out (issue 15, point 7)."""

from __future__ import annotations

import pytest

from tests.core.test_coordinator import ROOMS, Recorder
from vmrtray.api import Client
from vmrtray.core.coordinator import Coordinator
from vmrtray.sim import DEMO_PUBLIC_KEY, Sim

FAULTS = ["500", "502", "html", "malformed", "empty", "huge", "reset", "hang", "drip", "wrong-types", "missing-fields"]
FAULTS += ["code:403"]  # a rejected key, once


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_fault_marks_its_room_and_the_next_interval_heals_it(sim: Sim, fault: str) -> None:
    sim.state.set_meeting("100701", started=True, participants=3)
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=0.5) as api:
        coord = Coordinator(api, ROOMS, interval_active=0.3, interval_idle=0.3)
        rec = Recorder(coord)
        try:
            await rec.until(lambda: bool(rec.snapshots) and rec.last.ok, "first refresh")
            sim.faults.queue(fault, path="/api/getmeetinginfo")  # the next room asked gets it
            await rec.until(lambda: any(not r.available for r in rec.last.rooms), "a room unavailable")
            faulty = rec.snapshots[-1]
            broken = [r for r in faulty.rooms if not r.available]
            assert len(broken) == 1
            assert faulty.ok  # one room's trouble is not the service's
            assert broken[0].error is not None
            for lang in ("en", "zh"):
                line = broken[0].error.describe(lang)  # type: ignore[arg-type]
                assert line
                assert "\n" not in line
                assert "Traceback" not in line
            sim.faults.release.set()
            seen = len(rec.snapshots)
            await rec.until(lambda: len(rec.snapshots) > seen, "the next refresh")  # its own interval
            assert all(r.available for r in rec.snapshots[seen].rooms)
            assert not any(snapshot.signed_out for snapshot in rec.snapshots)
        finally:
            await coord.aclose()


@pytest.mark.parametrize("fault", ["502", "reset", "hang", "drip", "huge", "code:403"])
async def test_when_every_request_fails_the_last_data_stays_then_comes_back(sim: Sim, fault: str) -> None:
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=0.5) as api:
        coord = Coordinator(api, ROOMS, interval_active=0.3, interval_idle=0.3)
        rec = Recorder(coord)
        try:
            await rec.until(lambda: bool(rec.snapshots) and rec.last.ok, "first refresh")
            sim.faults.queue(fault, count=len(ROOMS), path="/api/getmeetinginfo")
            await rec.until(lambda: not rec.last.ok, "the service unreachable")
            assert [r.name for r in rec.last.rooms] == [r.name for r in rec.snapshots[0].rooms]  # kept
            sim.faults.release.set()
            await rec.until(lambda: rec.last.ok, "back")
            assert all(r.available for r in rec.last.rooms)
            assert not any(snapshot.signed_out for snapshot in rec.snapshots)
        finally:
            await coord.aclose()
