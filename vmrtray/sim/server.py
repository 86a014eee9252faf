"""The simulated service over HTTP: the API origin, the file origin and a control API.

`Sim` runs both origins on loopback in the caller's event loop. Tests use it in-process
(`async with Sim() as sim`) or as a process (`vmrctl sim`), and steer it through
`sim.state`, `sim.faults` and `sim.files` directly or through the `/_sim/...` routes.
"""

from __future__ import annotations

import asyncio
import json
import re
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from . import files as files_mod
from .faults import AFTER_KINDS, MANGLE_KINDS, FaultPlan, mangle
from .files import FileOrigin, files_app
from .state import (
    DEMO_ACCOUNT,
    DEMO_API_ID,
    DEMO_DEDICATED_ACCOUNT,
    DEMO_DEDICATED_KEY,
    DEMO_PUBLIC_KEY,
    SimBooking,
    SimFailure,
    SimFile,
    SimState,
    Tenant,
)
from .stats import Stats

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_OK_MESSAGE = "操作成功"


@dataclass
class Quirks:
    """Forms of the answers the document shows and a real server may or may not send."""

    trailing_commas: bool = False  # closeRecord / delRecordFile samples (API_NOTES 2)
    createmeet_object: bool = False  # createmeet's data as a bare object, not a list (8)
    paging_ignored: bool = False  # getcontacts answers everyone whatever the page asked


def _dumps(payload: object, trailing_commas: bool = False) -> str:
    text = json.dumps(payload, ensure_ascii=False, indent=4 if trailing_commas else None)
    if trailing_commas:
        text = re.sub(r"([^\s{\[,])\n(\s*)([}\]])", r"\1,\n\2\3", text)
    return text


