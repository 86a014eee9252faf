"""The control API under `/_sim/`: what tests, demos and benchmarks steer the simulator with.

People in the rooms (meetings, participants), the rooms' knobs, faults and pace, the
object store's knobs, the quirks, and the counters; `info` and `recording_info` answer
what the service holds.
"""

from __future__ import annotations

from typing import Any, Protocol

from aiohttp import web

from .faults import FaultPlan
from .files import sha256_of
from .routes import Service
from .world import DEMO_ACCOUNT, DEMO_API_ID, DEMO_DEDICATED_ACCOUNT, DEMO_DEDICATED_KEY

#: The room knobs `/_sim/room` sets.
ROOM_KNOBS = (
    "may_record",
    "record_fails",
    "file_size",
    "files_per_recording",
    "shuffle_files",  # True: getRecords answers the files in reverse on every second call
    "files_one_by_one",  # n: the files are listed one at a time, one more every n answers
    "name",
    "start_delay",
    "files_delay",
    "may_live",  # False: openLive answers 200005
    "live_delay",  # seconds getLiveRecStatus says `live: false` after openLive
)
#: The object store's knobs `/_sim/files` sets.
FILE_KNOBS = (
    "ttl",
    "range_enabled",
    "rate_limit",
    "reset_after",
    "checksum",
    "change_after",
    "if_range",
    "range_validators",  # False: a 206 carries no ETag, Last-Modified or CRC-64
    "range_total",  # False: a 206's Content-Range total is "*"
    "empty_ranges",  # True: every 206 carries no bytes
)
#: What `/_sim/service` sets for the whole service (a room's own knobs override the pace).
SERVICE_KNOBS = ("start_delay", "files_delay", "clock_behind", "live_endpoints")
#: Of those, the ones that are yes/no rather than seconds.
SERVICE_FLAGS = frozenset({"live_endpoints"})
#: The quirks `/_sim/quirks` turns on or off.
QUIRKS = ("trailing_commas", "createmeet_object", "paging_ignored")


class Steered(Service, Protocol):
    """The running simulator, as the control API sees it: also where files are served, and its faults."""

    @property
    def file_url(self) -> str: ...
    @property
    def faults(self) -> FaultPlan: ...


