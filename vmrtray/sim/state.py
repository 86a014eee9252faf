"""The simulated service's rules and data: tenants, rooms, meetings, recordings, bookings.

Business rules live here, as plain methods that raise `SimFailure(code, message)` under
the same conditions as the real service; `routes.py` only speaks HTTP around them. The
demo world that fills a `SimState` (its tenants, rooms, people and lively script) is
`world.py`'s. Times are the service's local time (Asia/Shanghai), naive, as the service
sends them.
"""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SERVICE_TZ = ZoneInfo("Asia/Shanghai")

# The real service's messages, as seen in the wild (API_NOTES "Authentication").
MSG_NO_AUTH = "auth码不能为空"
MSG_NO_BODY = "消息体缺失,请检查"
MSG_NO_MEETING = "当前会议室没有开启会议"
# Not seen in the wild: the simulator's choice for a key the service does not know.
MSG_BAD_AUTH = "auth码错误,鉴权失败"
CODE_BAD_AUTH = 403  # the envelope's code for a rejected key, as the vendor documents it (API_NOTES)

BUSINESS_MESSAGES = {
    200001: "会议号和当前的认证的auth不匹配",
    200002: "该会议已开启直播",
    200003: "该会议已开启录制",
    200004: "该会议不允许录制",
    200005: "该会议不允许直播",
    200006: "该会议还未开启",
    200007: "该会议未开启录制",
    200008: "该会议不存在",
    200009: "当前时间段，此会议室已被预约",
}

BOOKING_FORMAT = "%Y-%m-%d %H:%M"


class SimFailure(Exception):
    """A state-0 answer: the service's code (int, or None) and message."""

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @classmethod
    def business(cls, code: int, message: str | None = None) -> SimFailure:
        return cls(code, message or BUSINESS_MESSAGES[code])


def service_now() -> datetime:
    return datetime.now(SERVICE_TZ).replace(tzinfo=None, microsecond=0)


@dataclass
class Meeting:
    participants: int = 1
    locked: bool = False
    live: bool = False
    live_token: str = ""  # the live stream's name in its addresses (openLive's; else the room's number)
    live_from: float | None = None  # after openLive, the status says `live` only from then on (the clock's time)
    recording: str | None = None  # the active recordId
    recording_since: datetime | None = None
    failed_reason: str | None = None
    starting_until: float | None = None  # the recorder is still joining until then (the clock's time)


@dataclass
class SimRoom:
    pid: int
    sipkey: str
    name: str
    domain: str
    type: int = 1
    capacity: int = 100
    host_pin: str = "123456"
    guest_pin: str = "654321"
    may_record: bool = True
    may_live: bool = True
    live_delay: float = 0.0  # seconds the status still says `live: false` after openLive
    record_fails: str | None = None  # a failedReason: openRecord succeeds, recording does not
    start_delay: float | None = None  # seconds `record: false` after openRecord; None: the service's
    files_delay: float | None = None  # seconds after a stop before getRecords lists the files; None: the service's
    file_size: int | None = None  # bytes per recording file; None: by duration
    files_per_recording: int = 1
    # getRecords promises no order: True answers a recording's files in reverse on every second call
    shuffle_files: bool = False
    # n > 0: a recording's files are listed one at a time, one more every n answers (0: all at once)
    files_one_by_one: int = 0
    meeting: Meeting | None = None
    last_record_id: str = ""

    @property
    def alias(self) -> str:
        return f"{self.sipkey}meet@{self.domain}"


@dataclass
class SimFile:
    file_id: str  # the object's key in the simulated object store
    record_id: str
    conference_key: str
    ent_id: int
    start: datetime
    stop: datetime
    size: int
    cid: str | None = None

    @property
    def object_path(self) -> str:
        return f"/{self.start:%Y-%m-%d}/{self.conference_key}_{self.start:%H%M%S}_{self.file_id[:8]}.mp4"


