"""The async client of the meeting-management API: one method per endpoint.

Every call goes through `Client._call`, which owns the rules that matter everywhere:
the `auth` header is attached per request and only for the API's own origin (never to
another host, not after a redirect either), bodies are bounded in size and time, and
every transport or protocol failure becomes one of the errors in `errors.py`.
"""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import json
import logging
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import tzinfo
from functools import partial
from itertools import chain, compress
from types import TracebackType
from typing import Any, Final, Self, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from .errors import (
    BUSINESS_CODES,
    ApiError,
    AuthError,
    Broke,
    InsecureServerError,
    NetworkError,
    NoLiveError,
    ServerError,
    VmrError,
    one_line,
)
from .models import (
    SERVER_TZ,
    Booking,
    BookingRequest,
    Contact,
    LiveRecStatus,
    MeetingInfo,
    RecordFile,
    Room,
    is_record_id,
)
from .scrub import Scrubber, key_secrets

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

DEFAULT_TIMEOUT: Final = 20.0
MAX_CONNECTIONS: Final = 16
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
#: The most an answer about one thing is read (a room's state, a toggle's recordId, one booking):
#: a few hundred bytes in the service's own answers. Decoding holds the event loop (C decoders
#: keep the GIL), so the answers the tray polls every few seconds may not bring 8 MiB of nested
#: groups (1.6 s in bench/json_tolerance.py); the lists (rooms, contacts, bookings, files) may.
ONE_THING_BYTES: Final = 256 * 1024
_ONE_THING: Final = frozenset(
    {
        "/api/getmeetinginfo",
        "/meeting/getLiveRecStatus",
        "/meeting/openRecord",
        "/meeting/closeRecord",
        "/meeting/delRecordFile",
        "/meeting/openLive",
        "/meeting/closeLive",
        "/subscribe/createmeet",
        "/subscribe/cancelmeet",
    }
)
MAX_REDIRECTS: Final = 3
#: The longest watch address taken from the service (anything longer is not an address to show).
MAX_URL_LENGTH: Final = 2048
NESTED_TOO_DEEP: Final = "the answer is nested too deeply to be read"
#: The deepest answer read: the service's are 4 levels deep at most (an envelope, a list, a
#: record, a failedReason object); pydantic stops serializing at 255 (a model's unknown
#: fields keep whatever was sent), json.loads at Python's recursion limit.
MAX_DEPTH: Final = 64
#: HTTP statuses that say "no such endpoint here" (an endpoint only some servers have).
ABSENT_STATUSES: Final = frozenset({404, 405, 501})
#: The envelope's `code` for a rejected key: the vendor documents 403 ("auth错误；冒用他人的auth",
#: API_NOTES, "From the vendor's other published versions"), and only 403. A 401 is not the
#: service's: HTTP's word for "no valid credentials" is what a gateway or a proxy in front
#: of it says (`{"code":401,"msg":"Unauthorized"}` is a common gateway's JSON), so it is a
#: server error like the gateway's HTML page, never a sign-out. A bare HTTP 401/403 without
#: the service's envelope is a gateway's too.
AUTH_CODES: Final = frozenset({403})
#: The documented words of a bad key (a wrong one, someone else's) and of a missing one
#: ("auth码不能为空", seen from the real service); a message merely containing "auth"
#: ("author of this room is unknown", "OAuth gateway busy") is not about the key.
_BAD_KEY_WORDS: Final = re.compile(r"(?<![a-z])auth码?错误|冒用他人的auth", re.IGNORECASE)
_MISSING_KEY_WORDS: Final = re.compile(r"(?<![a-z])auth码?不能为空", re.IGNORECASE)


def public_cloud_key(api_id: str, api_key: str) -> str:
    """The public cloud's auth key: the tenant's API ID and API KEY joined by a colon."""
    api_id, api_key = api_id.strip(), api_key.strip()
    if not api_id or not api_key or ":" in api_id:
        raise ValueError("an API ID and an API KEY are both needed, and the ID has no colon")
    return f"{api_id}:{api_key}"


