"""One refused answer does not sign out (issue 15, point 7): the simulator answers the
envelope's code 403 — the service's own sign of a rejected key — for one request, then
normally, and the coordinator goes on polling with data; only a rejection that repeats on
the next refresh signs out, and the signed-out state names the request refused. Before, the
first 403 signed the tray (and `vmrctl watch`) out for good."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.core.test_coordinator import ROOMS, Recorder
from tests.support.clock import Clock
from tests.support.waiting import until
from vmrtray.api import AuthError, Client
from vmrtray.core.catalog import Catalog, Source
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.events import Kind
from vmrtray.core.making import FIRST_CHECK, FilesWatch, Made, Ready
from vmrtray.core.settings import Settings
from vmrtray.core.watch import Happening, Name, Watch
from vmrtray.sim import Sim

MEETING_INFO = "/api/getmeetinginfo"


async def test_one_403_is_a_failure_and_the_polling_goes_on_with_data(sim: Sim, api: Client) -> None:
    sim.state.set_meeting("100701", started=True, participants=3)
    coordinator = Coordinator(api, ROOMS, interval_active=3600, interval_idle=3600)
    sim.faults.queue("code:403", count=1, path=MEETING_INFO)
    rec = Recorder(coordinator)
    try:
        # the refresh the 403 struck marks its room, and the next one — at the failure
        # backoff, by the loop itself (no refresh asked for here) — shows every room again
        await rec.until(lambda: bool(rec.snapshots) and any(not r.available for r in rec.last.rooms), "one room marked")
        struck = next(r for r in rec.last.rooms if not r.available)
        assert isinstance(struck.error, AuthError)
        await rec.until(lambda: all(r.available for r in rec.last.rooms), "every room again")
        assert not rec.last.signed_out
        assert Kind.SIGNED_OUT not in rec.kinds()
        assert coordinator._poller.polling
        assert rec.last.room("100701").participants == 3  # type: ignore[union-attr]
    finally:
        await coordinator.aclose()


async def test_a_403_on_every_room_once_is_not_a_sign_out_either(sim: Sim, api: Client) -> None:
    coordinator = Coordinator(api, ["100701"], interval_active=3600, interval_idle=3600)
    try:
        sim.faults.queue("code:403", count=1, path=MEETING_INFO)
        struck = await coordinator.refresh()
        assert not struck.signed_out
        assert not struck.ok
        assert isinstance(struck.error, AuthError)
        again = await coordinator.refresh()
        assert again.ok
        assert not again.signed_out
        assert again.rooms[0].available
        sim.faults.queue("code:403", count=1, path=MEETING_INFO)  # a success between: counted afresh
        assert not (await coordinator.refresh()).signed_out
    finally:
        await coordinator.aclose()


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_403_on_the_next_refresh_too_signs_out_and_names_the_request(sim: Sim, api: Client, lang: str) -> None:
    coordinator = Coordinator(api, ["100701"], interval_active=3600, interval_idle=3600, lang=lang)  # type: ignore[arg-type]
    rec = Recorder(coordinator)
    try:
        await rec.until(lambda: bool(rec.snapshots) and rec.last.ok, "first refresh")
        sim.stats.reset()
        sim.faults.queue("code:403", count=2, path=MEETING_INFO)
        coordinator.request_refresh()  # the second rejected refresh is the loop's own, at the backoff
        await rec.until(lambda: rec.last.signed_out, "signed out")
        assert not coordinator._poller.polling
        assert sim.stats.requests[MEETING_INFO] == 2
        told = [e for e in rec.events if e.kind == Kind.SIGNED_OUT]
        assert len(told) == 1
        sentence = told[0].describe(lang)  # type: ignore[arg-type]
        assert MEETING_INFO in sentence
        assert ("twice in a row" if lang == "en" else "连续两次") in sentence
    finally:
        await coordinator.aclose()


async def test_a_toggle_refused_once_does_not_sign_out(sim: Sim, api: Client) -> None:
    sim.state.set_meeting("100701", started=True, participants=3)
    coordinator = Coordinator(api, ["100701"], interval_active=3600, interval_idle=3600)
    rec = Recorder(coordinator)
    try:
        await rec.until(lambda: bool(rec.snapshots) and rec.last.ok, "first refresh")
        sim.faults.queue("code:403", count=1, path="/meeting/openRecord")
        outcome = await coordinator.start_recording("100701")
        assert isinstance(outcome.error, AuthError)  # the click's own answer says it
        assert not rec.last.signed_out
        again = await coordinator.refresh()  # the refresh it asked for is answered: the key is good
        assert again.ok
        assert not again.signed_out
        assert coordinator._poller.rejections == 0
    finally:
        await coordinator.aclose()


async def test_the_files_watch_asks_again_after_one_403_and_tells_ready(sim: Sim, api: Client, tmp_path: Path) -> None:
    """The files watch (`vmrctl watch`, the tray) shares the rule: one 403 to getRecords is
    asked again at the backoff, its schedule kept; the recording is then told ready."""
    clock = Clock()
    sim.state.clock = clock
    sim.state.set_meeting("100701", started=True)
    record_id = await api.open_record("100701")
    await api.close_record("100701")
    watch = FilesWatch(api, Catalog(tmp_path / "catalog.sqlite3", clock=clock), clock=clock)
    watch.catalog.add(record_id, room="100701", source=Source.OPENED)
    await watch.stopped(record_id, datetime.fromtimestamp(clock.now, UTC))
    clock.now += FIRST_CHECK
    sim.faults.queue("code:403", path="/meeting/getRecords", count=1)
    told: list[Made] = []
    watch.add_listener(told.extend)
    try:
        await until(lambda: any(isinstance(m, Ready) for m in told), "ready after the refusal")
        assert watch.poller.polling
        assert not watch.poller.rejected
        assert sim.stats.requests["/meeting/getRecords"] >= 2
    finally:
        await watch.poller.aclose()
        watch.catalog.close()


async def test_vmrctl_watch_ends_only_on_the_second_403_and_names_the_request(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    """`vmrctl watch` follows the coordinator: one 403 and it watches on; the next refresh
    refused too ends it, its SIGNED_OUT line naming the request."""
    told: list[Happening] = []
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    watch = Watch(api, catalog, ["100701"], told.append, settings=Settings(server=sim.url), folder=None)
    sim.faults.queue("code:403", count=1, path=MEETING_INFO)
    running = asyncio.ensure_future(watch.run())
    try:
        await until(lambda: sim.stats.requests[MEETING_INFO] >= 2, "asked again after the one 403")
        await until(lambda: watch.coordinator.snapshot.ok, "watching on")
        assert not running.done()
        sim.faults.queue("code:403", count=2, path=MEETING_INFO)
        watch.coordinator.request_refresh()
        rejected = await asyncio.wait_for(running, 15)  # a guard against a hang, not a measurement
    finally:
        running.cancel()
        await watch.aclose()
        catalog.close()
    assert isinstance(rejected, AuthError)
    (line,) = [h for h in told if h.event == Name.SIGNED_OUT]
    assert MEETING_INFO in line.text


async def test_a_refresh_then_a_toggle_refused_sign_out_naming_the_toggles_request(sim: Sim, api: Client) -> None:
    """Two refusals in a row with no success between, whichever asked: the second (the click's)
    signs out, and the snapshot names that request."""
    sim.state.set_meeting("100701", started=True, participants=3)
    coordinator = Coordinator(api, ["100701"], interval_active=3600, interval_idle=3600)
    try:
        sim.faults.queue("code:403", count=1, path=MEETING_INFO)
        assert not (await coordinator.refresh()).signed_out
        sim.faults.queue("code:403", count=1, path="/meeting/openRecord")
        await coordinator.start_recording("100701")
        assert coordinator.snapshot.signed_out
        assert coordinator._poller.rejected
        assert coordinator.snapshot.error is not None
        assert "/meeting/openRecord" in coordinator.snapshot.error.describe("en")
    finally:
        await coordinator.aclose()