@dataclass
class Recording:
    record_id: str
    tenant_key: str
    conference_key: str
    started: datetime
    files: list[SimFile] = field(default_factory=list)
    deleted: bool = False
    listed_from: float = 0.0  # getRecords lists the files from this time of the clock on
    shuffle_files: bool = False  # the room's knobs when it stopped (SimRoom)
    files_one_by_one: int = 0
    answers: int = 0  # getRecords answers that listed its files


@dataclass
class SimBooking:
    id: int
    account: str
    theme: str
    introduction: str
    host_pwd: str
    guest_pwd: str
    room: SimRoom
    auto_open: bool
    start: datetime
    end: datetime
    created: datetime
    visitors: list[tuple[str, str]]
    creator: tuple[int, str]

    def overlaps(self, pid: int, start: datetime, end: datetime) -> bool:
        return self.room.pid == pid and self.start < end and start < self.end


@dataclass
class Tenant:
    key: str
    ent_id: int
    name: str
    domain: str
    accounts: dict[str, tuple[int, str]]  # account → (user id, name)
    rooms: dict[str, SimRoom] = field(default_factory=dict)
    contacts: list[tuple[int, str, str]] = field(default_factory=list)  # (id, name, account)
    bookings: dict[int, SimBooking] = field(default_factory=dict)