def normalize_server(url: str) -> str:
    """The API origin as the user typed it, checked: scheme and host, no trailing slash."""
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parsed = httpx.URL(text)
    except httpx.InvalidURL:
        raise ValueError(f"not a server address: {_without_userinfo(text)!r}") from None
    if parsed.userinfo:  # saved in settings, printed, and sent as Basic auth: refused, never echoed
        shown = str(parsed.copy_with(username=None, password=None))
        raise ValueError(f"a server address carries no user name or password: {shown!r} (the key signs in)")
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"not an http(s) server address: {url!r}")
    if parsed.query or parsed.fragment:
        raise ValueError(f"a server address has no query or fragment: {url!r}")
    if parsed.port is not None and not 0 < parsed.port < 65536:  # httpx takes 99999; connect() does not
        raise ValueError(f"a port is a number from 1 to 65535: {url!r}")
    return str(parsed.copy_with(path=parsed.path.rstrip("/") or "/")).rstrip("/")


def _without_userinfo(text: str) -> str:
    """A typed address with anything before an '@' in its authority blotted out (for words
    about an address httpx could not even read)."""
    scheme, sep, rest = text.partition("://")
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}{sep}{authority}{slash}{path}"


def is_loopback(host: str) -> bool:
    """Whether `host` is this computer whatever resolves names: a loopback IP literal
    (127.0.0.0/8, ::1), or the exact name `localhost`. Not `*.localhost`: nothing here makes
    it resolve to this computer (Python asks the system's resolver, which may ask DNS), and
    a DNS answer of another address sent the key there in clear. `localhost` itself every
    supported system resolves to loopback before any DNS (the hosts file, systemd-resolved,
    nss-myhostname, Windows' resolver: RFC 6761, 6.3), and changing that takes the rights
    that also read the key from the keyring."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def in_clear_over_network(server: str) -> bool:
    """Whether `server` is plain http to another computer: the key would cross the network in clear."""
    return _in_clear(httpx.URL(normalize_server(server)))


def _in_clear(origin: httpx.URL) -> bool:
    return origin.scheme == "http" and not is_loopback(origin.host)


def same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def _is_safe_upgrade(a: httpx.URL, b: httpx.URL) -> bool:
    """http://host → https://host on default ports: the key may follow (it gets safer)."""
    return a.scheme == "http" and b.scheme == "https" and a.host == b.host and a.port is None and b.port is None


