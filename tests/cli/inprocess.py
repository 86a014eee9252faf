"""vmrctl run in the test's own process (`vmrtray.cli.main(argv)`), against a simulator that
runs in a thread of its own on loopback: a hundred runs a second instead of two, for the
tests that drive many of them (the property-based one), and the ones that steer the simulator
in ways its control API has no knob for (a message that echoes the key, a record id of
escape sequences)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import threading
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from vmrtray.cli import main, output
from vmrtray.core import logs
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim

T = TypeVar("T")


class ThreadedSim:
    """A `Sim` whose event loop runs in a thread: the test's own thread stays free to run
    vmrctl, whose `asyncio.run` needs a thread without a running loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sim", daemon=True)
        self.sim: Sim | None = None

    def __enter__(self) -> Sim:
        # the simulator's own log (aiohttp's server) is not vmrctl's: as the separate process it
        # is for a user, it does not write into vmrctl's stderr
        self.server_log = logging.getLogger("aiohttp.server")
        self.server_log.propagate = False
        self.thread.start()
        self.sim = self.run(self._start())
        return self.sim

    def __exit__(self, *exc: object) -> None:
        if self.sim is not None:
            self.run(self.sim.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)
        self.loop.close()
        self.server_log.propagate = True

    async def _start(self) -> Sim:
        sim = Sim()
        await sim.start()
        return sim

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """`work` run in the simulator's loop; its result (a hang is guarded, not measured)."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=60)

    def call(self, change: Callable[[], T]) -> T:
        """`change` (of the simulator's state) made in its own loop, which owns that state."""

        async def inside() -> T:
            return change()

        return self.run(inside())


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str


def run_vmrctl(*argv: str, stdin: str = "") -> Ran:
    """`vmrctl ARGV` in this process: its exit code and what it wrote. The root logger's
    handlers (vmrctl's `logs.setup` replaces them) and the secrets it registered are put back
    afterwards, so one run leaves nothing to the next."""
    out, err = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    secrets, shown = set(logs._secrets), set(output._secrets)
    try:
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            pytest.MonkeyPatch.context() as patch,
        ):
            patch.setattr("sys.stdin", io.StringIO(stdin))
            code = main(list(argv))
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        logs._secrets.clear()
        logs._secrets.update(secrets)
        output._secrets.clear()
        output._secrets.update(shown)
    return Ran(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def environment(monkeypatch: pytest.MonkeyPatch, home: Path, server: str, **more: str) -> Iterator[None]:
    """vmrctl's environment for this test alone: its folders, server, account, the demo key
    in VMRTRAY_AUTH (unless `more` says otherwise), English, no user settings."""
    for name in ("VMRTRAY_AUTH", "VMRTRAY_SERVER", "VMRTRAY_ACCOUNT", "VMRTRAY_LANG"):
        monkeypatch.delenv(name, raising=False)
    values = {
        "VMRTRAY_CONFIG_DIR": str(home / "config"),
        "VMRTRAY_DATA_DIR": str(home / "data"),
        "VMRTRAY_SERVER": server,
        "VMRTRAY_ACCOUNT": DEMO_ACCOUNT,
        "VMRTRAY_AUTH": DEMO_PUBLIC_KEY,
        "VMRTRAY_LANG": "en",
        **more,
    }
    for name, value in values.items():
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    yield
