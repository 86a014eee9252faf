"""The simulated object storage: a second origin serving recording files.

Content is deterministic (a test can know a file's sha256 without downloading it), links
are signed and expire like a COS pre-signed URL, Range is honoured unless switched off,
and a per-connection rate limit or a reset after N bytes can be set. An object can be
replaced by a new version of the same size (new bytes, new ETag and CRC-64, a later
Last-Modified), as when a file is re-uploaded between two attempts; `If-Range` is honoured
as COS does (a validator that no longer matches gets the whole object, 200) unless switched
off.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from email.utils import format_datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote

from aiohttp import web
from fastcrc import crc64

from .stats import Stats, abort_with_reset

if TYPE_CHECKING:
    from .state import SimFile, SimState

BLOCK = 1 << 20
_SECRET = b"vmrtray-sim-object-store"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
#: How long a link stays valid: the real service's links are signed when `getRecords` is
#: asked and valid for 7 days (API_NOTES.md, "the service's pace").
LINK_TTL = 7 * 24 * 3600.0
EXPIRED = "Request has expired"


@lru_cache(maxsize=16)
def _block(file_id: str, index: int) -> bytes:
    return random.Random(f"{file_id}:{index}").randbytes(BLOCK)


def content(file_id: str, size: int, start: int = 0, end: int | None = None) -> bytes:
    """Bytes [start, end) of the file `file_id` of `size` bytes."""
    end = size if end is None else min(end, size)
    parts = []
    pos = start
    while pos < end:
        index, offset = divmod(pos, BLOCK)
        take = min(BLOCK - offset, end - pos)
        parts.append(_block(file_id, index)[offset : offset + take])
        pos += take
    return b"".join(parts)


@lru_cache(maxsize=64)
def crc64_of(file_id: str, size: int) -> int:
    """CRC-64/XZ of the whole file, as COS sends it in `x-cos-hash-crc64ecma`."""
    crc = 0
    for pos in range(0, size, BLOCK):
        crc = crc64.xz(content(file_id, size, pos, pos + BLOCK), crc)
    return crc


def sha256_of(file_id: str, size: int) -> str:
    digest = hashlib.sha256()
    for pos in range(0, size, BLOCK):
        digest.update(content(file_id, size, pos, pos + BLOCK))
    return digest.hexdigest()


@dataclass
class FileOrigin:
    """Knobs of the object store, set through the control API or directly in tests."""

    ttl: float = LINK_TTL  # seconds a link stays valid from when getRecords signed it
    #: The store's wall clock (epoch seconds): what links are signed with and checked against.
    #: A test moves it instead of waiting for a link to expire.
    clock: Callable[[], float] = time.time
    range_enabled: bool = True
    rate_limit: int | None = None  # bytes per second per connection
    reset_after: int | None = None  # the next response is cut after this many bytes
    reset_every: int | None = None  # every response is cut after this many bytes (a network that keeps breaking)
    checksum: str = "right"  # x-cos-hash-crc64ecma: "right", "wrong" (a corrupted object) or "none"
    #: The next response is cut after this many bytes, and the object is then replaced by a
    #: new version (same size, other bytes, ETag, CRC-64 and Last-Modified).
    change_after: int | None = None
    if_range: bool = True  # honour If-Range; False: a Range is served whatever the validator says
    #: False: a 206 carries no ETag, Last-Modified or CRC-64 (a store that describes only whole answers).
    range_validators: bool = True
    #: False: a 206 says `Content-Range: bytes a-b/*` (RFC 9110 allows an unknown total).
    range_total: bool = True
    #: True: a 206 has the right headers and no bytes at all (chunked, empty), every time.
    empty_ranges: bool = False
    base_url: str = ""
    versions: dict[str, int] = field(default_factory=dict)  # file_id -> times replaced

    def key_of(self, file: SimFile) -> str:
        """What the current version's bytes are derived from (`content`, `sha256_of`, `crc64_of`)."""
        version = self.versions.get(file.file_id, 0)
        return file.file_id if version == 0 else f"{file.file_id}~{version}"

    def replace(self, file: SimFile) -> None:
        """The object gets a new version of the same size."""
        self.versions[file.file_id] = self.versions.get(file.file_id, 0) + 1

    def validators(self, file: SimFile) -> tuple[str, str]:
        """The current version's ETag and Last-Modified."""
        key = self.key_of(file)
        modified = file.stop + timedelta(minutes=self.versions.get(file.file_id, 0))
        etag = hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()
        return f'"{etag}"', format_datetime(modified.astimezone(UTC), usegmt=True)

    def sign(self, path: str) -> str:
        """A link to `path` valid `ttl` seconds from now, signed as COS does: a `sign` query
        parameter, base64 of fields that carry the signing time (`t`) and the expiry (`e`)."""
        signed = int(self.clock())
        expiry = int(signed + self.ttl)
        mac = hmac.new(_SECRET, f"{path}|{expiry}".encode(), hashlib.sha1).hexdigest()
        token = base64.b64encode(f"a=sim&t={signed}&e={expiry}&m={mac}".encode()).decode()
        return f"{self.base_url}{path}?sign={quote(token, safe='')}"

    def verify(self, path: str, token: str) -> str | None:
        """None if the signature is good and current, else the reason (EXPIRED once past its expiry)."""
        try:
            fields = dict(p.split("=", 1) for p in base64.b64decode(token).decode().split("&"))
            expiry = int(fields["e"])
            mac = fields["m"]
        except (ValueError, KeyError):
            return "SignatureDoesNotMatch"
        good = hmac.new(_SECRET, f"{path}|{expiry}".encode(), hashlib.sha1).hexdigest()
        if not hmac.compare_digest(good, mac):
            return "SignatureDoesNotMatch"
        if self.clock() > expiry:
            return EXPIRED
        return None