def make_http_client(
    *, timeout: float = DEFAULT_TIMEOUT, max_connections: int = MAX_CONNECTIONS, **kwargs: Any
) -> httpx.AsyncClient:
    """An httpx client sized for the API: bounded pool, keep-alive, no automatic redirects."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        limits=httpx.Limits(
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=30.0,
        ),
        follow_redirects=False,
        **kwargs,
    )


class Client:
    """The API at `server`, speaking with `key` (None: only calls that need no key work).

    Pass an `httpx.AsyncClient` to share one (it is then not closed here), or let the
    client own one. Use `async with Client(...) as api:` or call `aclose()`.
    """

    def __init__(
        self,
        server: str,
        key: str | None,
        *,
        http: httpx.AsyncClient | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        server_tz: tzinfo = SERVER_TZ,
        max_connections: int = MAX_CONNECTIONS,
        http_options: Mapping[str, Any] | None = None,
        allow_http: bool = False,
    ) -> None:
        """`http_options` go to the httpx client this Client owns (a proxy, `trust_env`,
        `verify`). A plain-http server other than this computer is refused unless
        `allow_http`: the key would cross the network in clear."""
        self.server = normalize_server(server)
        self._origin = httpx.URL(self.server)
        if not allow_http and _in_clear(self._origin):
            raise InsecureServerError(self._origin.host)
        self._key = key
        self._scrubber = Scrubber(key_secrets(key))
        self._timeout = timeout
        self.server_tz = server_tz
        self._endpoints: dict[str, httpx.URL] = {}
        self._owns_http = http is None
        self._http = http or make_http_client(timeout=timeout, max_connections=max_connections, **(http_options or {}))

    @property
    def timeout(self) -> float:
        """Seconds this client gives one answer (the whole exchange) before NetworkError."""
        return self._timeout

    @property
    def origin_host(self) -> str:
        """The API's host name (for ids that must be unique to this service)."""
        return self._origin.host

    def __repr__(self) -> str:  # never the key
        return f"Client({self.server!r}, key={'set' if self._key else 'none'})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # -- recording -----------------------------------------------------------------

    async def open_record(self, conference_key: str) -> str:
        """Start cloud recording in a room's running meeting; returns the recordId."""
        data = await self._call("POST", "/meeting/openRecord", body={"conferenceKey": conference_key})
        return self._record_id(data, "/meeting/openRecord")

    async def close_record(self, conference_key: str) -> str:
        data = await self._call("POST", "/meeting/closeRecord", body={"conferenceKey": conference_key})
        return self._record_id(data, "/meeting/closeRecord")

    async def get_records(self, record_id: str, *, origin: str | None = None) -> list[RecordFile]:
        """Every file of one recording (a recording may be split into several)."""
        body: dict[str, Any] = {"recordId": str(record_id)}
        if origin:
            body["origin"] = origin
        data = await self._call("POST", "/meeting/getRecords", body=body)
        return self._parse_list(RecordFile, data, "/meeting/getRecords")

    async def delete_record_file(self, record_id: str) -> str:
        data = await self._call("POST", "/meeting/delRecordFile", body={"recordId": str(record_id)})
        return self._record_id(data, "/meeting/delRecordFile", fallback=str(record_id))

    async def get_live_rec_status(self, conference_key: str) -> LiveRecStatus:
        path = "/meeting/getLiveRecStatus"
        data = await self._call("POST", path, body={"conferenceKey": conference_key})
        return self._parse(LiveRecStatus, data, path)

    # -- live streaming (the 2019 document's endpoints: a server may not have them) -------

    async def open_live(self, conference_key: str) -> str:
        """Start live streaming of a room's running meeting; returns the watch address
        (`data.liveurl`), checked to be an http(s) URL. NoLiveError when the server has no
        live endpoints."""
        path = "/meeting/openLive"
        data = await self._call("POST", path, body={"conferenceKey": conference_key}, absent=NoLiveError.at)
        return _watch_address(data, path)

    async def close_live(self, conference_key: str) -> None:
        """Stop live streaming; the answer carries no `data`. NoLiveError as `open_live`."""
        await self._call("POST", "/meeting/closeLive", body={"conferenceKey": conference_key}, absent=NoLiveError.at)

    # -- rooms -----------------------------------------------------------------------

    async def get_meeting_info(self, addr: str) -> MeetingInfo:
        """Whether a room is in use and by how many; the answer is flat (no envelope)."""
        path = "/api/getmeetinginfo"
        data = await self._call("GET", path, params={"addr": addr}, flat=True)
        return self._parse(MeetingInfo, data, path)

    async def get_rooms(self, account: str) -> list[Room]:
        """The rooms `account` may book (`getmeeting`)."""
        path = "/subscribe/getmeeting"
        data = await self._call("GET", path, params={"account": account})
        return self._parse_list(Room, data, path)

    async def get_contacts(
        self, account: str, *, page_index: int | None = None, page_size: int | None = None, all: bool = False
    ) -> list[Contact]:
        path = "/subscribe/getcontacts"
        params: dict[str, str | int] = {"account": account, "isAll": "yes" if all else "no"}
        if not all:
            if page_index is not None:
                params["pageIndex"] = page_index
            if page_size is not None:
                params["pageSize"] = page_size
        data = await self._call("GET", path, params=params)
        return self._parse_list(Contact, data, path)

    # -- bookings ----------------------------------------------------------------------

    async def create_meeting(self, request: BookingRequest) -> Booking:
        path = "/subscribe/createmeet"
        data = await self._call("POST", path, body=request.to_body(self.server_tz))
        if isinstance(data, list):  # the document's sample: a list holding one booking
            if len(data) != 1:
                raise ServerError(f"expected one booking, got {len(data)}", endpoint=path)
            data = data[0]
        return self._parse(Booking, data, path)

    async def cancel_meeting(self, booking_id: str) -> None:
        await self._call("POST", "/subscribe/cancelmeet", body={"st_id": str(booking_id)})

    async def get_bookings(self, account: str) -> list[Booking]:
        path = "/subscribe/getsubmeetings"
        data = await self._call("GET", path, params={"account": account})
        return self._parse_list(Booking, data, path)

    # -- the one request method -----------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        flat: bool = False,
        absent: Callable[[str], VmrError] | None = None,
    ) -> Any:
        """Send one request and return the envelope's `data` (or the flat body); `absent`
        makes the error for an endpoint this server does not have (404, or a web page)."""
        try:
            async with asyncio.timeout(self._timeout):
                status, raw = await self._send(method, path, body, params)
        except TimeoutError:
            raise NetworkError(Broke.DEADLINE, timeout=True, endpoint=path, seconds=self._timeout) from None
        return self._unwrap(status, raw, path, flat=flat, absent=absent)

    async def _send(
        self, method: str, path: str, body: Mapping[str, Any] | None, params: Mapping[str, str | int] | None
    ) -> tuple[int, bytes]:
        url = self._endpoint(path)
        query = dict(params) if params else None
        for _ in range(MAX_REDIRECTS + 1):
            headers = {"Accept": "application/json"}
            if self._key is not None and (same_origin(url, self._origin) or _is_safe_upgrade(self._origin, url)):
                headers["auth"] = self._key
            request = self._http.build_request(method, url, params=query, json=body, headers=headers)
            status, location, raw = await self._transfer(request, path)
            if location is None:
                return status, raw
            target = url.join(location)
            if not (same_origin(target, self._origin) or _is_safe_upgrade(self._origin, target)):
                raise ServerError(
                    f"it redirected to another host ({self._clean(target.host)}); the key is not sent there",
                    status=status,
                    endpoint=path,
                )
            log.info("following a redirect of %s to %s", path, target.copy_with(query=None))
            url, query = target, None  # the Location carries its own query
        raise ServerError("too many redirects", endpoint=path)

    def _endpoint(self, path: str) -> httpx.URL:
        url = self._endpoints.get(path)
        if url is None:
            url = self._endpoints[path] = self._origin.join(self._origin.path.rstrip("/") + path)
        return url

    async def _transfer(self, request: httpx.Request, path: str) -> tuple[int, str | None, bytes]:
        """Send and read a bounded body; a redirect returns its Location instead."""
        try:
            response = await self._http.send(request, stream=True)
            try:
                if response.is_redirect and "location" in response.headers:
                    return response.status_code, response.headers["location"], b""
                raw = await self._read_bounded(response, path)
            finally:
                await response.aclose()
        except httpx.TimeoutException as exc:
            raise _network_error(exc, path, timeout=True) from exc
        except httpx.TransportError as exc:
            raise _network_error(exc, path) from exc
        return response.status_code, None, raw

    @staticmethod
    async def _read_bounded(response: httpx.Response, path: str) -> bytes:
        limit = ONE_THING_BYTES if path in _ONE_THING else MAX_BODY_BYTES
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                said = f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit // 2**10} KiB"
                raise ServerError(f"the answer is larger than {said}", endpoint=path)
            chunks.append(chunk)
        return b"".join(chunks)

    def _unwrap(
        self, status: int, raw: bytes, path: str, *, flat: bool, absent: Callable[[str], VmrError] | None = None
    ) -> Any:
        if status in (401, 403):
            raise _refused(status, raw, path, self._scrubber)
        if absent is not None and _no_such_endpoint(status, raw):
            raise absent(path)
        if status >= 500:
            raise ServerError(f"HTTP {status}{_html_hint(raw, self._clean)}", status=status, endpoint=path)
        if status == 404:
            raise ServerError("HTTP 404: is the server address right?", status=status, endpoint=path)
        if not 200 <= status < 300:
            raise ServerError(f"HTTP {status}", status=status, endpoint=path)
        payload = _decode_json(raw, path, self._scrubber)
        if not isinstance(payload, dict):
            raise ServerError("the answer is not a JSON object", endpoint=path)
        return _envelope_data(payload, path, flat=flat)

    # -- the key never comes back out ---------------------------------------------------------

    def _clean(self, text: str) -> str:
        """`text` (the service's words) without the key or its secret part, also when spelt
        with invisible characters between its letters (what is shown drops them: one_line,
        core.untrusted.plain). The answers themselves are cleaned as they are decoded."""
        return self._scrubber.clean(text)

    def _parse(self, model: type[M], data: Any, path: str) -> M:
        try:
            return model.model_validate(data, context={"tz": self.server_tz})
        except ValidationError as exc:
            # not chained: pydantic's text repeats the whole input (a room's passwords) in a traceback
            raise ServerError(f"unexpected answer ({_first_error(exc)})", endpoint=path) from None

    def _parse_list(self, model: type[M], data: Any, path: str) -> list[M]:
        if data is None:
            return []
        if not isinstance(data, list):
            raise ServerError("expected a list in the answer", endpoint=path)
        return [self._parse(model, item, path) for item in data]

    def _record_id(self, data: Any, path: str, fallback: str | None = None) -> str:
        """The answer's recordId, checked to be one (api.models.is_record_id): the service's
        text goes into the catalog, file names and sentences."""
        value = data.get("recordId") if isinstance(data, dict) else None
        if value in (None, ""):
            if fallback is not None:
                return fallback
            raise ServerError("the answer carries no recordId", endpoint=path)
        text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
        if not is_record_id(text):
            raise ServerError("the answer's recordId is not an id", endpoint=path)
        return text