class SimState:
    """Everything the simulated service knows. Not thread-safe: one event loop owns it.

    Empty when made: `world.DemoWorld` is the state filled with the demo's tenants.
    """

    def __init__(
        self, *, seed: int = 0, share_host: str = "127.0.0.1", clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rng = random.Random(seed)
        self.share_host = share_host
        self.clock = clock
        # The service's pace (API_NOTES.md, "What is known of the service's pace"); a room's own
        # start_delay / files_delay overrides these. 0: at once, as the tests of other things want.
        self.start_delay = 0.0
        self.files_delay = 0.0
        # How far the service's own clock is behind the real one (its bookings' createTime).
        self.clock_behind = 0.0
        # Whether the service has the 2019 document's openLive / closeLive (False: 404 there).
        self.live_endpoints = True
        self.tenants: dict[str, Tenant] = {}
        self.recordings: dict[str, Recording] = {}
        self._next_booking = 1429
        self._next_pid = 3364

    def add_room(self, tenant: Tenant, sipkey: str, name: str, type: int = 1) -> SimRoom:
        """A new room of `tenant`, with the service's next product id."""
        room = SimRoom(pid=self._next_pid, sipkey=sipkey, name=name, domain=tenant.domain, type=type)
        self._next_pid += 1
        tenant.rooms[sipkey] = room
        return room

    # -- lookups --------------------------------------------------------------------------

    def tenant(self, key: str | None) -> Tenant:
        if not key:
            raise SimFailure(CODE_BAD_AUTH, MSG_NO_AUTH)
        tenant = self.tenants.get(key)
        if tenant is None:
            raise SimFailure(CODE_BAD_AUTH, MSG_BAD_AUTH)
        return tenant

    def find_room(self, sipkey: str) -> tuple[Tenant, SimRoom] | None:
        for tenant in self.tenants.values():
            room = tenant.rooms.get(sipkey)
            if room is not None:
                return tenant, room
        return None

    def own_room(self, tenant: Tenant, sipkey: object) -> SimRoom:
        """The tenant's room by short number: 200008 if none anywhere, 200001 if another's."""
        if sipkey in (None, ""):
            raise SimFailure(400, "conferenceKey不能为空")
        found = self.find_room(str(sipkey))
        if found is None:
            raise SimFailure.business(200008)
        owner, room = found
        if owner is not tenant:
            raise SimFailure.business(200001)
        return room

    def account(self, tenant: Tenant, account: str | None) -> tuple[int, str]:
        if not account:
            raise SimFailure(400, "account不能为空")
        user = tenant.accounts.get(account)
        if user is None:
            raise SimFailure(400, f"账号{account}不存在")
        return user

    # -- meetings (the control side: what people in the rooms do) --------------------------------

    def set_meeting(
        self,
        sipkey: str,
        *,
        started: bool | None = None,
        participants: int | None = None,
        locked: bool | None = None,
        live: bool | None = None,
    ) -> SimRoom:
        found = self.find_room(sipkey)
        if found is None:
            raise KeyError(sipkey)
        room = found[1]
        if started is False and room.meeting is not None:
            self.end_meeting(found[0], room)
        elif started and room.meeting is None:
            room.meeting = Meeting()
        if room.meeting is not None:
            if participants is not None:
                room.meeting.participants = max(0, participants)
            if locked is not None:
                room.meeting.locked = locked
            if live is not None:  # someone else turns it on or off: at once, under no token of ours
                room.meeting.live, room.meeting.live_from, room.meeting.live_token = live, None, ""
        return room

    def end_meeting(self, tenant: Tenant, room: SimRoom) -> None:
        """The meeting in `room` ends; a recording running in it finishes with its files."""
        self._advance(room)
        if room.meeting is not None and room.meeting.recording:
            self._finish_recording(tenant, room)
        room.meeting = None

    # -- recording ------------------------------------------------------------------------

    def open_record(self, tenant: Tenant, sipkey: object) -> str:
        room = self.own_room(tenant, sipkey)
        if not room.may_record:
            raise SimFailure.business(200004)
        if room.meeting is None:
            raise SimFailure.business(200006, MSG_NO_MEETING)
        if room.meeting.recording:
            raise SimFailure.business(200003)
        record_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        room.last_record_id = record_id
        delay = self._start_delay(room)
        if room.record_fails and not delay:
            room.meeting.failed_reason = room.record_fails
            return record_id
        room.meeting.failed_reason = None
        room.meeting.recording = record_id
        room.meeting.recording_since = service_now()
        room.meeting.starting_until = self.clock() + delay if delay else None
        self.recordings[record_id] = Recording(record_id, tenant.key, room.sipkey, service_now())
        return record_id

    def _start_delay(self, room: SimRoom) -> float:
        return self.start_delay if room.start_delay is None else room.start_delay

    def _advance(self, room: SimRoom) -> None:
        """A recorder that was joining has joined now — or failed, with the room's reason."""
        meeting = room.meeting
        if meeting is None or meeting.starting_until is None or self.clock() < meeting.starting_until:
            return
        meeting.starting_until = None
        if room.record_fails and meeting.recording:
            self.recordings.pop(meeting.recording, None)  # nothing was recorded: no files, ever
            meeting.recording = meeting.recording_since = None
            meeting.failed_reason = room.record_fails

    def close_record(self, tenant: Tenant, sipkey: object) -> str:
        room = self.own_room(tenant, sipkey)
        if room.meeting is None:
            raise SimFailure.business(200006, MSG_NO_MEETING)
        self._advance(room)
        if not room.meeting.recording:
            raise SimFailure.business(200007)
        return self._finish_recording(tenant, room)

    def _finish_recording(self, tenant: Tenant, room: SimRoom) -> str:
        if room.meeting is None or not room.meeting.recording:
            raise RuntimeError(f"room {room.sipkey} is not recording")
        record_id = room.meeting.recording
        recording = self.recordings[record_id]
        stop = max(service_now(), recording.started + timedelta(seconds=1))
        parts = max(1, room.files_per_recording)
        span = (stop - recording.started) / parts
        for n in range(parts):
            size = (
                room.file_size if room.file_size is not None else 200_000 + 137 * n + int(span.total_seconds()) * 50_000
            )
            self._add_file(tenant, recording, recording.started + span * n, recording.started + span * (n + 1), size)
        room.meeting.recording = None
        room.meeting.recording_since = None
        room.meeting.starting_until = None
        delay = self.files_delay if room.files_delay is None else room.files_delay
        recording.listed_from = self.clock() + delay
        recording.shuffle_files, recording.files_one_by_one = room.shuffle_files, room.files_one_by_one
        return record_id

    def _add_file(self, tenant: Tenant, recording: Recording, start: datetime, stop: datetime, size: int) -> None:
        n = len(recording.files)
        recording.files.append(
            SimFile(
                file_id=hashlib.sha256(f"{recording.record_id}/{n}".encode()).hexdigest(),
                record_id=recording.record_id,
                conference_key=recording.conference_key,
                ent_id=tenant.ent_id,
                start=start.replace(microsecond=0),
                stop=stop.replace(microsecond=0),
                size=max(1, size),
                cid=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)) if n else None,
            )
        )

    def past_recording(self, tenant: Tenant, sipkey: str, started: datetime, minutes: int, size: int) -> str:
        """A finished recording of one file from before the simulator started (the demo shows some)."""
        room = self.own_room(tenant, sipkey)
        record_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        recording = Recording(record_id, tenant.key, room.sipkey, started)
        self._add_file(tenant, recording, started, started + timedelta(minutes=minutes), size)
        self.recordings[record_id] = recording
        return record_id

    def record_files(self, tenant: Tenant, record_id: object) -> list[SimFile]:
        if record_id in (None, ""):
            raise SimFailure(400, "recordId不能为空")
        recording = self.recordings.get(str(record_id))
        if recording is None or recording.tenant_key != tenant.key or recording.deleted:
            return []
        if self.clock() < recording.listed_from:
            return []  # still being made and uploaded
        recording.answers += 1
        files = list(recording.files)
        if recording.files_one_by_one > 0:
            files = files[: 1 + (recording.answers - 1) // recording.files_one_by_one]
        if recording.shuffle_files and recording.answers % 2 == 0:
            files.reverse()
        return files

    def delete_record(self, tenant: Tenant, record_id: object) -> str:
        if record_id in (None, ""):
            raise SimFailure(400, "recordId不能为空")
        recording = self.recordings.get(str(record_id))
        if recording is None or recording.tenant_key != tenant.key or recording.deleted:
            raise SimFailure(400, "录制文件不存在")
        recording.deleted = True
        return recording.record_id

    def live_status(self, tenant: Tenant, sipkey: object) -> dict[str, object]:
        room = self.own_room(tenant, sipkey)
        if room.meeting is None:
            raise SimFailure.business(200006, MSG_NO_MEETING)
        self._advance(room)
        meeting = room.meeting
        live = meeting.live and (meeting.live_from is None or self.clock() >= meeting.live_from)
        status: dict[str, object] = {
            "conferenceKey": room.sipkey,
            "live": live,
            "rtmpUrl": f"rtmp://{self.share_host}/live/{meeting.live_token or room.sipkey}" if live else "",
            # A recorder still joining: `false` with the new recordId, as the document's sample.
            "record": meeting.recording is not None and meeting.starting_until is None,
            # As the document's sample does: the last recordId even when not recording.
            "recordId": meeting.recording or room.last_record_id,
        }
        if meeting.failed_reason:
            status["failedReason"] = meeting.failed_reason
        return status

    # -- live streaming (the 2019 document's endpoints) -------------------------------------

    def open_live(self, tenant: Tenant, sipkey: object) -> str:
        """Start streaming the room's meeting; the new stream's token (its watch address's name)."""
        room = self.own_room(tenant, sipkey)
        if not room.may_live:
            raise SimFailure.business(200005)
        if room.meeting is None:
            raise SimFailure.business(200006, MSG_NO_MEETING)
        if room.meeting.live:
            raise SimFailure.business(200002)
        room.meeting.live = True
        room.meeting.live_token = uuid.UUID(int=self.rng.getrandbits(128), version=4).hex
        room.meeting.live_from = self.clock() + room.live_delay if room.live_delay else None
        return room.meeting.live_token

    def close_live(self, tenant: Tenant, sipkey: object) -> None:
        """Stop streaming. The document has no code for "live is not on" (recording has 200007),
        so a meeting not streamed is stopped all the same: success, nothing changes."""
        room = self.own_room(tenant, sipkey)
        if room.meeting is None:
            raise SimFailure.business(200006, MSG_NO_MEETING)
        room.meeting.live = False
        room.meeting.live_token = ""
        room.meeting.live_from = None

    def file_by_path(self, path: str) -> SimFile | None:
        for recording in self.recordings.values():
            if recording.deleted:
                continue
            for file in recording.files:
                if file.object_path == path:
                    return file
        return None

    # -- bookings ------------------------------------------------------------------------

    def create_booking(self, tenant: Tenant, body: dict[str, object]) -> SimBooking:
        creator = self.account(tenant, _text(body.get("account")))
        theme = _text(body.get("theme")).strip()
        if not theme:
            raise SimFailure(400, "theme不能为空")
        start = _booking_time(body.get("startDate"), "startDate")
        end = _booking_time(body.get("endDate"), "endDate")
        if end <= start:
            raise SimFailure(400, "结束时间必须晚于开始时间")
        room = self._booking_room(tenant, body.get("pid"), start, end)
        contacts = {str(c[0]): c[1] for c in tenant.contacts}
        visitors = [(v, contacts[v]) for v in _text(body.get("visitor_ids")).split(",") if v.strip() in contacts]
        host_pwd = _text(body.get("shostPwd")) or "".join(self.rng.choice("0123456789") for _ in range(6))
        booking = SimBooking(
            id=self._next_booking,
            account=_text(body.get("account")),
            theme=theme,
            introduction=_text(body.get("introduction")),
            host_pwd=host_pwd,
            guest_pwd=_text(body.get("svisitorPwd")),
            room=room,
            auto_open=_text(body.get("isAutoOpen")).lower() == "yes",
            start=start,
            end=end,
            created=service_now() - timedelta(seconds=self.clock_behind),
            visitors=visitors,
            creator=creator,
        )
        self._next_booking += 1
        tenant.bookings[booking.id] = booking
        return booking

    def _booking_room(self, tenant: Tenant, pid: object, start: datetime, end: datetime) -> SimRoom:
        def free(room: SimRoom) -> bool:
            return not any(b.overlaps(room.pid, start, end) for b in tenant.bookings.values())

        if pid in (None, ""):
            for room in tenant.rooms.values():
                if free(room):
                    return room
            raise SimFailure.business(200009)
        try:
            wanted = int(str(pid))
        except ValueError:
            raise SimFailure(400, "pid格式错误") from None
        chosen = next((r for r in tenant.rooms.values() if r.pid == wanted), None)
        if chosen is None:
            raise SimFailure.business(200008)
        if not free(chosen):
            raise SimFailure.business(200009)
        return chosen

    def cancel_booking(self, tenant: Tenant, st_id: object) -> None:
        try:
            booking_id = int(str(st_id))
        except ValueError:
            raise SimFailure(400, "st_id不能为空" if st_id in (None, "") else "预约不存在") from None
        if tenant.bookings.pop(booking_id, None) is None:
            raise SimFailure(400, "预约不存在")

    def bookings_of(self, tenant: Tenant, account: str | None) -> list[SimBooking]:
        self.account(tenant, account)
        mine = [b for b in tenant.bookings.values() if b.account == account]
        return sorted(mine, key=lambda b: (b.start, b.id))


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _booking_time(value: object, name: str) -> datetime:
    try:
        return datetime.strptime(_text(value).strip(), BOOKING_FORMAT)
    except ValueError:
        raise SimFailure(400, f"{name}格式错误，应为yyyy-MM-dd HH:mm") from None
