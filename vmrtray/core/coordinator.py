"""The favourites kept fresh: the generic poller (`core.polling`) plus the rooms.

The poller decides when to refresh (only while someone listens, debounced requests,
backoff with jitter, a failure logged once and the recovery once, a stop on a rejected
key); this adds what a refresh means for rooms: an immutable `Snapshot` and the `Event`s
since the last one, the recordings seen (for the catalog), a pause, and a watch on the
clocks that tells a wake from sleep. Record toggles (`core.recording`) go through it in
the tray, so the menu shows them under way and the room's state follows at once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from vmrtray.api import ApiError, AuthError, Client, Lang

from . import recording
from .catalog import Source
from .events import Busy, Event, RoomState, Snapshot, diff
from .polling import Poller
from .recording import Action, RecordOutcome, RecordSink
from .status import DEFAULT_CONCURRENCY, RoomStatus, fetch_statuses

log = logging.getLogger(__name__)

Listener = Callable[[Snapshot, list[Event]], None]
StopSink = Callable[[str], Awaitable[None]]  # a recordId that stopped

WAKE_JUMP = 15.0  # seconds the wall clock may run ahead of the monotonic one before we call it a wake
WAKE_QUIET = 20.0  # seconds after a wake in which events are listed but not alerted
WATCH_EVERY = 5.0


class Coordinator:
    """The poller (`core.polling`) plus the rooms: their states, what changed, our recordings."""

    def __init__(
        self,
        client: Client,
        rooms: Sequence[str],
        *,
        interval_active: float = 10.0,
        interval_idle: float = 60.0,
        concurrency: int = DEFAULT_CONCURRENCY,
        record_sink: RecordSink | None = None,
        record_stopped: StopSink | None = None,
        lang: Lang = "en",
        rng: random.Random | None = None,
    ) -> None:
        """`record_sink` hears of every recordId seen or opened; `record_stopped` of every
        recording seen to stop (by this app, by someone else, by the meeting ending): its
        files are made from then on (core.making)."""
        self.client = client
        self.rooms = list(dict.fromkeys(rooms))
        self.interval_active = interval_active
        self.interval_idle = interval_idle
        self.concurrency = concurrency
        self.lang = lang
        self._record_sink = record_sink
        self._record_stopped = record_stopped
        self._poller: Poller[[Snapshot, list[Event]]] = Poller(
            "the rooms' state", self._update, self._interval, watch=self._watch_clock, rng=rng
        )
        self.snapshot = Snapshot(rooms=tuple(RoomState(room) for room in self.rooms))
        self._have_data = False
        self._last_good = time.monotonic()
        self._ours: dict[str, str] = {}  # room → the recordId our openRecord gave
        self._no_record: set[str] = set()  # rooms that answered 200004
        self._busy: dict[str, Busy] = {}
        self._seen_records: set[str] = set()
        self._told_stopped: set[str] = set()
        self._clocks = (time.time(), time.monotonic())  # for the wake watch
        self._quiet_until = 0.0

    @property
    def paused(self) -> bool:
        return self._poller.paused

    # -- listeners: polling runs while there is at least one ---------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        return self._poller.add_listener(listener)

    async def aclose(self) -> None:
        """Stop polling and wait until the loop has really ended."""
        await self._poller.aclose()

    # -- control ----------------------------------------------------------------------------

    def request_refresh(self) -> None:
        """A refresh soon: several requests within the debounce window make one."""
        self._poller.request_refresh()

    def set_paused(self, paused: bool) -> None:
        self._poller.set_paused(paused)
        self._publish(replace(self.snapshot, paused=paused), [])

    def set_rooms(self, rooms: Sequence[str]) -> None:
        self.rooms = list(dict.fromkeys(rooms))
        known = {r.room: r for r in self.snapshot.rooms}
        self._publish(replace(self.snapshot, rooms=tuple(known.get(r, RoomState(r)) for r in self.rooms)), [])
        self.request_refresh()

    def sign_in(self, client: Client) -> None:
        """New credentials after a rejected key: polling starts again."""
        self.client = client
        self._publish(replace(self.snapshot, signed_out=False, error=None), [])
        self._poller.credentials_renewed()

    def notify_wake(self) -> None:
        """The machine woke or the screen was unlocked: refresh now, alert nothing for a moment."""
        self._quiet_until = time.monotonic() + WAKE_QUIET
        self._poller.wake()

    # -- the poller's jobs ---------------------------------------------------------------------

    def _interval(self) -> float:
        """Faster while a room is in use."""
        return self.interval_active if self.snapshot.in_use else self.interval_idle

    async def _watch_clock(self) -> float:
        """Suspend stops the monotonic clock but not the wall clock: a gap between them is a wake."""
        wall, mono = self._clocks
        self._clocks = now_wall, now_mono = time.time(), time.monotonic()
        if (now_wall - wall) - (now_mono - mono) > WAKE_JUMP:
            log.info("woke from sleep: refreshing")
            self.notify_wake()
        return WATCH_EVERY

    async def refresh(self) -> Snapshot:
        """One refresh of every favourite; publishes and returns the new snapshot."""
        await self._poller.refresh()
        return self.snapshot

    async def _update(self) -> None:
        """The poller's job: publishes what it found; raises when the service could not be asked."""
        statuses = await fetch_statuses(self.client, self.rooms, limit=self.concurrency)
        errors = [s.error for s in statuses if s.error is not None]
        rejected = next((e for e in errors if isinstance(e, AuthError)), None)
        if rejected is not None:
            self._publish(replace(self.snapshot, signed_out=True, error=rejected))
            raise rejected
        if statuses and len(errors) == len(statuses) and not any(isinstance(e, ApiError) for e in errors):
            age = time.monotonic() - self._last_good if self._have_data else 0.0
            self._publish(replace(self.snapshot, ok=False, error=errors[0], age=age))
            raise errors[0]
        self._last_good = time.monotonic()
        rooms = tuple(self._room_state(s) for s in statuses)
        await self._remember_records(rooms)
        stopped = _stopped_records(self.snapshot.rooms, rooms)
        self._publish(Snapshot(rooms=rooms, ok=True, paused=self.paused))
        for record_id in stopped:
            await self._tell_stopped(record_id)

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

    async def _tell_stopped(self, record_id: str) -> None:
        """Once per recordId (the toggle's stop and the refresh that then sees it are one stop);
        as with the sink, a failing catalog must not stop the polling that saw it."""
        if self._record_stopped is None or record_id in self._told_stopped:
            return
        self._told_stopped.add(record_id)
        try:
            await self._record_stopped(record_id)
        except Exception:
            log.exception("could not note that recording %s stopped", record_id)

    async def _sink(self, record_id: str, room: str, source: Source) -> None:
        await recording.remember(self._record_sink, record_id, room, source)

    async def _toggled(self, record_id: str, room: str, source: Source) -> None:
        """The toggle's sink: a recording this app opened is ours from the moment openRecord
        answers, so a refresh that lands before the toggle ends already says so."""
        if source == Source.OPENED:
            self._ours[room] = record_id
        self._seen_records.add(record_id)
        await self._sink(record_id, room, source)

    def _publish(self, snapshot: Snapshot, events: list[Event] | None = None) -> None:
        if events is None:
            events = diff(self.snapshot if self._have_data else None, snapshot, self.lang)
            self._have_data = self._have_data or snapshot.ok
        if time.monotonic() < self._quiet_until:
            events = [replace(e, quiet=True) for e in events]
        self.snapshot = snapshot
        self._poller.notify(snapshot, events)

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
                self.client, room, action, sink=self._toggled, ours=self._ours.get(room), lang=self.lang
            )
        finally:
            self._set_busy(room, None)
            self.request_refresh()
        if outcome.ok and action == Action.STOP and outcome.record_id:
            await self._tell_stopped(outcome.record_id)
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


def _stopped_records(before: Sequence[RoomState], now: Sequence[RoomState]) -> list[str]:
    """The recordIds recording in `before` and no longer in `now` (a room that became
    unavailable keeps its last state: that is not a stop)."""
    recording = {r.room: r.record_id for r in before if r.recording and r.record_id}
    return [
        record_id
        for r in now
        if (record_id := recording.get(r.room)) is not None and r.available and r.record_id != record_id
    ]
