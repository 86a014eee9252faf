"""What the coordinator publishes: immutable snapshots of the favourites, and events.

A snapshot is the whole picture after one refresh; events are what changed since the one
before (`diff`). Both are plain data: the tray renders them, tests compare them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from vmrtray.api import Lang, VmrError


class Busy(StrEnum):
    """A record toggle under way in a room. STARTING lasts until the service says it records
    with the new recordId (or names why not, or the coordinator stops waiting), however long
    after the toggle itself ended: "starting recording…". A live toggle (`RoomState.live_busy`)
    is STARTING or STOPPING only while it runs (core.live confirms a start within its wait)."""

    STARTING = "starting"
    STOPPING = "stopping"


@dataclass(frozen=True)
class RoomState:
    room: str
    name: str = ""
    available: bool = False  # the last refresh answered for this room
    started: bool = False
    participants: int = 0
    locked: bool = False
    live: bool = False
    rtmp_url: str | None = None
    recording: bool = False
    record_id: str | None = None
    ours: bool = False  # the recording was started by this app
    failed_reason: str | None = None  # the service's words, made plain (core.untrusted)
    status_record_id: str | None = None  # the recordId the status names, recording or not (its last one)
    guest_pwd: str = field(default="", repr=False)  # a snapshot in a log line never carries it
    may_record: bool = True  # False once the service said 200004 for this room
    may_live: bool = True  # False once the service said 200005 (may not be streamed) for this room
    busy: Busy | None = None  # while a record toggle is under way
    live_busy: Busy | None = None  # while a live toggle of ours is under way
    live_url: str | None = None  # our accepted openLive's watch address, until the stream stops or the meeting ends
    error: VmrError | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.room})" if self.name else self.room


@dataclass(frozen=True)
class Snapshot:
    rooms: tuple[RoomState, ...] = ()
    ok: bool = True  # the last refresh reached the service
    signed_out: bool = False  # the key was rejected twice in a row: polling stopped until new credentials
    paused: bool = False
    error: VmrError | None = field(default=None, compare=False)
    age: float = 0.0  # seconds since the data was fresh (0 while `ok`)
    no_live: bool = False  # the server answered that it has no live endpoints: offer no live streaming

    @property
    def in_use(self) -> tuple[RoomState, ...]:
        return tuple(r for r in self.rooms if r.started)

    @property
    def recording(self) -> tuple[RoomState, ...]:
        return tuple(r for r in self.rooms if r.recording)

    @property
    def live(self) -> tuple[RoomState, ...]:
        return tuple(r for r in self.rooms if r.live)

    def room(self, short_number: str) -> RoomState | None:
        return next((r for r in self.rooms if r.room == short_number), None)


class Kind(StrEnum):
    MEETING_STARTED = "meeting_started"
    MEETING_ENDED = "meeting_ended"
    PARTICIPANTS_CHANGED = "participants_changed"
    RECORDING_STARTED = "recording_started"
    RECORDING_STOPPED = "recording_stopped"
    RECORDING_FAILED = "recording_failed"
    RECORDING_UNCONFIRMED = "recording_unconfirmed"  # a start of ours the service never confirmed nor refused
    LIVE_ON = "live_on"
    LIVE_OFF = "live_off"
    ROOM_UNAVAILABLE = "room_unavailable"
    ROOM_BACK = "room_back"
    SERVICE_UNREACHABLE = "service_unreachable"
    SERVICE_BACK = "service_back"
    SIGNED_OUT = "signed_out"


@dataclass(frozen=True)
class Event:
    kind: Kind
    room: str = ""
    label: str = ""
    detail: str = ""
    ours: bool = False
    quiet: bool = False  # listed in Recent, not shown as an alert (e.g. just after wake)
    record_id: str = ""  # the recording a RECORDING_* event is about, when the service named it
    #: The end of a record toggle the user clicked (a start of ours started, failed or was not
    #: confirmed; our stop): the answer to their own action, told whatever the notification
    #: settings say (core.notifications), which filter only what happens by itself.
    asked: bool = False

    @property
    def group(self) -> str:
        return _KINDS[self.kind][0]

    def describe(self, lang: Lang = "en") -> str:
        _, en, zh = _OURS[self.kind] if self.ours and self.kind in _OURS else _KINDS[self.kind]
        if self.kind == Kind.SIGNED_OUT and self.detail:  # the request refused
            en, zh = _SIGNED_OUT_AT
        text = (zh if lang == "zh" else en).format(room=self.label or self.room, detail=self.detail)
        if self.ours and self.kind in (Kind.RECORDING_STARTED, Kind.RECORDING_STOPPED):
            text += "（本应用）" if lang == "zh" else " (by this app)"
        return text


#: Each kind: the notification switch it belongs to (settings `notify_<group>`), and its
#: sentence in English and Chinese.
_KINDS: dict[Kind, tuple[str, str, str]] = {
    Kind.MEETING_STARTED: ("meetings", "{room}: a meeting started", "{room}：会议已开始"),
    Kind.MEETING_ENDED: ("meetings", "{room}: the meeting ended", "{room}：会议已结束"),
    Kind.PARTICIPANTS_CHANGED: ("participants", "{room}: {detail} participants", "{room}：{detail} 人参会"),
    Kind.RECORDING_STARTED: ("recording", "{room}: recording started", "{room}：已开始录制"),
    Kind.RECORDING_STOPPED: ("recording", "{room}: recording stopped", "{room}：已停止录制"),
    Kind.RECORDING_FAILED: ("recording", "{room}: recording failed — {detail}", "{room}：录制失败——{detail}"),
    Kind.RECORDING_UNCONFIRMED: (
        "recording",
        "{room}: recording not confirmed — the service never said it records; no longer waiting",
        "{room}：录制未获确认——服务始终未表示在录制，已不再等待",
    ),
    Kind.LIVE_ON: ("live", "{room}: live streaming is on", "{room}：直播已开启"),
    Kind.LIVE_OFF: ("live", "{room}: live streaming is off", "{room}：直播已关闭"),
    Kind.ROOM_UNAVAILABLE: ("availability", "{room}: unavailable — {detail}", "{room}：不可用——{detail}"),
    Kind.ROOM_BACK: ("availability", "{room}: available again", "{room}：已恢复"),
    Kind.SERVICE_UNREACHABLE: ("availability", "The service is unreachable — {detail}", "无法连接服务——{detail}"),
    Kind.SERVICE_BACK: ("availability", "The service is reachable again", "服务已恢复连接"),
    Kind.SIGNED_OUT: ("availability", "Signed out: the service rejected the key", "已退出登录：服务拒绝了 KEY"),
}

#: Signed out, with the request the service refused the second time (its path).
_SIGNED_OUT_AT = (
    "Signed out: the service rejected the key twice in a row (refused: {detail})",
    "已退出登录：服务连续两次拒绝了 KEY（被拒绝的请求：{detail}）",
)

#: A start this app asked for that failed: said as such, around the service's own words.
_OURS: dict[Kind, tuple[str, str, str]] = {
    Kind.RECORDING_FAILED: (
        "recording",
        "Recording did not start in {room}: {detail}",
        "{room} 未能开始录制：{detail}",
    ),
}


def refused_request(error: object) -> str:
    """The request a rejection answered (its path, e.g. /api/getmeetinginfo), or ""."""
    endpoint = getattr(error, "endpoint", "")
    return endpoint if isinstance(endpoint, str) else ""


def signed_out_event(snapshot: Snapshot) -> Event:
    """The SIGNED_OUT event of a signed-out snapshot: it names the request refused."""
    return Event(Kind.SIGNED_OUT, detail=refused_request(snapshot.error))


def diff(old: Snapshot | None, new: Snapshot, lang: Lang = "en") -> list[Event]:
    """The events that take `old` to `new`. The first snapshot is the baseline: of it only the
    rooms that could not be asked about are told (one ROOM_UNAVAILABLE each)."""
    if old is None:
        return [_unavailable(r, lang) for r in new.rooms if not r.available and r.error is not None]
    events: list[Event] = []
    if new.signed_out and not old.signed_out:
        return [signed_out_event(new)]
    if old.ok and not new.ok:
        detail = new.error.describe(lang) if new.error else ""
        return [Event(Kind.SERVICE_UNREACHABLE, detail=detail)]
    if new.ok and not old.ok:
        events.append(Event(Kind.SERVICE_BACK))
    before = {r.room: r for r in old.rooms}
    for now in new.rooms:
        was = before.get(now.room)
        if was is not None:
            events += _room_events(was, now, lang)
    return events


def _unavailable(room: RoomState, lang: Lang) -> Event:
    detail = room.error.describe(lang) if room.error else ""
    return Event(Kind.ROOM_UNAVAILABLE, room.room, room.label, detail)


def _room_events(was: RoomState, now: RoomState, lang: Lang) -> list[Event]:
    def event(kind: Kind, detail: str = "", ours: bool = False, record_id: str | None = None) -> Event:
        # a recording of ours that started or failed is the end of a start the user clicked
        asked = ours and kind in (Kind.RECORDING_STARTED, Kind.RECORDING_FAILED)
        return Event(kind, now.room, now.label, detail, ours, record_id=record_id or "", asked=asked)

    if was.available and not now.available:
        return [event(Kind.ROOM_UNAVAILABLE, now.error.describe(lang) if now.error else "")]
    if not now.available:
        return []
    found: list[Event] = []
    if not was.available:
        found.append(event(Kind.ROOM_BACK))
    if now.started != was.started:
        found.append(event(Kind.MEETING_STARTED if now.started else Kind.MEETING_ENDED))
    elif now.started and now.participants != was.participants:
        found.append(event(Kind.PARTICIPANTS_CHANGED, str(now.participants)))
    if (now.recording, now.record_id) != (was.recording, was.record_id):
        # a recording stopped and another started between two looks: both are told
        if was.recording:
            found.append(event(Kind.RECORDING_STOPPED, ours=was.ours, record_id=was.record_id))
        if now.recording:
            found.append(event(Kind.RECORDING_STARTED, ours=now.ours, record_id=now.record_id))
    failure = (now.failed_reason, now.status_record_id)
    if now.failed_reason and failure != (was.failed_reason, was.status_record_id):  # a retry may fail alike
        found.append(event(Kind.RECORDING_FAILED, now.failed_reason, now.ours, now.status_record_id))
    if now.live != was.live:
        found.append(event(Kind.LIVE_ON if now.live else Kind.LIVE_OFF))
    return found
