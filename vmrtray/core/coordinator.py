"""The favourites kept fresh: the generic poller (`core.polling`) plus the rooms.

The poller decides when to refresh (only while someone listens, debounced requests,
backoff with jitter, a failure logged once and the recovery once, a stop on a key rejected
twice in a row); this adds what a refresh means for rooms: an immutable `Snapshot` and the `Event`s
since the last one, the recordings seen (for the catalog), a pause, and a watch on the
clocks that tells a wake from sleep. Record toggles (`core.recording`) go through it in
the tray, so the menu shows them under way and the room's state follows at once.

A start this app asks for is the coordinator's until the service settles it: the room is
"starting" (`Busy.STARTING`) from the click until a status says it records with the new
recordId, names a failedReason for it, or `give_up_after` seconds pass — the toggle's own
confirming (up to `start_wait`) first, then the normal polling. Its end is told once, as
an event: RECORDING_STARTED, RECORDING_FAILED (ours: "did not start", with the service's
words made plain) or RECORDING_UNCONFIRMED; whichever source sees it first, a recordId's
start or failure is never told twice (`_once`).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from vmrtray.api import ApiError, AuthError, Client, Lang

from . import live, recording
from .catalog import Source
from .events import Busy, Event, Kind, RoomState, Snapshot, diff
from .live import LiveOutcome
from .making import OpenRecord
from .polling import Poller
from .recording import START_WAIT, Action, RecordOutcome, RecordSink, failure_words
from .status import DEFAULT_CONCURRENCY, RoomStatus, fetch_statuses

log = logging.getLogger(__name__)

Listener = Callable[[Snapshot, list[Event]], None]
StopSink = Callable[[str], Awaitable[None]]  # a recordId that stopped

WAKE_JUMP = 15.0  # seconds the wall clock may run ahead of the monotonic one before we call it a wake
WAKE_QUIET = 20.0  # seconds after a wake in which events are listed but not alerted
WATCH_EVERY = 5.0
#: Seconds after the click a start the service neither confirmed nor refused is given up on
#: (said once, the room no longer "starting"); a joining recorder takes seconds, not minutes.
START_GIVE_UP = 300.0

#: Seconds after a recording was first written down during which `record: false` with its
#: recordId may still be a recorder joining (a start by another process), not a stop: as long
#: as a start of our own is given (a recorder may take over a minute). Taken for a stop later
#: and then seen recording, the stop is taken back (`_remember_records`).
JOIN_GRACE = START_GIVE_UP
_STOPPED, _FAILED = "stopped", "failed"


class Recordings(Protocol):
    """The catalog's recordings not known to have stopped (core.making.FilesWatch)."""

    async def open_records(self, rooms: Sequence[str]) -> Sequence[OpenRecord]: ...

    async def start_failed(self, record_id: str) -> None: ...

    async def recorded(self, record_id: str) -> None: ...


#: The events told once per recording, whoever saw it first (the toggle, a refresh).
_ONCE = frozenset({Kind.RECORDING_STARTED, Kind.RECORDING_FAILED, Kind.RECORDING_UNCONFIRMED})