def _no_such_endpoint(status: int, raw: bytes) -> bool:
    """Whether an answer says the endpoint is not there: 404 / 405 / 501, or a web page in
    place of JSON (a gateway's or a framework's own page) that is not a server failure."""
    return status in ABSENT_STATUSES or (status < 500 and raw.lstrip()[:1] == b"<")


def _watch_address(data: Any, path: str) -> str:
    """`data.liveurl`: untrusted text, so only an http(s) URL with a host, on one line and of
    a sane length, is taken; it comes back normalised by httpx (non-ASCII percent-encoded,
    a host that is not a valid name refused), so it is safe to print or copy."""
    raw = data.get("liveurl") if isinstance(data, dict) else None
    if not isinstance(raw, str) or not raw.strip():
        raise ServerError("the answer carries no liveurl", endpoint=path)
    text = raw.strip()
    if len(text) > MAX_URL_LENGTH or any(ch.isspace() or not ch.isprintable() for ch in text):
        raise ServerError("the liveurl is not an address", endpoint=path)
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError):
        raise ServerError("the liveurl is not an address", endpoint=path) from None
    if url.scheme not in ("http", "https") or not url.host or url.userinfo:
        raise ServerError("the liveurl is not an http(s) address", endpoint=path)
    return str(url)


#: A comma before a closing bracket: in the last bytes of a body, the document's samples' style
#: (they end `"state": 1,\n}`), read by the tolerant reading at once rather than after json.loads
#: has read it all only to fail at its end.
_TRAILING_COMMA: Final = re.compile(r",\s*+[}\]]")


