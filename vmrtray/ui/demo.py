"""`vmrtray --demo`: the simulated service inside the app, with a lively script.

The only UI module that imports the simulator (an import-linter contract says so). The
demo key lives in memory; settings and data go to a temporary folder removed at quit.
"""

from __future__ import annotations

import os
import random
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta

from vmrtray.core.logs import register_secret
from vmrtray.core.settings import Settings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim, service_now


@dataclass
class Demo:
    sim: Sim
    settings: Settings
    key: str
    folder: tempfile.TemporaryDirectory[str]
    keys: dict[str, str] = field(default_factory=dict)  # the demo's "keyring", in memory
    #: Recordings made before the demo began, (record id, room): Recordings… shows them.
    recordings: list[tuple[str, str]] = field(default_factory=list)

    async def stop(self) -> None:
        await self.sim.stop()
        self.folder.cleanup()


async def start_demo(*, script_interval: float = 3.0, seed: int | None = None) -> Demo:
    register_secret(DEMO_PUBLIC_KEY)  # a demo key is public, but the habit is the same
    folder = tempfile.TemporaryDirectory(prefix="vmrtray-demo-")
    os.environ["VMRTRAY_CONFIG_DIR"] = os.path.join(folder.name, "config")
    os.environ["VMRTRAY_DATA_DIR"] = os.path.join(folder.name, "data")
    sim = Sim(seed=random.randrange(1 << 30) if seed is None else seed, script_interval=script_interval)  # noqa: S311
    await sim.start()
    rooms = [room.sipkey for room in sim.state.tenants[DEMO_PUBLIC_KEY].rooms.values()]
    settings = Settings(server=sim.url, account=DEMO_ACCOUNT, favourites=rooms, interval_active=3, interval_idle=5)
    demo = Demo(sim, settings, DEMO_PUBLIC_KEY, folder, {settings.server or "": DEMO_PUBLIC_KEY})
    demo.recordings = _past_recordings(sim)
    return demo


def _past_recordings(sim: Sim) -> list[tuple[str, str]]:
    tenant = sim.state.tenants[DEMO_PUBLIC_KEY]
    today = service_now().replace(hour=9, minute=30, second=0)
    made = []
    for days, room, minutes, size in (
        (0, "100704", 45, 96_000_000),
        (1, "100701", 30, 61_000_000),
        (3, "100706", 90, 180_000_000),
    ):
        made.append((sim.state.past_recording(tenant, room, today - timedelta(days=days), minutes, size), room))
    return made
