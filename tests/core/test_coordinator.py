"""The coordinator against the simulator: events, record toggles, failures, sign-out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest_asyncio

from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.events import Event, Kind, Snapshot
from vmrtray.sim import DEMO_PUBLIC_KEY, Sim

ROOMS = ["100701", "100702", "100703"]


class Recorder:
    """Listens to a coordinator; `until` awaits a condition on what it has published."""

    def __init__(self, coordinator: Coordinator) -> None:
        self.snapshots: list[Snapshot] = []
        self.events: list[Event] = []
        self._changed = asyncio.Event()
        self.remove = coordinator.add_listener(self)

    def __call__(self, snapshot: Snapshot, events: list[Event]) -> None:
        self.snapshots.append(snapshot)
        self.events.extend(events)
        self._changed.set()

    @property
    def last(self) -> Snapshot:
        return self.snapshots[-1]

    def kinds(self, room: str | None = None) -> list[Kind]:
        return [e.kind for e in self.events if room is None or e.room == room]

    async def until(self, condition: Callable[[], bool], what: str = "") -> None:
        try:
            async with asyncio.timeout(15):  # a guard against hanging, not a measurement
                while not condition():
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"never happened: {what}; events {self.kinds()}") from None


@pytest_asyncio.fixture
async def coordinator(api: Client) -> AsyncIterator[Coordinator]:
    seen: list[tuple[str, str, str]] = []

    async def sink(record_id: str, room: str, source: str, name: str | None) -> None:
        seen.append((record_id, room, source))

    coord = Coordinator(api, ROOMS, interval_active=30, interval_idle=30, record_sink=sink)
    coord.sunk = seen  # type: ignore[attr-defined]
    yield coord
    await coord.aclose()


async def test_first_snapshot_then_events_that_follow_the_sim(sim: Sim, coordinator: Coordinator) -> None:
    rec = Recorder(coordinator)
    await rec.until(lambda: bool(rec.snapshots) and rec.last.rooms[0].available, "first refresh")
    assert rec.events == []  # the first snapshot is the baseline
    assert rec.last.rooms[0].name == "研发部会议室"
    assert [r.started for r in rec.last.rooms] == [True, False, False]

    sim.state.set_meeting("100702", started=True, participants=2)
    sim.state.set_meeting("100701", participants=7)
    coordinator.request_refresh()
    await rec.until(lambda: Kind.MEETING_STARTED in rec.kinds("100702"), "meeting started")
    assert Kind.PARTICIPANTS_CHANGED in rec.kinds("100701")

    sim.state.set_meeting("100702", started=False)
    coordinator.request_refresh()
    await rec.until(lambda: Kind.MEETING_ENDED in rec.kinds("100702"), "meeting ended")


async def test_a_recording_is_ours_or_someone_elses(sim: Sim, api: Client, coordinator: Coordinator) -> None:
    rec = Recorder(coordinator)
    await rec.until(lambda: bool(rec.snapshots), "first refresh")

    outcome = await coordinator.start_recording("100701")
    assert outcome.ok
    await rec.until(lambda: Kind.RECORDING_STARTED in rec.kinds("100701"), "our recording seen")
    started = next(e for e in rec.events if e.kind == Kind.RECORDING_STARTED)
    assert started.ours is True
    assert rec.last.room("100701").ours  # type: ignore[union-attr]
    assert (outcome.record_id, "100701", "opened") in coordinator.sunk  # type: ignore[attr-defined]
    assert (await coordinator.stop_recording("100701")).ok

    sim.state.set_meeting("100702", started=True)
    async with Client(sim.url, DEMO_PUBLIC_KEY) as someone_else:
        theirs = await someone_else.open_record("100702")
    coordinator.request_refresh()
    await rec.until(lambda: Kind.RECORDING_STARTED in rec.kinds("100702"), "their recording seen")
    assert rec.last.room("100702").ours is False  # type: ignore[union-attr]
    assert (theirs, "100702", "seen") in coordinator.sunk  # type: ignore[attr-defined]


async def test_a_recording_that_fails_after_open_is_reported(sim: Sim, coordinator: Coordinator) -> None:
    sim.state.find_room("100701")[1].record_fails = "云存储空间不足"  # type: ignore[index]
    rec = Recorder(coordinator)
    await rec.until(lambda: bool(rec.snapshots), "first refresh")
    outcome = await coordinator.start_recording("100701")
    assert not outcome.ok
    assert outcome.reason == "云存储空间不足"
    await rec.until(lambda: Kind.RECORDING_FAILED in rec.kinds("100701"), "failure event")
    failed = next(e for e in rec.events if e.kind == Kind.RECORDING_FAILED)
    assert "云存储空间不足" in failed.describe("en")


async def test_a_room_that_may_not_record_says_so(sim: Sim, api: Client) -> None:
    sim.state.set_meeting("100706", started=True)
    coord = Coordinator(api, ["100706"], interval_active=30, interval_idle=30)
    rec = Recorder(coord)
    try:
        await rec.until(lambda: bool(rec.snapshots), "first refresh")
        outcome = await coord.start_recording("100706")
        assert "may not be recorded" in outcome.reason
        await rec.until(lambda: rec.last.rooms[0].may_record is False, "room marked")
    finally:
        await coord.aclose()


async def test_progress_is_shown_at_once_during_a_toggle(sim: Sim, coordinator: Coordinator) -> None:
    rec = Recorder(coordinator)
    await rec.until(lambda: bool(rec.snapshots), "first refresh")
    await coordinator.start_recording("100701")
    busy = [s.room("100701").busy for s in rec.snapshots]  # type: ignore[union-attr]
    assert "starting" in busy
    assert busy[-1] is None


async def test_unreachable_keeps_stale_data_then_recovers_within_an_interval(sim: Sim, api: Client) -> None:
    coord = Coordinator(api, ROOMS, interval_active=1.0, interval_idle=1.0)
    rec = Recorder(coord)
    try:
        await rec.until(lambda: bool(rec.snapshots) and rec.last.ok, "first refresh")
        sim.faults.rate, sim.faults.kinds = 1.0, ("502",)
        coord.request_refresh()
        await rec.until(lambda: Kind.SERVICE_UNREACHABLE in rec.kinds(), "unreachable")
        assert rec.last.ok is False
        assert rec.last.rooms[0].name == "研发部会议室"  # the last good data stays shown
        await rec.until(lambda: rec.last.age > 0, "the data ages")
        assert rec.kinds().count(Kind.SERVICE_UNREACHABLE) == 1  # said once, however long it lasts
        sim.faults.rate = 0.0
        await rec.until(lambda: Kind.SERVICE_BACK in rec.kinds(), "recovery")  # no request_refresh: the loop
        assert rec.last.ok
    finally:
        await coord.aclose()


def test_backoff_never_waits_longer_than_one_interval(api: Client) -> None:
    coord = Coordinator(api, ROOMS, interval_active=10, interval_idle=60)
    delays = []
    for failures in range(1, 12):
        coord._poller.failures = failures
        delays.append(coord._poller.next_delay())
    assert all(d is not None and d <= 60 for d in delays)
    assert delays[0] < delays[-1]  # it does back off


async def test_a_rejected_key_signs_out_and_polling_stops(sim: Sim) -> None:
    async with Client(sim.url, "not-the-key") as wrong:
        coord = Coordinator(wrong, ROOMS, interval_active=30, interval_idle=30)
        rec = Recorder(coord)
        try:
            await rec.until(lambda: bool(rec.snapshots) and rec.last.signed_out, "signed out")
            assert not coord._poller.polling
            async with Client(sim.url, DEMO_PUBLIC_KEY) as right:
                coord.sign_in(right)
                await rec.until(lambda: not rec.last.signed_out and rec.last.rooms[0].available, "signed in")
        finally:
            await coord.aclose()


async def test_requests_within_the_debounce_make_one_refresh(sim: Sim, coordinator: Coordinator) -> None:
    rec = Recorder(coordinator)
    await rec.until(lambda: len(rec.snapshots) == 1, "first refresh")
    sim.stats.reset()
    for _ in range(5):
        coordinator.request_refresh()
    sim.state.set_meeting("100703", started=True)
    await rec.until(lambda: Kind.MEETING_STARTED in rec.kinds("100703"), "refreshed")
    assert sim.stats.requests["/api/getmeetinginfo"] == len(ROOMS)


async def test_polling_stops_when_nobody_listens(coordinator: Coordinator) -> None:
    rec = Recorder(coordinator)
    await rec.until(lambda: bool(rec.snapshots), "first refresh")
    rec.remove()
    assert not coordinator._poller.polling


async def test_after_a_wake_events_are_listed_but_quiet(sim: Sim, coordinator: Coordinator) -> None:
    rec = Recorder(coordinator)
    await rec.until(lambda: bool(rec.snapshots), "first refresh")
    sim.state.set_meeting("100702", started=True)
    coordinator.notify_wake()
    await rec.until(lambda: Kind.MEETING_STARTED in rec.kinds("100702"), "refresh on wake")
    assert all(e.quiet for e in rec.events)


async def test_pause_holds_polling_until_resumed(sim: Sim, coordinator: Coordinator) -> None:
    rec = Recorder(coordinator)
    await rec.until(lambda: bool(rec.snapshots), "first refresh")
    coordinator.set_paused(True)
    assert rec.last.paused
    sim.state.set_meeting("100702", started=True)
    coordinator.set_paused(False)
    await rec.until(lambda: Kind.MEETING_STARTED in rec.kinds("100702"), "resumed")
    assert not rec.last.paused


async def test_our_recording_is_ours_before_the_toggle_has_heard_the_status(sim: Sim, coordinator: Coordinator) -> None:
    rec = Recorder(coordinator)
    await rec.until(lambda: bool(rec.snapshots), "first refresh")
    sim.faults.queue("hang", path="/meeting/getLiveRecStatus")  # the toggle's confirmation is held
    toggling = asyncio.ensure_future(coordinator.start_recording("100701"))
    await until(lambda: sim.stats.requests["/meeting/getLiveRecStatus"] > 0, "the confirmation asked")
    await coordinator.refresh()  # a refresh of its own interval lands meanwhile
    assert rec.last.room("100701").recording  # type: ignore[union-attr]
    assert rec.last.room("100701").ours  # type: ignore[union-attr]
    started = next(e for e in rec.events if e.kind == Kind.RECORDING_STARTED)
    assert started.ours is True
    sim.faults.release.set()
    await toggling


async def test_every_stop_it_sees_or_makes_is_told_once_each(sim: Sim, api: Client) -> None:
    """Stopped by someone else (seen while polling), by the meeting ending, and by this app's
    own toggle: each recordId told as stopped, for its files to be asked for (core.making)."""
    stopped: list[str] = []

    async def told(record_id: str) -> None:
        stopped.append(record_id)

    coord = Coordinator(api, ROOMS, interval_active=30, interval_idle=30, record_stopped=told)
    rec = Recorder(coord)
    try:
        await rec.until(lambda: bool(rec.snapshots) and rec.last.rooms[0].available, "first refresh")
        tenant = sim.state.tenants[DEMO_PUBLIC_KEY]
        by_someone = sim.state.open_record(tenant, "100701")
        await coord.refresh()
        sim.state.close_record(tenant, "100701")  # someone else stops it (the portal)
        await coord.refresh()
        assert stopped == [by_someone]
        by_meeting_end = sim.state.open_record(tenant, "100701")
        await coord.refresh()
        sim.state.set_meeting("100701", started=False)  # the meeting ends, and the recording with it
        await coord.refresh()
        assert stopped == [by_someone, by_meeting_end]
        sim.state.set_meeting("100701", started=True)
        started = await coord.start_recording("100701")
        await coord.refresh()
        assert (await coord.stop_recording("100701")).ok
        await coord.refresh()  # the refresh that sees it stopped tells nothing more
        assert stopped == [by_someone, by_meeting_end, started.record_id]
    finally:
        rec.remove()
        await coord.aclose()
