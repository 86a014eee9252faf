"""The simulated service over HTTP: the API origin, the file origin and a control API.

`Sim` runs both origins on loopback in the caller's event loop. Tests use it in-process
(`async with Sim() as sim`) or as a process (`vmrctl sim`), and steer it through
`sim.state`, `sim.faults` and `sim.files` directly or through the `/_sim/...` routes.
It only composes the parts: the endpoints (`routes`), the control API (`control`), the
faults and pace (`faults`), the object store (`files`), the counters (`stats`).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from typing import Any

from aiohttp import web

from . import faults
from .control import Control
from .faults import FaultPlan
from .files import FileOrigin, files_app
from .quirks import Quirks
from .routes import ApiRoutes
from .stats import Stats
from .world import DEMO_ACCOUNT, DEMO_DEDICATED_ACCOUNT, DEMO_DEDICATED_KEY, DEMO_PUBLIC_KEY, DemoWorld


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
        self.state = DemoWorld(rooms=rooms, contacts=contacts, seed=seed, share_host=host)
        self.faults = FaultPlan(latency_ms=latency_ms, jitter_ms=jitter_ms, rate=fault_rate)
        self.faults.rng.seed(seed)
        self.files = FileOrigin()
        self.stats = Stats()
        self.quirks = Quirks()
        self.script_interval = script_interval
        self.url = ""
        self.file_url = ""
        self._control = Control(self)
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

    def info(self) -> dict[str, Any]:
        """Where the service listens, the demo credentials and every room as it is (`/_sim/info`)."""
        return self._control.info()

    def recording_info(self, record_id: str) -> dict[str, Any]:
        """A recording's files with their sha256, and whether it was deleted; KeyError if none."""
        return self._control.recording_info(record_id)

    def _api_app(self) -> web.Application:
        """The API origin: its endpoints and the control API, behind the faults."""
        app = web.Application(middlewares=[faults.middleware(self.faults, self.stats)])
        ApiRoutes(self).add_to(app)
        self._control.add_to(app)
        return app

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
