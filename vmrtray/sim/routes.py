"""The API origin's endpoints: auth, the envelope, and the JSON shape of the service's objects.

The business rules are `SimState`'s; these handlers only speak HTTP around them, in the
forms the service answers in (string codes on the recording endpoints, the quirks).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from aiohttp import web
from aiohttp.typedefs import Handler

from .files import FileOrigin
from .quirks import Quirks, dumps
from .state import SimBooking, SimFailure, SimFile, SimState, Tenant
from .stats import Stats

_OK_MESSAGE = "操作成功"
_NOT_FOUND_PAGE = "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"


class Service(Protocol):
    """The running simulator the endpoints answer from, read at each request (a test may
    swap its state for another world while it runs)."""

    @property
    def url(self) -> str: ...
    @property
    def state(self) -> SimState: ...
    @property
    def files(self) -> FileOrigin: ...
    @property
    def stats(self) -> Stats: ...
    @property
    def quirks(self) -> Quirks: ...


class ApiRoutes:
    """The service's API endpoints, added to the API origin's application."""

    def __init__(self, sim: Service) -> None:
        self.sim = sim

    @property
    def _state(self) -> SimState:
        return self.sim.state

    def add_to(self, app: web.Application) -> None:
        post, get = app.router.add_post, app.router.add_get
        post(
            "/meeting/openRecord",
            self._recording(lambda t, b: {"recordId": self._state.open_record(t, b.get("conferenceKey"))}),
        )
        post(
            "/meeting/closeRecord",
            self._recording(
                lambda t, b: {"recordId": self._state.close_record(t, b.get("conferenceKey"))}, quirky=True
            ),
        )
        post(
            "/meeting/getRecords",
            self._recording(lambda t, b: [self._file_json(f) for f in self._state.record_files(t, b.get("recordId"))]),
        )
        post(
            "/meeting/delRecordFile",
            self._recording(lambda t, b: {"recordId": self._state.delete_record(t, b.get("recordId"))}, quirky=True),
        )
        post(
            "/meeting/getLiveRecStatus",
            self._api(lambda t, b: self._state.live_status(t, b.get("conferenceKey")), body=True),
        )
        post("/meeting/openLive", self._live(lambda t, b: self._open_live(t, b)))
        post("/meeting/closeLive", self._live(lambda t, b: self._state.close_live(t, b.get("conferenceKey"))))
        get("/api/getmeetinginfo", self._meeting_info)
        get("/subscribe/getmeeting", self._api(self._rooms))
        get("/subscribe/getcontacts", self._api(self._contacts))
        post("/subscribe/createmeet", self._api(self._create_meeting, body=True))
        post("/subscribe/cancelmeet", self._api(self._cancel_meeting, body=True))
        get(
            "/subscribe/getsubmeetings",
            self._api(lambda t, q: [self._booking_json(b) for b in self._state.bookings_of(t, q.get("account"))]),
        )

    # -- the envelope ----------------------------------------------------------------------

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
                tenant = self._state.tenant(request.headers.get("auth"))
                args = await self._body(request) if body else dict(request.query)
                data = work(tenant, args)
            except SimFailure as failure:
                fail_code: int | str | None = failure.code
                if isinstance(code, str) and failure.code is not None:
                    fail_code = str(failure.code)
                return _envelope({"code": fail_code, "data": None, "message": failure.message, "state": 0})
            message = _OK_MESSAGE if request.path == "/subscribe/cancelmeet" else None
            payload = {"code": code, "data": data, "message": message, "state": 1}
            return _envelope(payload, quirky and self.sim.quirks.trailing_commas)

        return handle

    def _recording(self, work: Callable[[Tenant, dict[str, Any]], Any], *, quirky: bool = False) -> Handler:
        """The recording endpoints answer `code` as a string: "200"."""
        return self._api(work, body=True, code="200", quirky=quirky)

    def _live(self, work: Callable[[Tenant, dict[str, Any]], Any]) -> Handler:
        """The live endpoints as the 2019 document prints them: `code` "200", trailing commas,
        and no `data` at all when there is none (closeLive). A service without them
        (`live_endpoints` off) answers 404 with a web page, as a gateway would."""
        inner = self._api(work, body=True, code="200")

        async def handle(request: web.Request) -> web.StreamResponse:
            if not self._state.live_endpoints:
                return web.Response(status=404, text=_NOT_FOUND_PAGE, content_type="text/html")
            answer = await inner(request)
            if not isinstance(answer, web.Response) or answer.text is None:
                return answer
            payload = json.loads(answer.text)
            if payload.get("data") is None and payload.get("state") == 1:
                del payload["data"]
            return _envelope(payload, trailing_commas=True)

        return handle

    def _open_live(self, tenant: Tenant, body: dict[str, Any]) -> dict[str, str]:
        token = self._state.open_live(tenant, body.get("conferenceKey"))
        return {"liveurl": f"{self.sim.url}/live/{token}"}

    async def _body(self, request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            body = None
        self.sim.stats.bodies.append((request.path, body))
        if not isinstance(body, dict):
            raise SimFailure(400, "消息体缺失,请检查")
        return body

    # -- the endpoints ---------------------------------------------------------------------

    async def _meeting_info(self, request: web.Request) -> web.StreamResponse:
        addr = request.query.get("addr", "")
        found = self._state.find_room(addr) if addr else None
        if not addr:
            return _envelope({"code": 400, "msg": "addr不能为空"})
        if found is None:
            return _envelope({"code": 200008, "msg": "该会议不存在"})
        room = found[1]
        meeting = room.meeting
        return _envelope(
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
        self._state.account(tenant, query.get("account"))
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
        self._state.account(tenant, query.get("account"))
        contacts = tenant.contacts
        if query.get("isAll", "no") != "yes" and not self.sim.quirks.paging_ignored:
            try:
                index = max(1, int(query.get("pageIndex", 1)))
                size = max(1, int(query.get("pageSize", 10)))
            except ValueError:
                raise SimFailure(400, "分页参数错误") from None
            contacts = contacts[(index - 1) * size : index * size]
        return [{"id": cid, "name": name, "account": account} for cid, name, account in contacts]

    def _create_meeting(self, tenant: Tenant, body: dict[str, Any]) -> Any:
        booking = self._booking_json(self._state.create_booking(tenant, body))
        return booking if self.sim.quirks.createmeet_object else [booking]

    def _cancel_meeting(self, tenant: Tenant, body: dict[str, Any]) -> None:
        self._state.cancel_booking(tenant, body.get("st_id"))

    # -- the service's objects as JSON -----------------------------------------------------

    def _file_json(self, file: SimFile) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "recordId": file.record_id,
            "conferenceKey": file.conference_key,
            "entId": file.ent_id,
            "startTime": f"{file.start:%Y-%m-%d %H:%M:%S}",
            "fileSize": file.size,
            "stopTime": f"{file.stop:%Y-%m-%d %H:%M:%S}",
            "downUrl": self.sim.files.sign(file.object_path),
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
            "shortAddress": f"{self.sim.url}/meet/share/S{b.id:05d}",
            "bizProductId": b.room.pid,
            "visitorList": [{"id": vid, "name": name} for vid, name in b.visitors],
        }


def _envelope(payload: dict[str, Any], trailing_commas: bool = False) -> web.Response:
    return web.Response(text=dumps(payload, trailing_commas), content_type="application/json")