class Control:
    """The `/_sim/...` routes, added to the API origin's application (no fault strikes them)."""

    def __init__(self, sim: Steered) -> None:
        self.sim = sim

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/_sim/info", self._info)
        app.router.add_post("/_sim/meeting", self._meeting)
        app.router.add_post("/_sim/room", self._room)
        app.router.add_post("/_sim/faults", self._faults)
        app.router.add_post("/_sim/files", self._files)
        app.router.add_post("/_sim/quirks", self._quirks)
        app.router.add_post("/_sim/service", self._service)
        app.router.add_get("/_sim/stats", self._stats)
        app.router.add_post("/_sim/stats/reset", self._stats_reset)
        app.router.add_get("/_sim/recordings/{record_id}", self._recording)

    def info(self) -> dict[str, Any]:
        """Where the service listens, the demo credentials, every room as it is, the bookings' count."""
        state = self.sim.state
        rooms = []
        for tenant in state.tenants.values():
            for room in tenant.rooms.values():
                meeting = room.meeting
                rooms.append(
                    {
                        "tenant": tenant.ent_id,
                        "sipkey": room.sipkey,
                        "pid": room.pid,
                        "name": room.name,
                        "may_record": room.may_record,
                        "started": meeting is not None,
                        "participants": meeting.participants if meeting else 0,
                        "recording": meeting.recording if meeting else None,
                    }
                )
        return {
            "url": self.sim.url,
            "file_url": self.sim.file_url,
            "public": {"api_id": DEMO_API_ID, "account": DEMO_ACCOUNT},
            "dedicated": {"tenant_key": DEMO_DEDICATED_KEY, "account": DEMO_DEDICATED_ACCOUNT},
            "rooms": rooms,
            "bookings": sum(len(t.bookings) for t in state.tenants.values()),
        }

    def recording_info(self, record_id: str) -> dict[str, Any]:
        """A recording's files (size, sha256, object path) and whether it was deleted; KeyError if none."""
        recording = self.sim.state.recordings.get(record_id)
        if recording is None:
            raise KeyError(record_id)
        return {
            "record_id": record_id,
            "deleted": recording.deleted,
            "files": [
                {"size": f.size, "sha256": sha256_of(f.file_id, f.size), "path": f.object_path} for f in recording.files
            ],
        }

    async def _info(self, request: web.Request) -> web.Response:
        return web.json_response(self.info())

    async def _meeting(self, request: web.Request) -> web.Response:
        body = await request.json()
        try:
            self.sim.state.set_meeting(
                str(body["room"]),
                started=body.get("started"),
                participants=body.get("participants"),
                locked=body.get("locked"),
                live=body.get("live"),
            )
        except KeyError:
            return web.json_response({"error": "no such room"}, status=404)
        return web.json_response(self.info())

    async def _room(self, request: web.Request) -> web.Response:
        body = await request.json()
        found = self.sim.state.find_room(str(body.get("room")))
        if found is None:
            return web.json_response({"error": "no such room"}, status=404)
        room = found[1]
        for name in ROOM_KNOBS:
            if name in body:
                setattr(room, name, body[name])
        return web.json_response(self.info())

    async def _faults(self, request: web.Request) -> web.Response:
        body = await request.json()
        faults = self.sim.faults
        if body.get("clear"):
            faults.clear()
        for name in ("latency_ms", "jitter_ms", "rate"):
            if name in body:
                setattr(faults, name, float(body[name]))
        if "redirect_to" in body:
            faults.redirect_to = str(body["redirect_to"])
        if "kind" in body:
            try:
                faults.queue(body["kind"], count=int(body.get("count", 1)), path=body.get("path"))
            except ValueError as exc:
                return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"queued": len(faults.queued)})

    async def _service(self, request: web.Request) -> web.Response:
        """The whole service's pace and clock, SERVICE_KNOBS given in the body: start_delay and
        files_delay in seconds of the simulator's clock (`state.clock`, which a test may move),
        clock_behind in seconds of the real one, live_endpoints yes or no (SERVICE_FLAGS).
        Answers every knob as it now is."""
        body = await request.json()
        try:
            values = {
                name: _flag(name, body[name]) if name in SERVICE_FLAGS else float(body[name])
                for name in SERVICE_KNOBS
                if name in body
            }
        except ValueError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        for name, value in values.items():
            setattr(self.sim.state, name, value)
        return web.json_response({name: getattr(self.sim.state, name) for name in SERVICE_KNOBS})

    async def _files(self, request: web.Request) -> web.Response:
        body = await request.json()
        for name in FILE_KNOBS:
            if name in body:
                setattr(self.sim.files, name, body[name])
        return web.json_response({"ok": True})

    async def _quirks(self, request: web.Request) -> web.Response:
        body = await request.json()
        try:
            values = {name: _flag(name, body[name]) for name in QUIRKS if name in body}
        except ValueError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        for name, value in values.items():
            setattr(self.sim.quirks, name, value)
        return web.json_response({"ok": True})

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.sim.stats.summary())

    async def _stats_reset(self, request: web.Request) -> web.Response:
        self.sim.stats.reset()
        return web.json_response({"ok": True})

    async def _recording(self, request: web.Request) -> web.Response:
        try:
            return web.json_response(self.recording_info(request.match_info["record_id"]))
        except KeyError:
            return web.json_response({"error": "no such recording"}, status=404)


_FLAG_WORDS = {"true": True, "yes": True, "on": True, "1": True, "false": False, "no": False, "off": False, "0": False}


def _flag(name: str, value: object) -> bool:
    """A yes/no knob: JSON true/false, 1/0, or the words; anything else is refused (bool("false")
    would have turned a knob on)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _FLAG_WORDS:
        return _FLAG_WORDS[value.strip().lower()]
    raise ValueError(f"{name} is yes or no, not {value!r}")
