"""The app's parts killed with SIGKILL in a process of their own, then started again: the
download queue resumes from the part on disk (asking only for the rest), and a recording
toggled at the moment of the kill shows as what the service really did."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from vmrtray.api import Client
from vmrtray.core.catalog import Catalog
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.download_queue import DownloadQueue, State
from vmrtray.core.downloads import new_file_session
from vmrtray.sim import DEMO_PUBLIC_KEY, Sim

ROOT = Path(__file__).resolve().parents[2]
SIZE = 8 * 1024 * 1024 + 5

DOWNLOADER = """
import asyncio, sys
from pathlib import Path
from vmrtray.api import Client
from vmrtray.core.catalog import Catalog
from vmrtray.core.download_queue import DownloadQueue
from vmrtray.core.downloads import new_file_session

async def main(url, record_id, folder):
    catalog = Catalog(Path(folder) / "catalog.sqlite3")
    async with Client(url, sys.argv[4]) as api:
        queue = DownloadQueue(api, catalog, new_file_session, lambda: Path(folder) / "out", segments=1)
        await queue.add(record_id)
        await asyncio.Event().wait()  # until killed

asyncio.run(main(*sys.argv[1:4]))
"""

TOGGLER = """
import asyncio, sys
from vmrtray.api import Client
from vmrtray.core.coordinator import Coordinator

async def main(url, key):
    async with Client(url, key, timeout=60) as api:
        coordinator = Coordinator(api, ["100701"], interval_active=3600, interval_idle=3600)
        await coordinator.refresh()
        await coordinator.start_recording("100701")  # the answer is held: killed while waiting

asyncio.run(main(*sys.argv[1:3]))
"""


async def _run_until(script: str, args: list[str], condition: Callable[[], bool]) -> None:
    """Run `script` in a process of its own until `condition`, then SIGKILL it."""
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, *args, cwd=ROOT, env=os.environ)
    try:
        async with asyncio.timeout(60):  # guards a hang only
            while not condition():
                assert process.returncode is None, "it ended before it was killed"
                await asyncio.sleep(0.02)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()


async def test_a_killed_download_resumes_from_its_part(sim: Sim, api: Client, tmp_path: Path) -> None:
    room = sim.state.set_meeting("100701", started=True)
    room.file_size = SIZE
    record_id = await api.open_record("100701")
    await api.close_record("100701")
    sim.files.rate_limit = 1024 * 1024

    def half_there() -> bool:
        parts = list((tmp_path / "out").glob("*.part"))
        return bool(parts) and parts[0].stat().st_size >= SIZE // 2

    await _run_until(DOWNLOADER, [sim.url, record_id, str(tmp_path), DEMO_PUBLIC_KEY], half_there)
    (part,) = (tmp_path / "out").glob("*.part")
    kept = part.stat().st_size
    sim.files.rate_limit = None
    asked_before = len(sim.stats.summary()["file_ranges"])

    catalog = Catalog(tmp_path / "catalog.sqlite3")  # the next start
    async with new_file_session() as http:
        queue = DownloadQueue(api, catalog, http, lambda: tmp_path / "elsewhere", segments=1, tick=0.01)
        (again,) = await queue.restore()
        async with asyncio.timeout(60):
            while again.state != State.DONE:
                await asyncio.sleep(0.02)
        await queue.aclose()
    catalog.close()
    assert again.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]
    assert sim.stats.summary()["file_ranges"][asked_before:] == [f"bytes={kept}-"]  # only the rest


async def test_a_record_toggle_killed_midway_shows_what_the_service_did(sim: Sim, api: Client) -> None:
    sim.state.set_meeting("100701", started=True, participants=2)
    sim.faults.queue("hang-after", path="/meeting/openRecord")  # carried out, the answer held

    def recording() -> bool:
        found = sim.state.find_room("100701")
        return found is not None and found[1].meeting is not None and bool(found[1].meeting.recording)

    await _run_until(TOGGLER, [sim.url, DEMO_PUBLIC_KEY], recording)
    sim.faults.release.set()
    coordinator = Coordinator(api, ["100701"], interval_active=3600, interval_idle=3600)  # the next start
    snapshot = await coordinator.refresh()
    await coordinator.aclose()
    (room,) = snapshot.rooms
    assert room.recording
    assert room.record_id == sim.state.find_room("100701")[1].meeting.recording  # type: ignore[union-attr]