def _unchanged(text: str) -> str:
    return text


_NO_KEY: Final = Scrubber(())
_BOM: Final = b"\xef\xbb\xbf"


def _decode_json(raw: bytes, path: str, scrubber: Scrubber = _NO_KEY) -> Any:
    """The answer decoded, without the key (`scrubber`'s) in any string or dict key, and at
    most MAX_DEPTH deep; any failure is a ServerError."""
    raw = raw.strip()  # bytes stripped: a str strip copies it again
    if raw.startswith(_BOM):  # some servers (and Windows editors) begin UTF-8 with a byte-order mark
        raw = raw[len(_BOM) :].lstrip()
    if not raw:
        raise ServerError("the answer is empty", endpoint=path)
    if raw.startswith(b"<"):
        raise ServerError(f"it answered an HTML page, not JSON{_html_hint(raw, scrubber.clean)}", endpoint=path)
    reencode = scrubber.needs_reencoding(raw)
    text = raw.decode("utf-8", errors="replace")
    if not reencode and scrubber.may_hold(raw):
        text = scrubber.clean(text)  # the text, before any string is made of it
    payload = _loads(text, path)
    if not _shallow_text(raw, MAX_DEPTH) and _deeper_than(payload, MAX_DEPTH):
        raise ServerError(NESTED_TOO_DEEP, endpoint=path)
    if reencode:  # a letter may be \u-escaped: checked again on the text without such escapes
        try:
            again = json.dumps(payload, ensure_ascii=False)
            if scrubber.may_hold(again.encode("utf-8", errors="surrogatepass")):
                payload = json.loads(scrubber.clean(again))
        except ValueError:  # an integer of more digits than int() writes (rapidjson reads them)
            raise ServerError("the answer is not valid JSON", endpoint=path) from None
    return payload