class Sim:
    """The whole simulated service; `url` and `file_url` once started."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        file_port: int = 0,
        rooms: int = 6,
        contacts: int = 40,
        seed: int = 0,
        latency_ms: float = 0.0,
        jitter_ms: float = 0.0,
        fault_rate: float = 0.0,
        script_interval: float | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """`tls`: serve both origins over HTTPS with this server context (a test's own CA)."""
        self.host, self.port, self.file_port = host, port, file_port
        self.tls = tls
        self.state = SimState(rooms=rooms, contacts=contacts, seed=seed, share_host=host)
        self.faults = FaultPlan(latency_ms=latency_ms, jitter_ms=jitter_ms, rate=fault_rate)
        self.faults.rng.seed(seed)
        self.files = FileOrigin()
        self.stats = Stats()
        self.quirks = Quirks()
        self.script_interval = script_interval
        self.url = ""
        self.file_url = ""
        self._runners: list[web.AppRunner] = []
        self._script: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Sim:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        api_port = await self._serve(self._api_app(), self.port)
        file_port = await self._serve(files_app(self.state, self.files, self.stats), self.file_port)
        scheme = "https" if self.tls is not None else "http"
        self.url = f"{scheme}://{self.host}:{api_port}"
        self.file_url = f"{scheme}://{self.host}:{file_port}"
        self.files.base_url = self.file_url
        if self.script_interval:
            self._script = asyncio.create_task(self._run_script(self.script_interval))

    async def stop(self) -> None:
        self.faults.release.set()
        if self._script is not None:
            self._script.cancel()
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()

    async def _serve(self, app: web.Application, port: int) -> int:
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, port, ssl_context=self.tls)
        await site.start()
        self._runners.append(runner)
        return int(runner.addresses[-1][1])

    async def _run_script(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            self.state.script_step()

    # -- the API origin --------------------------------------------------------------------

    def _api_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        post, get = app.router.add_post, app.router.add_get
        post(
            "/meeting/openRecord",
            self._recording(lambda t, b: {"recordId": self.state.open_record(t, b.get("conferenceKey"))}),
        )
        post(
            "/meeting/closeRecord",
            self._recording(lambda t, b: {"recordId": self.state.close_record(t, b.get("conferenceKey"))}, quirky=True),
        )
        post(
            "/meeting/getRecords",
            self._recording(lambda t, b: [self._file_json(f) for f in self.state.record_files(t, b.get("recordId"))]),
        )
        post(
            "/meeting/delRecordFile",
            self._recording(lambda t, b: {"recordId": self.state.delete_record(t, b.get("recordId"))}, quirky=True),
        )
        post(
            "/meeting/getLiveRecStatus",
            self._api(lambda t, b: self.state.live_status(t, b.get("conferenceKey")), body=True),
        )
        get("/api/getmeetinginfo", self._meeting_info)
        get("/subscribe/getmeeting", self._api(self._rooms))
        get("/subscribe/getcontacts", self._api(self._contacts))
        post("/subscribe/createmeet", self._api(self._create_meeting, body=True))
        post("/subscribe/cancelmeet", self._api(self._cancel_meeting, body=True))
        get(
            "/subscribe/getsubmeetings",
            self._api(lambda t, q: [self._booking_json(b) for b in self.state.bookings_of(t, q.get("account"))]),
        )
        self._control_routes(app)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_sim/"):
            return await handler(request)
        self.stats.note("api", request)
        await self.faults.delay()
        fault = self.faults.pick(request.path)
        if fault in AFTER_KINDS:
            await handler(request)
        if fault in MANGLE_KINDS:
            real = await handler(request)
            if isinstance(real, web.Response) and real.body is not None and real.status == 200:
                real.body = mangle(fault, bytes(real.body))  # type: ignore[arg-type]
            return real
        if fault is not None:
            return await self.faults.answer(fault, request)
        return await handler(request)

    def _api(
        self,
        work: Callable[[Tenant, dict[str, Any]], Any],
        *,
        body: bool = False,
        code: int | str = 200,
        quirky: bool = False,
    ) -> Handler:
        """An enveloped endpoint: auth, then the body (or query) to `work`, then the envelope."""

        async def handle(request: web.Request) -> web.StreamResponse:
            try:
                tenant = self.state.tenant(request.headers.get("auth"))
                args = await self._body(request) if body else dict(request.query)
                data = work(tenant, args)
            except SimFailure as failure:
                fail_code: int | str | None = failure.code
                if isinstance(code, str) and failure.code is not None:
                    fail_code = str(failure.code)
                return self._envelope({"code": fail_code, "data": None, "message": failure.message, "state": 0})
            message = _OK_MESSAGE if request.path == "/subscribe/cancelmeet" else None
            payload = {"code": code, "data": data, "message": message, "state": 1}
            return self._envelope(payload, quirky and self.quirks.trailing_commas)

        return handle

    def _recording(self, work: Callable[[Tenant, dict[str, Any]], Any], *, quirky: bool = False) -> Handler:
        """The recording endpoints answer `code` as a string: "200"."""
        return self._api(work, body=True, code="200", quirky=quirky)

    async def _body(self, request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            body = None
        self.stats.bodies.append((request.path, body))
        if not isinstance(body, dict):
            raise SimFailure(400, "消息体缺失,请检查")
        return body

    @staticmethod
    def _envelope(payload: dict[str, Any], trailing_commas: bool = False) -> web.Response:
        return web.Response(text=_dumps(payload, trailing_commas), content_type="application/json")

    async def _meeting_info(self, request: web.Request) -> web.StreamResponse:
        addr = request.query.get("addr", "")
        found = self.state.find_room(addr) if addr else None
        if not addr:
            return self._envelope({"code": 400, "msg": "addr不能为空"})
        if found is None:
            return self._envelope({"code": 200008, "msg": "该会议不存在"})
        room = found[1]
        meeting = room.meeting
        return self._envelope(
            {
                "code": 200,
                "msg": "success",
                "name": room.name,
                "alias": room.sipkey,
                "hostpwd": room.host_pin,
                "guestpwd": room.guest_pin,
                "locked": bool(meeting and meeting.locked),
                "started": meeting is not None,
                "participants": meeting.participants if meeting else 0,
            }
        )

    def _rooms(self, tenant: Tenant, query: dict[str, Any]) -> list[dict[str, Any]]:
        self.state.account(tenant, query.get("account"))
        return [
            {
                "hostPin": r.host_pin,
                "isPublicVmr": "yes",
                "livePwd": "",
                "hostView": "1:7",
                "alias": r.alias,
                "guestView": "1:7",
                "guestPin": r.guest_pin,
                "pid": r.pid,
                "type": r.type,
                "maxSquare": str(r.capacity),
                "pDesc": r.name,
                "sipkey": int(r.sipkey),  # the document's sample sends it as a number
                "isDispark": "no",
            }
            for r in tenant.rooms.values()
        ]

    def _contacts(self, tenant: Tenant, query: dict[str, Any]) -> list[dict[str, Any]]:
        self.state.account(tenant, query.get("account"))
        contacts = tenant.contacts
        if query.get("isAll", "no") != "yes" and not self.quirks.paging_ignored:
            try:
                index = max(1, int(query.get("pageIndex", 1)))
                size = max(1, int(query.get("pageSize", 10)))
            except ValueError:
                raise SimFailure(400, "分页参数错误") from None
            contacts = contacts[(index - 1) * size : index * size]
        return [{"id": cid, "name": name, "account": account} for cid, name, account in contacts]

    def _create_meeting(self, tenant: Tenant, body: dict[str, Any]) -> Any:
        booking = self._booking_json(self.state.create_booking(tenant, body))
        return booking if self.quirks.createmeet_object else [booking]

    def _cancel_meeting(self, tenant: Tenant, body: dict[str, Any]) -> None:
        self.state.cancel_booking(tenant, body.get("st_id"))

    def _file_json(self, file: SimFile) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "recordId": file.record_id,
            "conferenceKey": file.conference_key,
            "entId": file.ent_id,
            "startTime": f"{file.start:%Y-%m-%d %H:%M:%S}",
            "fileSize": file.size,
            "stopTime": f"{file.stop:%Y-%m-%d %H:%M:%S}",
            "downUrl": self.files.sign(file.object_path),
        }
        if file.cid:
            entry["cid"] = file.cid
        return entry

    def _booking_json(self, b: SimBooking) -> dict[str, Any]:
        return {
            "id": b.id,
            "theme": b.theme,
            "introduction": b.introduction,
            "randomHostPwd": b.host_pwd,
            "randomVisitorPwd": b.guest_pwd,
            "sipkey": b.room.sipkey,
            "isAutoOpen": "yes" if b.auto_open else "no",
            "startDate": f"{b.start:%Y-%m-%d %H:%M}",
            "endDate": f"{b.end:%Y-%m-%d %H:%M}",
            "createSubscriber": {"id": b.creator[0], "name": b.creator[1]},
            "createTime": f"{b.created:%Y-%m-%d %H:%M:%S}",
            "shortAddress": f"{self.url}/meet/share/S{b.id:05d}",
            "bizProductId": b.room.pid,
            "visitorList": [{"id": vid, "name": name} for vid, name in b.visitors],
        }

    # -- the control API (tests, demos, benchmarks) -------------------------------------------

    def _control_routes(self, app: web.Application) -> None:
        app.router.add_get("/_sim/info", self._ctl_info)
        app.router.add_post("/_sim/meeting", self._ctl_meeting)
        app.router.add_post("/_sim/room", self._ctl_room)
        app.router.add_post("/_sim/faults", self._ctl_faults)
        app.router.add_post("/_sim/files", self._ctl_files)
        app.router.add_post("/_sim/quirks", self._ctl_quirks)
        app.router.add_get("/_sim/stats", self._ctl_stats)
        app.router.add_post("/_sim/stats/reset", self._ctl_stats_reset)
        app.router.add_get("/_sim/recordings/{record_id}", self._ctl_recording)

    def info(self) -> dict[str, Any]:
        rooms = []
        for tenant in self.state.tenants.values():
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
            "url": self.url,
            "file_url": self.file_url,
            "public": {"api_id": DEMO_API_ID, "account": DEMO_ACCOUNT},
            "dedicated": {"tenant_key": DEMO_DEDICATED_KEY, "account": DEMO_DEDICATED_ACCOUNT},
            "rooms": rooms,
            "bookings": sum(len(t.bookings) for t in self.state.tenants.values()),
        }

    def recording_info(self, record_id: str) -> dict[str, Any]:
        recording = self.state.recordings.get(record_id)
        if recording is None:
            raise KeyError(record_id)
        return {
            "record_id": record_id,
            "deleted": recording.deleted,
            "files": [
                {"size": f.size, "sha256": files_mod.sha256_of(f.file_id, f.size), "path": f.object_path}
                for f in recording.files
            ],
        }

    async def _ctl_info(self, request: web.Request) -> web.Response:
        return web.json_response(self.info())

    async def _ctl_meeting(self, request: web.Request) -> web.Response:
        body = await request.json()
        try:
            self.state.set_meeting(
                str(body["room"]),
                started=body.get("started"),
                participants=body.get("participants"),
                locked=body.get("locked"),
                live=body.get("live"),
            )
        except KeyError:
            return web.json_response({"error": "no such room"}, status=404)
        return web.json_response(self.info())

    async def _ctl_room(self, request: web.Request) -> web.Response:
        body = await request.json()
        found = self.state.find_room(str(body.get("room")))
        if found is None:
            return web.json_response({"error": "no such room"}, status=404)
        room = found[1]
        for name in ("may_record", "record_fails", "file_size", "files_per_recording", "name"):
            if name in body:
                setattr(room, name, body[name])
        return web.json_response(self.info())

    async def _ctl_faults(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("clear"):
            self.faults.clear()
        for name in ("latency_ms", "jitter_ms", "rate"):
            if name in body:
                setattr(self.faults, name, float(body[name]))
        if "redirect_to" in body:
            self.faults.redirect_to = str(body["redirect_to"])
        if "kind" in body:
            try:
                self.faults.queue(body["kind"], count=int(body.get("count", 1)), path=body.get("path"))
            except ValueError as exc:
                return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"queued": len(self.faults.queued)})

    async def _ctl_files(self, request: web.Request) -> web.Response:
        body = await request.json()
        for name in ("ttl", "range_enabled", "rate_limit", "reset_after"):
            if name in body:
                setattr(self.files, name, body[name])
        return web.json_response({"ok": True})

    async def _ctl_quirks(self, request: web.Request) -> web.Response:
        body = await request.json()
        for name in ("trailing_commas", "createmeet_object", "paging_ignored"):
            if name in body:
                setattr(self.quirks, name, bool(body[name]))
        return web.json_response({"ok": True})

    async def _ctl_stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats.summary())

    async def _ctl_stats_reset(self, request: web.Request) -> web.Response:
        self.stats.reset()
        return web.json_response({"ok": True})

    async def _ctl_recording(self, request: web.Request) -> web.Response:
        try:
            return web.json_response(self.recording_info(request.match_info["record_id"]))
        except KeyError:
            return web.json_response({"error": "no such recording"}, status=404)


async def serve_forever(sim: Sim, announce: Callable[[str], None]) -> None:
    """Run `sim` until cancelled, announcing where it listens and the demo credentials."""
    async with sim:
        announce(f"listening on {sim.url}")
        announce(f"file origin on {sim.file_url}")
        announce(f"public cloud:    VMRTRAY_AUTH={DEMO_PUBLIC_KEY}  account {DEMO_ACCOUNT}")
        announce(f"dedicated cloud: VMRTRAY_AUTH={DEMO_DEDICATED_KEY}  account {DEMO_DEDICATED_ACCOUNT}")
        rooms = ", ".join(room.sipkey for t in sim.state.tenants.values() for room in t.rooms.values())
        announce(f"rooms: {rooms}")
        await asyncio.Event().wait()
