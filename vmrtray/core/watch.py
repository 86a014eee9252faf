"""Following rooms with no window: `vmrctl watch`, the headless companion for a server.

The tray's core parts, assembled without Qt: the `Coordinator` follows the rooms; each
recording it sees stop (by anyone, or by the meeting ending) goes to `FilesWatch`, which
asks for its files until they are listed; with a download folder, `AutoDownload` hands
each ready recording of the followed rooms to the `DownloadQueue` (resume, verify, the
opt-in delete of the settings). What must outlive a restart is in the shared catalog: the
schedule of the recordings being made, the downloads under way (`DownloadQueue.restore`),
the recordings ready and not yet queued (`ready_at`). A tray on the same computer uses the
same catalog, and the two cooperate: a file one of them is fetching, the other waits for.

Everything that happens is told, in order, as a `Happening`: one of a fixed set of names
(`Name`) and a JSON object whose keys are always the same (`Happening.to_json`; a key that
does not apply is null):

    time       when it was seen: ISO 8601, local time with its offset, to the second
    event      one of `Name` (below)
    room       the room's short number
    room_name  the room's name as the service gives it
    record_id  the recording
    file       the file's index within the recording, from 0
    path       the file's path (download_*); the download folder (watching)
    files      how many files the recording has
    size       bytes: the recording's files together (recording_ready), the file's (download_*)
    reason     why, in words: the service's failure reason or the error
    text       the line a person reads, in the user's language

    watching             started: the first look at the rooms is done      path (null: no downloads)
    meeting_started      a meeting started in a followed room               room, room_name
    meeting_ended        the meeting ended                                  room, room_name
    recording_started    the room records                                   room, room_name, record_id
    recording_stopped    it stopped (its files are being made now)          room, room_name, record_id
    recording_failed     the service names a failure                        room, room_name, record_id, reason
    live_on, live_off    live streaming turned on / off                     room, room_name
    room_unavailable     the room could not be asked about                  room, reason
    room_back            it can again                                       room, room_name
    service_unreachable  the service could not be reached                   reason
    service_back         it can again
    recording_ready      its files are listed                               room, room_name, record_id, files, size
    recording_unlisted   never listed within 48 h of its stop (deleted?)    record_id
    download_started     a file is being fetched (or resumed)               record_id, file, path, size, room
    download_done        the file is in place and checked                   record_id, file, path, size, room
    download_failed      it failed (not tried again by itself)              record_id, file, path, size, room, reason
    download_paused      paused (the disk is full, the key rejected, or     record_id, file, path, size, room, reason
                         the server failed: then tried again by itself)
    signed_out           the service rejected the key on two refreshes in   reason
                         a row (one is a failure like others): the watch
                         ends, its text naming the request refused

Every text that comes from the service (names, reasons) is made plain (core.untrusted), and
`json_line` escapes what a path or an id could still hold that would steer a terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from vmrtray.api import AuthError, Client, Lang, VmrError

from . import recording
from .autofetch import AutoDownload
from .catalog import Catalog
from .coordinator import Coordinator
from .download_queue import DownloadQueue, State, Transfer
from .events import Event, Kind, Snapshot, signed_out_event
from .lang import pick
from .making import FIRST_CHECK, FilesWatch, Made, Ready
from .session import download_client
from .settings import AutoFetch, Settings
from .units import size_text
from .untrusted import plain

log = logging.getLogger(__name__)


class Name(StrEnum):
    """The events a watch tells: a fixed set (scripts depend on it)."""

    WATCHING = "watching"
    MEETING_STARTED = "meeting_started"
    MEETING_ENDED = "meeting_ended"
    RECORDING_STARTED = "recording_started"
    RECORDING_STOPPED = "recording_stopped"
    RECORDING_FAILED = "recording_failed"
    LIVE_ON = "live_on"
    LIVE_OFF = "live_off"
    ROOM_UNAVAILABLE = "room_unavailable"
    ROOM_BACK = "room_back"
    SERVICE_UNREACHABLE = "service_unreachable"
    SERVICE_BACK = "service_back"
    RECORDING_READY = "recording_ready"
    RECORDING_UNLISTED = "recording_unlisted"
    DOWNLOAD_STARTED = "download_started"
    DOWNLOAD_DONE = "download_done"
    DOWNLOAD_FAILED = "download_failed"
    DOWNLOAD_PAUSED = "download_paused"
    SIGNED_OUT = "signed_out"


#: The coordinator's events a watch tells, by the same name. Not told: the participants'
#: count (it changes too often to be an event on a server), a start of this app's own that
#: was never confirmed (a watch starts none), a rejected key (it ends the watch: SIGNED_OUT).
ROOM_EVENTS: dict[Kind, Name] = {
    kind: Name(kind.value)
    for kind in (
        Kind.MEETING_STARTED,
        Kind.MEETING_ENDED,
        Kind.RECORDING_STARTED,
        Kind.RECORDING_STOPPED,
        Kind.RECORDING_FAILED,
        Kind.LIVE_ON,
        Kind.LIVE_OFF,
        Kind.ROOM_UNAVAILABLE,
        Kind.ROOM_BACK,
        Kind.SERVICE_UNREACHABLE,
        Kind.SERVICE_BACK,
    )
}

#: The download states told, each once per change.
_TOLD_STATES = {
    State.DOWNLOADING: Name.DOWNLOAD_STARTED,
    State.DONE: Name.DOWNLOAD_DONE,
    State.FAILED: Name.DOWNLOAD_FAILED,
    State.PAUSED: Name.DOWNLOAD_PAUSED,
}


@dataclass(frozen=True)
class Happening:
    """One thing the watch saw, ready to print (`text`) or to write as a JSON line (`to_json`)."""

    event: Name
    text: str
    time: datetime
    room: str | None = None
    room_name: str | None = None
    record_id: str | None = None
    file: int | None = None
    path: str | None = None
    files: int | None = None
    size: int | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Every key, always, in this order (module docstring)."""
        return {
            "time": self.time.isoformat(timespec="seconds"),
            "event": self.event.value,
            "room": self.room,
            "room_name": self.room_name,
            "record_id": self.record_id,
            "file": self.file,
            "path": self.path,
            "files": self.files,
            "size": self.size,
            "reason": self.reason,
            "text": self.text,
        }