def _cos_error(status: int, code: str, message: str | None = None) -> web.Response:
    """The store's XML error, as COS/OSS word it (an expired link: AccessDenied, "Request has expired")."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message or code}</Message></Error>"
    )
    return web.Response(status=status, text=body, content_type="application/xml")


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """[start, end) of a single `bytes=a-b` range, or None when it cannot be satisfied."""
    match = _RANGE.match(header.strip())
    if not match or (not match[1] and not match[2]):
        return None
    if not match[1]:
        start, end = max(0, size - int(match[2])), size
    else:
        start = int(match[1])
        end = min(size, int(match[2]) + 1) if match[2] else size
    return (start, end) if start < end else None


def files_app(state: SimState, origin: FileOrigin, stats: Stats) -> web.Application:
    async def serve(request: web.Request) -> web.StreamResponse:
        stats.note("files", request)
        file = state.file_by_path(request.path)
        reason = origin.verify(request.path, request.query.get("sign", ""))
        if reason == EXPIRED:  # whatever the request: a whole file, or a Range in the middle of one
            stats.links_expired += 1
            return _cos_error(403, "AccessDenied", EXPIRED)
        if reason is not None:
            return _cos_error(403, reason)
        if file is None:
            return _cos_error(404, "NoSuchKey")
        return await _send_file(request, file, origin, stats)

    app = web.Application()
    app.router.add_get("/{tail:.*}", serve)
    return app


async def _send_file(request: web.Request, file: SimFile, origin: FileOrigin, stats: Stats) -> web.StreamResponse:
    start, end, status = 0, file.size, 200
    key = origin.key_of(file)
    etag, modified = origin.validators(file)
    headers = {"Content-Type": "video/mp4", "ETag": etag, "Last-Modified": modified}
    if origin.checksum != "none":
        crc = crc64_of(key, file.size) ^ (1 if origin.checksum == "wrong" else 0)
        headers["x-cos-hash-crc64ecma"] = str(crc)
    if origin.range_enabled:
        headers["Accept-Ranges"] = "bytes"
        if "Range" in request.headers and _range_applies(request, origin, (etag, modified)):
            span = _parse_range(request.headers["Range"], file.size)
            if span is None:
                return web.Response(status=416, headers={"Content-Range": f"bytes */{file.size}"})
            (start, end), status = span, 206
            total = file.size if origin.range_total else "*"
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{total}"
            if not origin.range_validators:
                for name in ("ETag", "Last-Modified", "x-cos-hash-crc64ecma"):
                    headers.pop(name, None)
    if status == 206 and origin.empty_ranges:
        return await _send_empty(request, headers)
    headers["Content-Length"] = str(end - start)
    response = web.StreamResponse(status=status, headers=headers)
    await response.prepare(request)
    if request.method == "HEAD":
        return response
    cut, origin.reset_after = origin.reset_after, None
    if cut is None:
        cut = origin.reset_every
    change, origin.change_after = origin.change_after, None
    if change is not None:
        cut = change
    try:
        with contextlib.suppress(ConnectionResetError):  # the client went away (paused, cancelled)
            await _stream(request, response, key, file.size, start, end, origin, stats, cut)
    finally:
        if change is not None:
            origin.replace(file)
    return response


async def _send_empty(request: web.Request, headers: dict[str, str]) -> web.StreamResponse:
    """A 206 that moves no bytes: no Content-Length, an empty chunked body."""
    response = web.StreamResponse(status=206, headers=headers)
    response.enable_chunked_encoding()
    await response.prepare(request)
    await response.write_eof()
    return response


def _range_applies(request: web.Request, origin: FileOrigin, current: tuple[str, str]) -> bool:
    """RFC 9110 If-Range: the Range counts only if the validator sent is the current one."""
    sent = request.headers.get("If-Range")
    return sent is None or not origin.if_range or sent in current


async def _stream(
    request: web.Request,
    response: web.StreamResponse,
    key: str,
    size: int,
    start: int,
    end: int,
    origin: FileOrigin,
    stats: Stats,
    cut: int | None,
) -> None:
    step = 64 * 1024 if origin.rate_limit is None else max(1024, origin.rate_limit // 20)
    pos = start
    while pos < end:
        take = min(step, end - pos)
        if cut is not None and pos - start + take > cut:
            take = max(0, cut - (pos - start))
            if take:
                await response.write(content(key, size, pos, pos + take))
                stats.served(request.path, take)
            abort_with_reset(request)
            return
        await response.write(content(key, size, pos, pos + take))
        stats.served(request.path, take)
        pos += take
        if origin.rate_limit is not None:
            await asyncio.sleep(take / origin.rate_limit)
    await response.write_eof()