@dataclass
class _Start:
    """A start this app asked for that the service has neither confirmed nor refused yet."""

    give_up_at: float  # time.monotonic()
    record_id: str | None = None  # once openRecord has answered
    toggling: bool = True  # the toggle's own confirming has not ended


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
        recordings: Recordings | None = None,
        lang: Lang = "en",
        rng: random.Random | None = None,
        start_wait: float = START_WAIT,
        give_up_after: float = START_GIVE_UP,
        join_grace: float = JOIN_GRACE,
    ) -> None:
        """`record_sink` hears of every recordId seen or opened; `record_stopped` of every
        recording seen to stop (by this app, by someone else, by the meeting ending): its
        files are made from then on (core.making); `recordings` (core.making.FilesWatch)
        names the recordings the catalog does not know stopped, compared with the rooms at each
        refresh (`_unseen_stops`). A start is confirmed by the toggle for
        `start_wait` seconds, then watched on the polling until `give_up_after` seconds after
        the click."""
        self.client = client
        self.rooms = list(dict.fromkeys(rooms))
        self.interval_active = interval_active
        self.interval_idle = interval_idle
        self.concurrency = concurrency
        self.lang = lang
        self._record_sink = record_sink
        self._record_stopped = record_stopped
        self._recordings = recordings
        self.join_grace = join_grace
        self.start_wait = start_wait
        self.give_up_after = give_up_after
        self._poller: Poller[[Snapshot, list[Event]]] = Poller(
            "the rooms' state",
            self._update,
            self._interval,
            watch=self._watch_clock,
            rng=rng,
            signed_out=self._signed_out,
        )
        self.snapshot = Snapshot(rooms=tuple(RoomState(room) for room in self.rooms))
        self._have_data = False
        self._last_good = time.monotonic()
        self._ours: dict[str, str] = {}  # room → the recordId our openRecord gave
        self._no_record: set[str] = set()  # rooms that answered 200004
        self._no_stream: set[str] = set()  # rooms that answered 200005 (may not be streamed)
        self._busy: dict[str, Busy] = {}  # rooms whose stop is under way
        self._starts: dict[str, _Start] = {}  # rooms whose start of ours is not settled yet
        self._told: set[tuple[Kind, str]] = set()  # (kind, recordId or room+reason) already told
        self._refreshes = 0  # refreshes begun
        self._decided: dict[str, int] = {}  # room → refreshes begun when the toggle's status settled it
        self._seen_records: set[str] = set()
        self._recorded: set[str] = set()  # recordIds a status said were recording
        self._told_stopped: set[str] = set()
        self._clocks = (time.time(), time.monotonic())  # for the wake watch
        self._quiet_until = 0.0
        self.live_wait = live.START_WAIT  # seconds a live start is confirmed for (core.live)
        self._live_busy: dict[str, Busy] = {}  # rooms whose live toggle is under way
        self._live_urls: dict[str, str] = {}  # room → the watch address our accepted openLive gave
        self._no_live = False  # the server answered that it has no live endpoints

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
        self._refreshes += 1
        began = self._refreshes
        statuses = await fetch_statuses(self.client, self.rooms, limit=self.concurrency)
        errors = [s.error for s in statuses if s.error is not None]
        rejected = next((e for e in errors if isinstance(e, AuthError)), None)
        if rejected is not None and self._poller.signs_out:  # the refresh before was rejected too
            self._publish(replace(self.snapshot, signed_out=True, error=rejected))
            raise rejected
        # A first rejection is a failure like others: the rooms it struck are marked (or, when
        # every room failed, the service), and raised at the end for the poller to count.
        if statuses and len(errors) == len(statuses) and not any(isinstance(e, ApiError) for e in errors):
            age = time.monotonic() - self._last_good if self._have_data else 0.0
            self._publish(replace(self.snapshot, ok=False, error=rejected or errors[0], age=age))
            raise rejected or errors[0]
        self._last_good = time.monotonic()
        stale = {s.room for s in statuses if self._decided.get(s.room, 0) >= began}
        settled = [self._settle_start(s) for s in statuses if s.room in self._starts and s.room not in stale]
        rooms = tuple(self._kept(s.room) if s.room in stale else self._room_state(s) for s in statuses)
        await self._remember_records(rooms)
        stopped = _stopped_records(self.snapshot.rooms, rooms)
        ends = [self._start_event(rooms, *end) for end in settled if end is not None]
        unseen = await self._unseen_stops([s for s in statuses if s.room not in stale], rooms, stopped)
        for record_id in [*stopped, *(e.record_id for e in unseen)]:  # written down before it is told
            await self._tell_stopped(record_id)
        snapshot = Snapshot(rooms=rooms, ok=True, paused=self.paused, no_live=self._no_live)
        self._publish(snapshot, first=[*ends, *unseen])
        if rejected is not None:
            raise rejected

    async def _unseen_stops(
        self, statuses: Sequence[RoomStatus], rooms: Sequence[RoomState], seen: Sequence[str]
    ) -> list[Event]:
        """The stops no comparison of two refreshes shows: a recording the catalog knows of, not
        stopped there, whose room the service now says does not record it — stopped while this
        process did not run, or between two refreshes, or by another process that did not write
        its stop down. A start refused with a failedReason for it is marked so (no files will
        come), not followed. Told as RECORDING_STOPPED, once (`_once`)."""
        if self._recordings is None:
            return []
        try:
            known = await self._recordings.open_records([s.room for s in statuses])
        except Exception:  # the catalog busy or failing: the polling goes on, asked again next time
            log.warning("could not compare the recordings of the catalog with the rooms", exc_info=True)
            return []
        by_room = {s.room: s for s in statuses}
        events: list[Event] = []
        for record in known:
            status = by_room.get(record.room)
            if status is None or record.record_id in self._told_stopped or record.record_id in seen:
                continue
            verdict = self._verdict(record, status)
            if verdict == _FAILED:
                try:
                    await self._recordings.start_failed(record.record_id)
                except Exception:
                    log.warning("could not note that recording %s did not start", record.record_id, exc_info=True)
            elif verdict == _STOPPED:
                label = next((r.label for r in rooms if r.room == record.room), record.room)
                ours = self._ours.get(record.room) == record.record_id
                events.append(Event(Kind.RECORDING_STOPPED, record.room, label, ours=ours, record_id=record.record_id))
        return events

    def _verdict(self, record: OpenRecord, status: RoomStatus) -> str | None:
        """What a room's fresh status says of one of its recordings not known to have stopped:
        _STOPPED, _FAILED, or None (it records, or may still be joining, or the room did not
        answer). `record: false` with this very recordId is also how the service says a
        recorder is still joining: a start of ours not settled yet is not a stop, nor one
        first seen less than JOIN_GRACE ago that no status was seen to say records."""
        record_id = record.record_id
        if status.error is not None or status.info is None:
            return None
        if not status.info.started:
            return _STOPPED  # no meeting, no recorder
        live = status.live
        if live is None:
            return None  # the meeting runs and its status went unanswered
        named = live.record_id or ""
        if named == record_id and live.failed_reason and not live.record:
            return _FAILED
        if live.record:
            return None if named == record_id else _STOPPED
        if named and named != record_id:
            return _STOPPED  # the room's last recording is another one
        start = self._starts.get(status.room)
        if start is not None and start.record_id in (None, record_id):
            return None  # our start, still being confirmed
        if record.recorded or record_id in self._recorded or time.time() - record.first_seen >= self.join_grace:
            return _STOPPED
        return None

    def _busy_of(self, room: str) -> Busy | None:
        return Busy.STARTING if room in self._starts else self._busy.get(room)

    def _kept(self, room: str) -> RoomState:
        """A room whose answer was asked before the toggle's own status settled it: what that
        status said stands (published then), not the older answer."""
        previous = self.snapshot.room(room) or RoomState(room)
        may_record, live_busy = room not in self._no_record, self._live_busy.get(room)
        may_live = room not in self._no_stream
        return replace(
            previous, busy=self._busy_of(room), may_record=may_record, live_busy=live_busy, may_live=may_live
        )

    def _room_state(self, status: RoomStatus) -> RoomState:
        previous = self.snapshot.room(status.room) or RoomState(status.room)
        may_record, busy = status.room not in self._no_record, self._busy_of(status.room)
        if status.error is not None or status.info is None:
            live_busy = self._live_busy.get(status.room)
            return replace(
                previous, available=False, error=status.error, may_record=may_record, busy=busy, live_busy=live_busy
            )
        info, live = status.info, status.live
        is_live = bool(live and live.live)
        if not info.started or (previous.live and not is_live):  # our stream, if any, has ended
            self._live_urls.pop(status.room, None)
        recording = bool(live and live.record)
        record_id = live.record_id if live and recording else None
        failed = failure_words(live.failed_reason, self.lang) if live and live.failed_reason else None
        attempt = live.record_id if live else None
        ours = self._ours.get(status.room)
        return RoomState(
            room=status.room,
            name=info.name,
            available=True,
            started=info.started,
            participants=info.participants if info.started else 0,
            locked=info.locked,
            live=is_live,
            rtmp_url=live.rtmp_url if live and live.live else None,
            live_busy=self._live_busy.get(status.room),
            live_url=self._live_urls.get(status.room),
            recording=recording,
            record_id=record_id,
            ours=ours is not None and ours == (record_id if recording else attempt if failed else None),
            failed_reason=failed,
            status_record_id=attempt,
            guest_pwd=info.guestpwd,
            may_record=may_record,
            may_live=status.room not in self._no_stream,
            busy=busy,
        )

    async def _remember_records(self, rooms: Sequence[RoomState]) -> None:
        for room in rooms:
            if room.recording and room.record_id and room.record_id not in self._recorded:
                self._recorded.add(room.record_id)
                if room.record_id in self._told_stopped:  # a recorder slower than JOIN_GRACE, not a stop:
                    self._told_stopped.discard(room.record_id)  # its real stop is told when it comes
                    self._told.discard((Kind.RECORDING_STOPPED, room.record_id))
                await self._note_recorded(room.record_id)
            if room.record_id and room.record_id not in self._seen_records:
                self._seen_records.add(room.record_id)
                await self._sink(room.record_id, room.room, Source.OPENED if room.ours else Source.SEEN, room.name)

    async def _note_recorded(self, record_id: str) -> None:
        if self._recordings is None:
            return
        try:
            await self._recordings.recorded(record_id)
        except Exception:  # as with the sink: the polling goes on
            log.warning("could not note that recording %s records", record_id, exc_info=True)

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

    async def _sink(self, record_id: str, room: str, source: Source, name: str | None) -> None:
        await recording.remember(self._record_sink, record_id, room, source, name)

    async def _toggled(self, record_id: str, room: str, source: Source, name: str | None) -> None:
        """The toggle's sink: a recording this app opened is ours from the moment openRecord
        answers, so a refresh that lands before the toggle ends already says so."""
        if source == Source.OPENED:
            self._ours[room] = record_id
            if (start := self._starts.get(room)) is not None:
                start.record_id = record_id
        self._seen_records.add(record_id)
        await self._sink(record_id, room, source, name or self._room(room).name or None)

    def _publish(self, snapshot: Snapshot, events: list[Event] | None = None, first: Iterable[Event] = ()) -> None:
        """Publish `snapshot` with `events` (None: what changed since the last one), after
        `first` (our starts' ends, told before what the diff says of the same recording)."""
        if events is None:
            events = diff(self.snapshot if self._have_data else None, snapshot, self.lang)
            self._have_data = self._have_data or snapshot.ok
        events = self._once([*first, *events])
        if time.monotonic() < self._quiet_until:
            events = [replace(e, quiet=True) for e in events]
        self.snapshot = snapshot
        self._poller.notify(snapshot, events)

    # -- record toggles ---------------------------------------------------------------------

    async def start_recording(self, room: str) -> RecordOutcome:
        """openRecord, then getLiveRecStatus: the service may accept and still fail to record.

        The room is "starting" from now until the service settles it, also after this returns
        (see the module's docstring); an outcome that is `watched` is told as an event."""
        start = self._starts[room] = _Start(time.monotonic() + max(self.give_up_after, self.start_wait))
        self._republish(room)
        try:
            outcome = await recording.toggle(
                self.client, room, Action.START, sink=self._toggled, wait=self.start_wait, lang=self.lang
            )
        except BaseException:  # cancelled: nobody follows this start any longer
            self._drop_start(room, start)
            raise
        start.toggling = False
        if self._starts.get(room) is start:  # not settled by a refresh meanwhile
            self._toggle_ended(room, start, outcome)
        self.request_refresh()
        return self._noted(outcome)

    def _toggle_ended(self, room: str, start: _Start, outcome: RecordOutcome) -> None:
        """What the toggle's own status said settles the start at once; "not confirmed yet" or a
        question that went unanswered leaves it to the polling; a refused openRecord ends it."""
        if not outcome.watched or outcome.record_id is None:
            self._drop_start(room, start)  # the outcome is the news: the face says it
        elif outcome.ok:
            started = replace(self._room(room), recording=True, record_id=outcome.record_id, failed_reason=None)
            self._decide(room, replace(started, ours=True))
        elif not outcome.unconfirmed and outcome.error is None:  # the service named why
            failed = replace(self._room(room), recording=False, record_id=None, ours=True)
            self._decide(room, replace(failed, failed_reason=outcome.reason, status_record_id=outcome.record_id))

    def _decide(self, room: str, state: RoomState) -> None:
        """Publish the room as the toggle's own status has it, now; refreshes begun before
        this keep it (their answer is older), and their events follow from the diff."""
        del self._starts[room]
        self._decided[room] = self._refreshes
        state = replace(state, busy=self._busy_of(room), status_record_id=state.status_record_id or state.record_id)
        self._publish(replace(self.snapshot, rooms=tuple(state if r.room == room else r for r in self.snapshot.rooms)))

    def _settle_start(self, status: RoomStatus) -> tuple[Kind, str, str, str] | None:
        """Whether a fresh status settles the room's start of ours: (kind, room, detail, recordId)
        when it does (the start is then no longer pending), None while it is still starting."""
        start = self._starts[status.room]
        record_id = start.record_id
        if record_id is None or status.error is not None or status.info is None:
            return None  # openRecord has not answered yet, or the room did not
        live = status.live
        end: Kind | None = None
        detail = ""
        if not status.info.started:
            end = Kind.RECORDING_UNCONFIRMED  # the meeting ended before the service said it records
        elif live is not None and live.record and live.record_id == record_id:
            end = Kind.RECORDING_STARTED
        elif live is not None and live.failed_reason and live.record_id in (None, "", record_id):
            end, detail = Kind.RECORDING_FAILED, failure_words(live.failed_reason, self.lang)
        elif not start.toggling and time.monotonic() >= start.give_up_at:
            end = Kind.RECORDING_UNCONFIRMED
        if end is None:
            return None
        del self._starts[status.room]
        return end, status.room, detail, record_id

    def _start_event(self, rooms: Sequence[RoomState], kind: Kind, room: str, detail: str, record_id: str) -> Event:
        label = next((r.label for r in rooms if r.room == room), room)
        return Event(kind, room, label, detail, ours=True, record_id=record_id, asked=True)

    def _once(self, events: list[Event]) -> list[Event]:
        """Without the start, failure or stop of a recording already told (our stop is told as
        it answers). A failure the service names no recordId for is known by its room and words."""
        kept = []
        for event in events:
            if event.kind == Kind.RECORDING_STOPPED and self._busy.get(event.room) == Busy.STOPPING:
                event = replace(event, asked=True)  # our stop, seen by a refresh before it answered
            if event.kind in _ONCE or (event.kind == Kind.RECORDING_STOPPED and event.record_id):
                by_words = f"{event.room}\n{event.detail}"
                key = (event.kind, event.record_id or by_words)
                if key in self._told:
                    continue
                self._told.update({key, (event.kind, by_words)} if event.kind == Kind.RECORDING_FAILED else {key})
            kept.append(event)
        return kept

    def _drop_start(self, room: str, start: _Start) -> None:
        if self._starts.get(room) is start:
            del self._starts[room]
            self._republish(room)

    def _room(self, room: str) -> RoomState:
        return self.snapshot.room(room) or RoomState(room)

    async def stop_recording(self, room: str) -> RecordOutcome:
        self._busy[room] = Busy.STOPPING
        self._republish(room)
        try:
            outcome = await recording.toggle(
                self.client, room, Action.STOP, sink=self._toggled, ours=self._ours.get(room), lang=self.lang
            )
        finally:
            self._busy.pop(room, None)
            if (start := self._starts.get(room)) is not None and not start.toggling:
                self._drop_start(room, start)  # a stop ends a start still joining, whatever it said
            self._republish(room)
            self.request_refresh()
        if outcome.ok and outcome.record_id:
            await self._tell_stopped(outcome.record_id)  # written down before it is told
            self._stop_told(room, outcome.record_id)
        return self._noted(outcome)

    def _stop_told(self, room: str, record_id: str) -> None:
        """Our stop, told as an event now (its outcome is `watched`: the face does not say it);
        the refresh that then sees the room stopped says nothing more (`_once`)."""
        state = self._room(room)
        if state.record_id and state.record_id != record_id:  # the status named it otherwise
            self._told.add((Kind.RECORDING_STOPPED, state.record_id))
        ours = self._ours.get(room) == record_id
        stop = Event(Kind.RECORDING_STOPPED, room, state.label, ours=ours, record_id=record_id, asked=True)
        self._publish(self.snapshot, [stop])

    def _noted(self, outcome: RecordOutcome) -> RecordOutcome:
        """What a toggle's outcome says of the room and the key."""
        if outcome.may_not_record:
            self._no_record.add(outcome.room)
        self._rejected(outcome.error)
        return outcome

    def _rejected(self, error: object) -> None:
        """A toggle's rejected key counts as a rejected refresh: signed out only when the
        refresh before it, or the one it asks for, is rejected too (`_signed_out`)."""
        if isinstance(error, AuthError):
            self._poller.note_rejected(error)

    def _signed_out(self, error: AuthError) -> None:
        """The poller stopped on a key rejected twice in a row: published once (a refresh that
        signs out publishes it itself before raising, so no failure snapshot comes first)."""
        if not self.snapshot.signed_out:
            self._publish(replace(self.snapshot, signed_out=True, error=error))

    # -- live toggles -------------------------------------------------------------------------

    async def start_live(self, room: str) -> LiveOutcome:
        """openLive, confirmed by getLiveRecStatus for `live_wait` seconds (core.live); the room's
        `live_busy` is STARTING meanwhile. An accepted start's watch address is the room's
        `live_url` (also while not confirmed yet: the stream may still come) until the meeting
        ends or the stream is seen to stop."""
        started = live.start(self.client, room, wait=self.live_wait, lang=self.lang)
        return await self._toggle_live(room, Busy.STARTING, started)

    async def stop_live(self, room: str) -> LiveOutcome:
        return await self._toggle_live(room, Busy.STOPPING, live.stop(self.client, room, lang=self.lang))

    async def _toggle_live(self, room: str, busy: Busy, toggle: Awaitable[LiveOutcome]) -> LiveOutcome:
        """The room busy while `toggle` runs; then what its outcome says published at once (the
        face says the outcome itself: no LIVE_ON/OFF event for it), and a refresh asked for.
        An outcome saying the server has no live endpoints sets `Snapshot.no_live`."""
        self._live_busy[room] = busy
        self._republish(room)
        try:
            outcome = await toggle
        except BaseException:  # cancelled: the room is no longer busy
            self._live_busy.pop(room, None)
            self._republish(room)
            raise
        del self._live_busy[room]
        if outcome.url is not None:
            self._live_urls[room] = outcome.url
        elif outcome.ok:  # stopped
            self._live_urls.pop(room, None)
        self._no_live = self._no_live or outcome.no_live
        if outcome.may_not_stream:
            self._no_stream.add(room)
        state = replace(self._room(room), live_busy=None, live_url=self._live_urls.get(room))
        state = replace(state, may_live=room not in self._no_stream)
        if outcome.ok:  # the toggle's own status (or closeLive's answer) settles it, as a record toggle's
            on = outcome.action == Action.START
            state = replace(state, live=on, rtmp_url=state.rtmp_url if on else None)
            self._decided[room] = self._refreshes
        rooms = tuple(state if r.room == room else r for r in self.snapshot.rooms)
        self._publish(replace(self.snapshot, rooms=rooms, no_live=self._no_live), [])
        self._rejected(outcome.error)
        self.request_refresh()
        return outcome

    def _republish(self, room: str) -> None:
        """The room's busy state, published at once."""
        busy, live_busy = self._busy_of(room), self._live_busy.get(room)
        rooms = tuple(replace(r, busy=busy, live_busy=live_busy) if r.room == room else r for r in self.snapshot.rooms)
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