Tell = Callable[[Happening], None]


@dataclass(frozen=True)
class _Fetch:
    """A download's state as the queue told it (the transfer itself changes on)."""

    record_id: str
    idx: int
    state: State
    path: str
    size: int
    error: str | None


def _plain(text: str) -> str:
    """The service's words (or a path made of them) on one line, safe to print; not cut short."""
    return plain(text, limit=4096)


def json_line(happening: Happening, *, ascii_only: bool = False) -> str:
    """The JSON line of `happening`: exact values, with every character that is not printable
    (controls, bidi overrides, line separators…) as its `\\uXXXX` escape — the same JSON to a
    parser, nothing that steers the terminal it is shown on. `ascii_only`: every character
    beyond ASCII escaped too (Chinese included), for an output that can carry nothing else."""
    text = json.dumps(happening.to_json(), ensure_ascii=ascii_only)
    return text if ascii_only else "".join(_escape(char) for char in text)


def _escape(char: str) -> str:
    """A character as it may stand in a JSON line on a terminal: itself, or its escape."""
    return char if char.isprintable() else json.dumps(char)[1:-1]


def _now() -> datetime:
    return datetime.now().astimezone()


class Watch:
    """Follows `rooms` and tells each `Happening`; downloads into `folder` when one is given.

    `run` returns when the key is rejected (with the error) and runs until cancelled
    otherwise; `aclose` stops every part as a tray's quit does (a download under way is
    kept as it was, and the next start resumes it) and tells what was still to be told.
    """

    def __init__(
        self,
        client: Client,
        catalog: Catalog,
        rooms: Sequence[str],
        tell: Tell,
        *,
        settings: Settings,
        folder: Path | None,
        lang: Lang = "en",
        first_check: float = FIRST_CHECK,
    ) -> None:
        self.catalog, self.rooms, self.folder, self.lang, self._tell = catalog, list(rooms), folder, lang, tell
        self.making = FilesWatch(client, catalog, first_check=first_check)
        self.coordinator = Coordinator(
            client,
            self.rooms,
            interval_active=settings.interval_active,
            interval_idle=settings.interval_idle,
            record_sink=recording.catalog_sink(catalog),
            record_stopped=self.making.stopped,
            recordings=self.making,
            lang=lang,
        )
        self.queue: DownloadQueue | None = None
        self.auto: AutoDownload | None = None
        if folder is not None:
            self.queue = DownloadQueue(
                client,
                catalog,
                lambda: download_client(settings),
                lambda: folder,
                limit=settings.download_parallel,
                segments=settings.download_segments,
                auto_delete=lambda: settings.delete_after_download,
                lang=lang,
            )
            # every recording of the followed rooms: the policy "favourites", the rooms its favourites
            self.auto = AutoDownload(catalog, self.queue.add, lambda: AutoFetch.FAVOURITES, lambda: self.rooms)
        self.rejected: VmrError | None = None
        self._ended = asyncio.Event()
        self._pending: asyncio.Queue[Happening | _Fetch] = asyncio.Queue()
        self._teller: asyncio.Task[None] | None = None
        # what the parts tell before the first look at the rooms is done (a download the restore
        # resumed): told after `watching`, which the README promises as the first line
        self._early: list[Happening | _Fetch] | None = []
        self._told: dict[tuple[str, int], State] = {}
        self._rooms_of: dict[str, tuple[str | None, str | None]] = {}  # record_id → (room, its name)

    async def run(self) -> VmrError | None:
        """Follow the rooms until cancelled, or until the service rejects the key (returned)."""
        self._teller = asyncio.create_task(self._tell_in_order(), name="vmrtray-watch tell")
        self.coordinator.add_listener(self._rooms_changed)
        self.making.add_listener(self._made)  # before the download listener: "ready", then "started"
        if self.queue is not None and self.auto is not None:
            self.queue.add_listener(self._transfer_changed)
            self.making.add_listener(self.auto)
            await self.queue.restore()  # what a stop or a crash interrupted goes on now
        await self._ended.wait()
        return self.rejected

    async def aclose(self) -> None:
        """Stop every part (downloads kept for the next start), then tell what is left to tell."""
        if self.auto is not None:
            await self.auto.aclose()
        if self.queue is not None:
            await self.queue.aclose()
        await self.making.poller.aclose()
        await self.coordinator.aclose()
        if self._teller is not None:
            self._teller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._teller
        for item in self._early or ():  # stopped before the first look was done
            self._pending.put_nowait(item)
        self._early = None
        while not self._pending.empty():
            await self._tell_one(self._pending.get_nowait())

    # -- what the parts tell -------------------------------------------------------------------

    def _rooms_changed(self, snapshot: Snapshot, events: list[Event]) -> None:
        if self._early is not None:
            early, self._early = self._early, None
            self._put(Name.WATCHING, self._watching_text(), path=str(self.folder) if self.folder else None)
            if not snapshot.ok and snapshot.error is not None:
                self._unreachable(snapshot.error)
            for item in early:
                self._pending.put_nowait(item)
        for event in events:
            name = ROOM_EVENTS.get(event.kind)
            if name is not None:
                self._room_event(name, event, snapshot)
        if snapshot.signed_out and self.rejected is None:
            self.rejected = snapshot.error or AuthError()
            reason = _plain(self.rejected.describe(self.lang))
            self._put(Name.SIGNED_OUT, _plain(signed_out_event(snapshot).describe(self.lang)), reason=reason)
            self._ended.set()

    def _watching_text(self) -> str:
        rooms = pick(self.lang, ", ", "、").join(self.rooms)
        if self.folder is None:
            return pick(
                self.lang,
                f"Watching {rooms} (events only, nothing downloaded)",
                f"正在关注 {rooms}（只报告事件，不下载）",
            )
        where = _plain(str(self.folder))
        return pick(self.lang, f"Watching {rooms}, downloading into {where}", f"正在关注 {rooms}，下载到 {where}")

    def _unreachable(self, error: VmrError) -> None:
        reason = _plain(error.describe(self.lang))
        text = _plain(Event(Kind.SERVICE_UNREACHABLE, detail=reason).describe(self.lang))
        self._put(Name.SERVICE_UNREACHABLE, text, reason=reason)

    def _room_event(self, name: Name, event: Event, snapshot: Snapshot) -> None:
        state = snapshot.room(event.room)
        self._put(
            name,
            _plain(event.describe(self.lang)),
            room=event.room or None,
            room_name=_plain(state.name) if state is not None and state.name else None,
            record_id=event.record_id or None,
            reason=_plain(event.detail) if event.detail else None,
        )

    def _made(self, made: list[Made]) -> None:
        for m in made:
            if isinstance(m, Ready):
                name = _plain(m.room_name) or None
                self._rooms_of[m.record_id] = (m.room, name)
                text = _plain(m.describe(self.lang))
                self._put(
                    Name.RECORDING_READY,
                    text,
                    room=m.room,
                    room_name=name,
                    record_id=m.record_id,
                    files=m.files,
                    size=m.size,
                )
            else:
                self._put(Name.RECORDING_UNLISTED, _plain(m.describe(self.lang)), record_id=m.record_id)

    def _transfer_changed(self, transfer: Transfer) -> None:
        """Each change of a file's state once (progress ticks are not events)."""
        if transfer.state not in _TOLD_STATES or self._told.get(transfer.key) == transfer.state:
            return
        self._told[transfer.key] = transfer.state
        fetch = _Fetch(
            transfer.record_id, transfer.idx, transfer.state, str(transfer.target), transfer.size, transfer.error
        )
        self._enqueue(fetch)

    def _put(self, event: Name, text: str, **fields: Any) -> None:
        self._enqueue(Happening(event, text, _now(), **fields))

    def _enqueue(self, item: Happening | _Fetch) -> None:
        if self._early is not None:
            self._early.append(item)
        else:
            self._pending.put_nowait(item)

    # -- telling, in order -----------------------------------------------------------------------

    async def _tell_in_order(self) -> None:
        while True:
            await self._tell_one(await self._pending.get())

    async def _tell_one(self, item: Happening | _Fetch) -> None:
        happening = item if isinstance(item, Happening) else await self._download_happening(item)
        try:
            self._tell(happening)
        except Exception:  # a failing output must not end the watch
            log.exception("could not tell %s", happening.event)

    async def _download_happening(self, fetch: _Fetch) -> Happening:
        room, room_name = await self._room_of(fetch.record_id)
        path, size = _plain(fetch.path), size_text(fetch.size)
        reason = _plain(fetch.error) if fetch.error else None
        texts = {
            State.DOWNLOADING: pick(self.lang, f"Downloading {path} ({size})", f"正在下载 {path}（{size}）"),
            State.DONE: pick(self.lang, f"Downloaded {path} ({size})", f"已下载 {path}（{size}）"),
            State.FAILED: pick(self.lang, f"Download failed: {path}: {reason}", f"下载失败：{path}：{reason}"),
            State.PAUSED: pick(self.lang, f"Download paused: {path}: {reason}", f"下载已暂停：{path}：{reason}"),
        }
        return Happening(
            _TOLD_STATES[fetch.state],
            texts[fetch.state],
            _now(),
            room=room,
            room_name=room_name,
            record_id=fetch.record_id,
            file=fetch.idx,
            path=fetch.path,
            size=fetch.size,
            reason=reason,
        )

    async def _room_of(self, record_id: str) -> tuple[str | None, str | None]:
        """The room a recording was made in: as it was told ready, else as the catalog has it."""
        if record_id not in self._rooms_of:
            try:
                rows = await asyncio.to_thread(self.catalog.files, record_id)
            except Exception:  # the catalog busy or failing: the line is told without its room
                log.warning("could not look up the room of recording %s", record_id, exc_info=True)
                return None, None
            self._rooms_of[record_id] = (rows[0].conference_key if rows else None, None)
        return self._rooms_of[record_id]
