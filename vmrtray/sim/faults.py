"""Ways the simulated service misbehaves, on demand or at random.

A test queues an exact fault (`queue("500", count=1, path="/meeting/openRecord")`); a
demo or a soak draws them at random (`rate`). Latency and jitter apply to every API call.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field

from aiohttp import web

from .files import _abort_with_reset
from .state import BUSINESS_MESSAGES

#: Every fault the API origin can make.
KINDS = ("500", "502", "html", "malformed", "empty", "hang", "reset", "redirect", "hang-after", "reset-after")
#: Faults that strike after the request was carried out: the work is done, the answer lost.
AFTER_KINDS = ("hang-after", "reset-after")
#: What random faults draw from: a hang would stall a demo for a whole client timeout.
RANDOM_KINDS = ("500", "502", "html", "malformed", "reset")

_HTML = """<!DOCTYPE html><html><head><title>{status} {reason}</title></head>
<body><center><h1>{status} {reason}</h1></center><hr><center>nginx</center></body></html>"""


@dataclass
class QueuedFault:
    kind: str
    count: int
    path: str | None = None  # None: any API path


@dataclass
class FaultPlan:
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    rate: float = 0.0
    kinds: tuple[str, ...] = RANDOM_KINDS
    queued: list[QueuedFault] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    release: asyncio.Event = field(default_factory=asyncio.Event)
    redirect_to: str = ""  # "redirect" sends a 307 to this origin ("" = the same one)

    def queue(self, kind: str, *, count: int = 1, path: str | None = None) -> None:
        """Queue `count` faults; `code:N` answers business code N (state 0) instead."""
        if kind not in KINDS and not _business_code(kind):
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(KINDS)}, code:N")
        self.queued.append(QueuedFault(kind, count, path))

    def clear(self) -> None:
        self.queued.clear()
        self.rate = 0.0
        self.latency_ms = self.jitter_ms = 0.0

    def pick(self, path: str) -> str | None:
        for fault in self.queued:
            if fault.path in (None, path):
                fault.count -= 1
                if fault.count <= 0:
                    self.queued.remove(fault)
                return fault.kind
        if self.rate and self.rng.random() < self.rate:
            return self.rng.choice(self.kinds)
        return None

    async def delay(self) -> None:
        if self.latency_ms or self.jitter_ms:
            jitter = self.rng.uniform(-self.jitter_ms, self.jitter_ms) if self.jitter_ms else 0.0
            await asyncio.sleep(max(0.0, self.latency_ms + jitter) / 1000)

    async def answer(self, kind: str, request: web.Request) -> web.StreamResponse:
        if kind in ("500", "502"):
            reason = "Internal Server Error" if kind == "500" else "Bad Gateway"
            return web.Response(
                status=int(kind), text=_HTML.format(status=kind, reason=reason), content_type="text/html"
            )
        if kind == "html":
            return web.Response(text=_HTML.format(status=200, reason="Portal"), content_type="text/html")
        if kind == "malformed":
            return web.Response(text='{"code": 200, "data": {"recordId": ', content_type="application/json")
        if kind == "empty":
            return web.Response(body=b"", content_type="application/json")
        if code := _business_code(kind):
            body = {"code": code, "data": None, "message": BUSINESS_MESSAGES.get(code, "error"), "state": 0}
            return web.json_response(body, dumps=lambda o: json.dumps(o, ensure_ascii=False))
        if kind == "redirect":
            raise web.HTTPTemporaryRedirect(f"{self.redirect_to}{request.path_qs}")
        if kind in ("hang", "hang-after"):
            await self.release.wait()
            return web.Response(status=503, text="released")
        # reset: promise a body, send part of it, then tear the connection down
        response = web.StreamResponse(headers={"Content-Type": "application/json", "Content-Length": "4096"})
        await response.prepare(request)
        await response.write(b'{"code": 200, "data": {')
        _abort_with_reset(request)
        return response


def _business_code(kind: str) -> int | None:
    prefix, _, number = kind.partition(":")
    return int(number) if prefix == "code" and number.isdigit() else None