#: Every byte but the brackets, a quote and a slash (a comment's): what `_shallow_text` drops.
_NOT_STRUCTURE: Final = bytes(set(range(256)) - set(b'[]{}"/'))
_SAME_BRACKETS: Final = bytes.maketrans(b"{}", b"[]")


def _shallow_text(raw: bytes, limit: int) -> bool:
    """Whether the JSON text `raw` surely nests at most `limit` deep, seen from its brackets
    outside strings, with C's bytes methods only (no step per value): escaped backslashes and
    quotes out, every byte but brackets and quotes out, strings out; then each round takes
    every innermost pair away, so `limit` rounds leave nothing unless it is deeper. False
    when it cannot tell (a comment, which the tolerant reading allows): walk the answer."""
    if b"\\" in raw:  # memchr: most answers hold no escape
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    text = raw.translate(None, _NOT_STRUCTURE)
    text = text.replace(b'""', b"")  # empty strings, or two strings side by side made one
    if b'"' in text:  # strings holding brackets: every other piece is outside them
        text = b"".join(text.split(b'"')[::2])
    if b"/" in text:
        return False
    text = text.translate(_SAME_BRACKETS)
    for _ in range(limit):
        if not text:
            return True
        text = text.replace(b"[]", b"")
    return not text


_CONTAINERS: Final = frozenset({dict, list})
_IS_DICT: Final = partial(operator.is_, dict)
_IS_LIST: Final = partial(operator.is_, list)


def _deeper_than(payload: Any, limit: int) -> bool:
    """Whether `payload` nests lists and dicts more than `limit` deep. Level by level, and each
    level's children are gathered and sorted by C iterators (chain, map, compress), not a
    Python step for each value: an 8 MiB answer of 2 million tiny lists costs about what
    decoding it did (bench/json_tolerance.py)."""
    is_container = _CONTAINERS.__contains__
    level: list[Any] = [payload] if type(payload) in _CONTAINERS else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        kinds = list(map(type, level))
        dicts = list(compress(level, map(_IS_DICT, kinds)))
        lists = list(compress(level, map(_IS_LIST, kinds))) if len(dicts) < len(level) else []
        children = list(chain(chain.from_iterable(map(dict.values, dicts)), chain.from_iterable(lists)))
        level = list(compress(children, map(is_container, map(type, children))))
    return False


def _loads(text: str, path: str) -> Any:
    """`text` decoded with the cyclic garbage collector paused: an answer of a million small
    lists made it run again and again while they were made (4x the decoding's own time,
    measured on 8 MiB); what was decoded holds no cycle."""
    if not gc.isenabled():
        return _decode_text(text, path)
    gc.disable()
    try:
        return _decode_text(text, path)
    finally:
        gc.enable()


def _decode_text(text: str, path: str) -> Any:
    if not _TRAILING_COMMA.search(text, max(0, len(text) - 64)):  # the document's style ends so
        try:
            return json.loads(text)  # the fast path: a real server sends valid JSON
        except RecursionError:  # {"x":[[[[…]]]]} nested deeper than Python recurses: no answer of ours
            raise ServerError(NESTED_TOO_DEEP, endpoint=path) from None
        except ValueError:
            pass
    # The tolerant second reading, in C: the document's own samples carry trailing commas
    # (comments cost nothing more). bench/json_tolerance.py measures it at about json.loads's
    # cost; it is imported at the first odd answer (+3 MB, 11 ms: not at the tray's start).
    import rapidjson

    try:
        return rapidjson.loads(text, parse_mode=rapidjson.PM_TRAILING_COMMAS | rapidjson.PM_COMMENTS)
    except RecursionError:
        raise ServerError(NESTED_TOO_DEEP, endpoint=path) from None
    except (ValueError, OverflowError):  # rapidjson.JSONDecodeError is a ValueError
        raise ServerError("the answer is not valid JSON", endpoint=path) from None


