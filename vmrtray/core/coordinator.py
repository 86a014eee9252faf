"""One object owns polling the favourites: the loop, its listeners, failures and backoff.

In the manner of Home Assistant's DataUpdateCoordinator: it polls only while someone
listens, publishes an immutable `Snapshot` and the `Event`s since the last one, debounces
requested refreshes, logs a failure once when it starts and once when it ends, backs off
with jitter (never past one normal interval, so recovery is seen within one), and on a
rejected key stops polling until it is given new credentials. Record toggles
(`core.recording`) go through it in the tray, so the menu shows them under way and the
room's state follows at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from vmrtray.api import ApiError, AuthError, Client, Lang, VmrError

from . import recording
from .catalog import Source
from .events import Busy, Event, RoomState, Snapshot, diff
from .recording import Action, RecordOutcome, RecordSink
from .status import DEFAULT_CONCURRENCY, RoomStatus, fetch_statuses

log = logging.getLogger(__name__)

Listener = Callable[[Snapshot, list[Event]], None]

DEBOUNCE = 0.3
WAKE_JUMP = 15.0  # seconds the wall clock may run ahead of the monotonic one before we call it a wake
WAKE_QUIET = 20.0  # seconds after a wake in which events are listed but not alerted
WATCH_EVERY = 5.0


class Coordinator:
    def __init__(
        self,
        client: Client,
        rooms: Sequence[str],
        *,
        interval_active: float = 10.0,
        interval_idle: float = 60.0,
        concurrency: int = DEFAULT_CONCURRENCY,
        record_sink: RecordSink | None = None,
        lang: Lang = "en",
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.rooms = list(dict.fromkeys(rooms))
        self.interval_active = interval_active
        self.interval_idle = interval_idle
        self.concurrency = concurrency
        self.lang = lang
        self._record_sink = record_sink
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        self._listeners: list[Listener] = []
        self.snapshot = Snapshot(rooms=tuple(RoomState(room) for room in self.rooms))
        self._have_data = False
        self._last_good = time.monotonic()
        self._failures = 0
        self._ours: dict[str, str] = {}  # room → the recordId our openRecord gave
        self._no_record: set[str] = set()  # rooms that answered 200004
        self._busy: dict[str, Busy] = {}
        self._seen_records: set[str] = set()
        self._wake = asyncio.Event()
        self._debounce: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self._watch: asyncio.Task[None] | None = None
        self._quiet_until = 0.0
        self.paused = False

    # -- listeners: polling runs while there is at least one ---------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        self._ensure_running()

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)
            if not self._listeners:
                self._stop_tasks()

        return remove

    def _ensure_running(self) -> None:
        if self._task is None and self._listeners and not self.snapshot.signed_out:
            self._task = asyncio.create_task(self._run(), name="vmrtray-coordinator")
            self._watch = asyncio.create_task(self._watch_clock(), name="vmrtray-wake-watch")

    def _stop_tasks(self) -> None:
        for task in (self._task, self._watch):
            if task is not None:
                task.cancel()
        self._task = self._watch = None
        if self._debounce is not None:
            self._debounce.cancel()
            self._debounce = None

    async def aclose(self) -> None:
        """Stop polling and wait until the loop has really ended."""
        tasks = [t for t in (self._task, self._watch) if t is not None]
        self._listeners.clear()
        self._stop_tasks()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- control ----------------------------------------------------------------------------

    def request_refresh(self) -> None:
        """A refresh soon: several requests within the debounce window make one."""
        if self._debounce is None:
            loop = asyncio.get_running_loop()
            self._debounce = loop.call_later(DEBOUNCE, self._fire)

    def _fire(self) -> None:
        self._debounce = None
        self._wake.set()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._publish(replace(self.snapshot, paused=paused), [])
        if not paused:
            self._wake.set()

    def set_rooms(self, rooms: Sequence[str]) -> None:
        self.rooms = list(dict.fromkeys(rooms))
        known = {r.room: r for r in self.snapshot.rooms}
        self._publish(replace(self.snapshot, rooms=tuple(known.get(r, RoomState(r)) for r in self.rooms)), [])
        self.request_refresh()

    def sign_in(self, client: Client) -> None:
        """New credentials after a rejected key: polling starts again."""
        self.client = client
        self._failures = 0
        self._publish(replace(self.snapshot, signed_out=False, error=None), [])
        self._ensure_running()
        self._wake.set()

    def notify_wake(self) -> None:
        """The machine woke or the screen was unlocked: refresh now, alert nothing for a moment."""
        self._quiet_until = time.monotonic() + WAKE_QUIET
        self._wake.set()

    # -- the loop ------------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            if not self.paused:
                await self.refresh()
                if self.snapshot.signed_out:
                    if self._watch is not None:
                        self._watch.cancel()
                    self._task = self._watch = None
                    return
            await self._sleep(self._next_delay())

    async def _sleep(self, seconds: float | None) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    def _next_delay(self) -> float | None:
        if self.paused:
            return None  # until resumed
        normal = self.interval_active if self.snapshot.in_use else self.interval_idle
        if self._failures == 0:
            return normal
        backoff = min(normal, min(2.0, normal) * 2.0 ** (self._failures - 1))
        return backoff * self._rng.uniform(0.5, 1.0)

    async def _watch_clock(self) -> None:
        """Suspend stops the monotonic clock but not the wall clock: a gap between them is a wake."""
        wall, mono = time.time(), time.monotonic()
        while True:
            await asyncio.sleep(WATCH_EVERY)
            now_wall, now_mono = time.time(), time.monotonic()
            if (now_wall - wall) - (now_mono - mono) > WAKE_JUMP:
                log.info("woke from sleep: refreshing")
                self.notify_wake()
            wall, mono = now_wall, now_mono

    async def refresh(self) -> Snapshot:
        """One refresh of every favourite; publishes and returns the new snapshot."""
        statuses = await fetch_statuses(self.client, self.rooms, limit=self.concurrency)
        errors = [s.error for s in statuses if s.error is not None]
        if any(isinstance(e, AuthError) for e in errors):
            log.warning("the service rejected the key: polling stops until new credentials")
            rejected = next(e for e in errors if isinstance(e, AuthError))
            self._publish(replace(self.snapshot, signed_out=True, error=rejected))
            return self.snapshot
        if statuses and len(errors) == len(statuses) and not any(isinstance(e, ApiError) for e in errors):
            return self._failed(errors[0])
        if self._failures:
            log.warning("the service is reachable again after %d failed refreshes", self._failures)
        self._failures = 0
        self._last_good = time.monotonic()
        rooms = tuple(self._room_state(s) for s in statuses)
        await self._remember_records(rooms)
        self._publish(Snapshot(rooms=rooms, ok=True, paused=self.paused))
        return self.snapshot

    def _failed(self, error: VmrError) -> Snapshot:
        if self._failures == 0:
            log.warning("the service is unreachable: %s", error)
        self._failures += 1
        age = time.monotonic() - self._last_good if self._have_data else 0.0
        self._publish(replace(self.snapshot, ok=False, error=error, age=age))
        return self.snapshot

    def _room_state(self, status: RoomStatus) -> RoomState:
        previous = self.snapshot.room(status.room) or RoomState(status.room)
        may_record, busy = status.room not in self._no_record, self._busy.get(status.room)
        if status.error is not None or status.info is None:
            return replace(previous, available=False, error=status.error, may_record=may_record, busy=busy)
        info, live = status.info, status.live
        recording = bool(live and live.record)
        record_id = live.record_id if live and recording else None
        return RoomState(
            room=status.room,
            name=info.name,
            available=True,
            started=info.started,
            participants=info.participants if info.started else 0,
            locked=info.locked,
            live=bool(live and live.live),
            rtmp_url=live.rtmp_url if live and live.live else None,
            recording=recording,
            record_id=record_id,
            ours=record_id is not None and self._ours.get(status.room) == record_id,
            failed_reason=live.failed_reason if live else None,
            guest_pwd=info.guestpwd,
            may_record=may_record,
            busy=busy,
        )

    async def _remember_records(self, rooms: Sequence[RoomState]) -> None:
        for room in rooms:
            if room.record_id and room.record_id not in self._seen_records:
                self._seen_records.add(room.record_id)
                await self._sink(room.record_id, room.room, Source.OPENED if room.ours else Source.SEEN)

    async def _sink(self, record_id: str, room: str, source: Source) -> None:
        if self._record_sink is not None:
            try:
                await self._record_sink(record_id, room, source)
            except Exception:  # the catalog must not stop the polling
                log.exception("could not remember recording %s", record_id)

    def _publish(self, snapshot: Snapshot, events: list[Event] | None = None) -> None:
        if events is None:
            events = diff(self.snapshot if self._have_data else None, snapshot, self.lang)
            self._have_data = self._have_data or snapshot.ok
        if time.monotonic() < self._quiet_until:
            events = [replace(e, quiet=True) for e in events]
        self.snapshot = snapshot
        for listener in list(self._listeners):
            try:
                listener(snapshot, events)
            except Exception:
                log.exception("a coordinator listener failed")

    # -- record toggles ---------------------------------------------------------------------

    async def start_recording(self, room: str) -> RecordOutcome:
        """openRecord, then getLiveRecStatus: the service may accept and still fail to record."""
        return await self._toggle(room, Action.START)

    async def stop_recording(self, room: str) -> RecordOutcome:
        return await self._toggle(room, Action.STOP)

    async def _toggle(self, room: str, action: Action) -> RecordOutcome:
        self._set_busy(room, Busy.STARTING if action == Action.START else Busy.STOPPING)
        try:
            outcome = await recording.toggle(
                self.client, room, action, sink=self._sink, ours=self._ours.get(room), lang=self.lang
            )
        finally:
            self._set_busy(room, None)
            self.request_refresh()
        if outcome.record_id is not None and action == Action.START:
            self._ours[room] = outcome.record_id
            self._seen_records.add(outcome.record_id)
        if outcome.may_not_record:
            self._no_record.add(room)
        if isinstance(outcome.error, AuthError):
            self._publish(replace(self.snapshot, signed_out=True, error=outcome.error))
        return outcome

    def _set_busy(self, room: str, busy: Busy | None) -> None:
        if busy is None:
            self._busy.pop(room, None)
        else:
            self._busy[room] = busy
        rooms = tuple(replace(r, busy=busy) if r.room == room else r for r in self.snapshot.rooms)
        self._publish(replace(self.snapshot, rooms=rooms), [])
