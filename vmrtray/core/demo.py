"""The demo: the simulated service in this process, for `vmrtray --demo` and `vmrctl --demo`.

The only module outside the simulator's own launcher (`vmrctl sim`) that imports it (an
import-linter contract says so), and only when a demo starts. The demo key lives in
memory; settings, data (its own catalog) and downloads go to a temporary folder removed
when the demo stops, so a demo never touches the user's own.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from vmrtray.sim import DEMO_ACCOUNT, DEMO_PACE, DEMO_PUBLIC_KEY, Sim, service_now, set_pace

from .catalog import Catalog, Source
from .logs import register_secret
from .settings import Settings

#: Recordings made before the demo began: (days ago, room, minutes, bytes).
PAST_RECORDINGS = ((0, "100704", 45, 96_000_000), (1, "100701", 30, 61_000_000), (3, "100706", 90, 180_000_000))


@dataclass
class Demo:
    sim: Sim
    settings: Settings
    key: str
    folder: tempfile.TemporaryDirectory[str]
    keys: dict[str, str] = field(default_factory=dict)  # the demo's "keyring", in memory
    #: The environment the demo changed (config and data folders), as it was: put back at stop.
    moved: dict[str, str | None] = field(default_factory=dict)
    #: Recordings made before the demo began, (record id, room).
    recordings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def path(self) -> Path:
        """The demo's temporary folder (its config, data and downloads)."""
        return Path(self.folder.name)

    async def remember_recordings(self, catalog: Catalog) -> None:
        """Put the recordings made before the demo began into `catalog`, so there is something to look at."""
        for record_id, room in self.recordings:
            await asyncio.to_thread(catalog.add, record_id, room=room, source=Source.DEMO)

    async def stop(self) -> None:
        await self.sim.stop()
        self.folder.cleanup()
        for name, value in self.moved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


async def start_demo(*, lively: bool = True, script_interval: float = 3.0, seed: int | None = None) -> Demo:
    """A running simulated service and the settings that use it.

    `lively`: meetings start and end, people come and go, on a seeded script (the tray);
    otherwise the world stands still between commands (vmrctl). Either way the service has
    its real pace (sim.DEMO_PACE): a started recording is "starting" for a few seconds, the
    files of a stopped one are listed some seconds later, links are valid for 7 days.
    """
    register_secret(DEMO_PUBLIC_KEY)  # a demo key is public, but the habit is the same
    folder = tempfile.TemporaryDirectory(prefix="vmrtray-demo-")
    moved = {name: os.environ.get(name) for name in ("VMRTRAY_CONFIG_DIR", "VMRTRAY_DATA_DIR")}
    os.environ["VMRTRAY_CONFIG_DIR"] = os.path.join(folder.name, "config")
    os.environ["VMRTRAY_DATA_DIR"] = os.path.join(folder.name, "data")
    if seed is None:  # a lively demo differs each time; a still one is the same world each time
        seed = random.randrange(1 << 30) if lively else 0  # noqa: S311 - a demo's script, not a secret
    sim = Sim(seed=seed, script_interval=script_interval if lively else None)
    set_pace(sim, DEMO_PACE)
    await sim.start()
    rooms = [room.sipkey for room in sim.state.tenants[DEMO_PUBLIC_KEY].rooms.values()]
    settings = Settings(
        server=sim.url,
        account=DEMO_ACCOUNT,
        favourites=rooms,
        interval_active=3,
        interval_idle=5,
        download_dir=os.path.join(folder.name, "downloads"),  # never the user's Downloads
    )
    demo = Demo(sim, settings, DEMO_PUBLIC_KEY, folder, {settings.server or "": DEMO_PUBLIC_KEY}, moved)
    demo.recordings = _past_recordings(sim)
    return demo


def _past_recordings(sim: Sim) -> list[tuple[str, str]]:
    tenant = sim.state.tenants[DEMO_PUBLIC_KEY]
    today = service_now().replace(hour=9, minute=30, second=0)
    return [
        (sim.state.past_recording(tenant, room, today - timedelta(days=days), minutes, size), room)
        for days, room, minutes, size in PAST_RECORDINGS
    ]