def _envelope_data(payload: dict[str, Any], path: str, *, flat: bool) -> Any:
    code = _int_code(payload.get("code"))
    message = payload.get("message", payload.get("msg"))
    message = message if isinstance(message, str) else None
    # getmeetinginfo answers flat, {"code": 200, "msg": "success", ...fields}, with no state.
    ok = _int_code(payload.get("state")) == 1 if "state" in payload or not flat else code == 200
    if ok:
        return payload if flat else payload.get("data")
    if code in BUSINESS_CODES:  # 200001's message mentions "auth" but is not about the key
        raise ApiError(code, message, endpoint=path)
    if _says_key_refused(code, message):
        raise AuthError(message or "", missing=bool(message and _MISSING_KEY_WORDS.search(message)), endpoint=path)
    raise ApiError(code, message, endpoint=path)


def _says_key_refused(code: int | None, message: str | None) -> bool:
    """The envelope's own sign of a rejected (or missing) key: its code, or its documented words."""
    if code in AUTH_CODES:
        return True
    return bool(message and (_BAD_KEY_WORDS.search(message) or _MISSING_KEY_WORDS.search(message)))


def _refused(status: int, raw: bytes, path: str, scrubber: Scrubber) -> VmrError:
    """An HTTP 401/403: the key rejected only when the body is the service's envelope saying
    so; any other body (a gateway's or a proxy's HTML page, its JSON, nothing at all) is a
    ServerError."""
    clean = scrubber.clean
    try:
        payload = _decode_json(raw, path, scrubber)
    except ServerError:
        payload = None
    if isinstance(payload, dict) and _int_code(payload.get("state")) != 1:
        message = payload.get("message", payload.get("msg"))
        message = message if isinstance(message, str) else None
        code = _int_code(payload.get("code"))
        # A gateway's own JSON ({"code":403,"msg":"Request blocked by WAF"}) has the code but is
        # not the service's envelope, which always carries `state`; the documented words are
        # the service's whatever the envelope around them.
        words = bool(message and (_BAD_KEY_WORDS.search(message) or _MISSING_KEY_WORDS.search(message)))
        if code not in BUSINESS_CODES and (words or ("state" in payload and _says_key_refused(code, message))):
            missing = bool(message and _MISSING_KEY_WORDS.search(message))
            return AuthError(clean(message or ""), missing=missing, endpoint=path)
    said = f"HTTP {status} from a gateway or proxy, not the service's answer{_html_hint(raw, clean)}"
    return ServerError(said, status=status, endpoint=path)


#: A code as text: ASCII digits only (str.isdigit takes "١٢٣", and int() reads it as 123), and
#: no longer than a 64-bit number (int() refuses past 4300 digits with a ValueError).
_INTEGER: Final = re.compile(r"-?[0-9]{1,18}")


def _int_code(value: object) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return None


def _html_hint(raw: bytes, clean: Callable[[str], str] = _unchanged) -> str:
    """The <title> of an HTML error page, which usually names the failure (`clean`ed of the key)."""
    text = raw[:4096].decode("utf-8", errors="replace")
    start = text.lower().find("<title>")
    end = text.lower().find("</title>")
    if start == -1 or end <= start:
        return ""
    title = one_line(clean(text[start + 7 : end]))[:120]
    return f" ({title})" if title else ""


#: httpx's transport errors, most specific first, and what each means.
_TRANSPORT: Sequence[tuple[type[Exception], Broke]] = (
    (httpx.ConnectTimeout, Broke.CONNECT_TIMEOUT),
    (httpx.ReadTimeout, Broke.READ_TIMEOUT),
    (httpx.WriteTimeout, Broke.WRITE_TIMEOUT),
    (httpx.PoolTimeout, Broke.POOL_TIMEOUT),
    (httpx.ConnectError, Broke.REFUSED),
    (httpx.RemoteProtocolError, Broke.BROKE_OFF),
    (httpx.ReadError, Broke.RESET),
    (httpx.ProxyError, Broke.PROXY),
)


def _network_error(exc: httpx.TransportError, path: str, *, timeout: bool = False) -> NetworkError:
    for kind, reason in _TRANSPORT:
        if isinstance(exc, kind):
            if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                reason = Broke.TLS_UNTRUSTED
            return NetworkError(reason, timeout=timeout, endpoint=path)
    return NetworkError(Broke.OTHER, timeout=timeout, endpoint=path, name=type(exc).__name__)


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid"))
