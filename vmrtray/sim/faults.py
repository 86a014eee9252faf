"""Ways the simulated service misbehaves, on demand or at random.

A test queues an exact fault (`queue("500", count=1, path="/meeting/openRecord")`); a
demo or a soak draws them at random (`rate`). Latency and jitter apply to every API call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from .state import BUSINESS_MESSAGES
from .stats import Stats, abort_with_reset

#: Every fault the API origin can make.
KINDS = (
    "500",
    "502",
    "html",
    "malformed",
    "empty",
    "hang",
    "reset",
    "redirect",
    "hang-after",
    "reset-after",
    "wrong-types",
    "missing-fields",
    "huge",
    "deep",  # {"x":[[[…]]]} 100,000 levels deep: more than any JSON decoder recurses
    "drip",
    "pass",  # answered as usual: queued before another fault, it lets that one strike a later call
)
#: Slow answers, with the milliseconds in the kind: `slow:MS` holds the request MS ms, then
#: carries it out and answers; `slow-after:MS` carries it out at once and answers MS ms later.
SLOW, SLOW_AFTER = "slow", "slow-after"
#: Faults that strike after the request was carried out: the work is done, the answer lost.
AFTER_KINDS = ("hang-after", "reset-after")
#: Faults that change the real answer (the work is done): every value of another type, or
#: every field gone.
MANGLE_KINDS = ("wrong-types", "missing-fields")
HUGE_BYTES = 50 * 1024 * 1024
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
        """Queue `count` faults; `code:N` answers business code N (state 0) instead;
        `slow:MS` and `slow-after:MS` answer late (see SLOW)."""
        if kind not in KINDS and not _business_code(kind) and not _slow(kind):
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(KINDS)}, code:N, slow:MS, slow-after:MS")
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
        """Wait the latency (± jitter), or less if the plan is released (the service stopping)."""
        if self.latency_ms or self.jitter_ms:
            jitter = self.rng.uniform(-self.jitter_ms, self.jitter_ms) if self.jitter_ms else 0.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), max(0.0, self.latency_ms + jitter) / 1000)

    async def hold(self, ms: int) -> None:
        """Wait `ms` milliseconds, or less if the plan is released (the service stopping)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.release.wait(), ms / 1000)

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
        if kind == "deep":
            levels = 100_000
            return web.Response(body=b'{"x":' + b"[" * levels + b"]" * levels + b"}", content_type="application/json")
        if code := _business_code(kind):
            body = {"code": code, "data": None, "message": BUSINESS_MESSAGES.get(code, "error"), "state": 0}
            return web.json_response(body, dumps=lambda o: json.dumps(o, ensure_ascii=False))
        if kind == "redirect":
            raise web.HTTPTemporaryRedirect(f"{self.redirect_to}{request.path_qs}")
        if kind in ("hang", "hang-after"):
            await self.release.wait()
            return web.Response(status=503, text="released")
        if kind == "huge":
            return await _huge(request)
        if kind == "drip":
            return await _drip(request, self.release)
        # reset: promise a body, send part of it, then tear the connection down
        response = web.StreamResponse(headers={"Content-Type": "application/json", "Content-Length": "4096"})
        await response.prepare(request)
        await response.write(b'{"code": 200, "data": {')
        abort_with_reset(request)
        return response


def middleware(plan: FaultPlan, stats: Stats) -> Middleware:
    """The API origin's middleware: count each request, delay it, then let the plan's fault
    (if one is drawn) strike before, after or instead of the real answer. The control API
    (`/_sim/...`) is neither counted nor struck."""

    @web.middleware
    async def strike(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_sim/"):
            return await handler(request)
        stats.note("api", request)
        await plan.delay()
        fault = plan.pick(request.path)
        if fault == "pass":
            fault = None
        if fault is not None and (slow := _slow(fault)) is not None:
            return await _late(plan, slow, request, handler)
        if fault in AFTER_KINDS:
            await handler(request)
        if fault in MANGLE_KINDS:
            real = await handler(request)
            if isinstance(real, web.Response) and real.body is not None and real.status == 200:
                real.body = mangle(fault, bytes(real.body))  # type: ignore[arg-type]
            return real
        if fault is not None:
            return await plan.answer(fault, request)
        return await handler(request)

    return strike


async def _late(plan: FaultPlan, slow: tuple[str, int], request: web.Request, handler: Handler) -> web.StreamResponse:
    """The real answer, late: carried out after the wait (`slow`) or before it (`slow-after`)."""
    kind, ms = slow
    if kind == SLOW:
        await request.read()  # kept by aiohttp: the work is done even if the client has gone
        await plan.hold(ms)
        return await handler(request)
    real = await handler(request)
    await plan.hold(ms)
    return real


def _slow(kind: str) -> tuple[str, int] | None:
    prefix, _, number = kind.partition(":")
    return (prefix, int(number)) if prefix in (SLOW, SLOW_AFTER) and number.isdigit() else None


def _business_code(kind: str) -> int | None:
    prefix, _, number = kind.partition(":")
    return int(number) if prefix == "code" and number.isdigit() else None


def mangle(kind: str, body: bytes) -> bytes:
    """The real answer with every value of another type ("wrong-types") or every field of
    every object gone ("missing-fields"); the envelope's own `code` is kept."""
    answer = json.loads(body)
    if not isinstance(answer, dict):
        return body
    change = _wrong_types if kind == "wrong-types" else _emptied
    if "code" in answer and "data" in answer:
        answer["data"] = change(answer["data"])
    else:  # a flat answer (getmeetinginfo): its fields beside the code and message
        own = {key: answer.pop(key) for key in ("code", "msg", "message", "state") if key in answer}
        changed = change(answer)
        answer = {**own, **changed} if isinstance(changed, dict) else own
    return json.dumps(answer, ensure_ascii=False).encode()


def _wrong_types(value: object) -> object:
    if isinstance(value, dict):
        return {key: _wrong_types(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_wrong_types(inner) for inner in value]
    if isinstance(value, bool):
        return "perhaps"
    if isinstance(value, int | float):
        return "a few"
    if isinstance(value, str):
        return {"unexpected": [value]}
    return value


def _emptied(value: object) -> object:
    if isinstance(value, dict):
        return {}
    if isinstance(value, list):
        return [_emptied(inner) for inner in value]
    return value


async def _huge(request: web.Request) -> web.StreamResponse:
    """A 50 MB answer that begins like JSON."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    await response.write(b'{"code": 200, "data": "')
    chunk = b"x" * (1 << 20)
    for _ in range(HUGE_BYTES // len(chunk)):
        await response.write(chunk)
    await response.write(b'"}')
    return response


async def _drip(request: web.Request, release: asyncio.Event) -> web.StreamResponse:
    """A valid answer sent a byte a second (a read timeout alone never trips on it)."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    for byte in b'{"code": 200, "data": null, "state": 1, "message": "dripped"}':
        await response.write(bytes([byte]))
        try:
            await asyncio.wait_for(release.wait(), 1.0)
        except TimeoutError:
            continue
        break  # released: the test is over
    return response
