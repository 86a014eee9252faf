"""A long run, time compressed: 24 simulated hours of polling 50 favourites against a service
that fails 5 % of its answers, with meetings coming and going and a recording downloaded
every simulated hour.

    python bench/soak.py [--hours 24] [--rooms 50] [--faults 0.05] [--interval 10]

The simulator runs as its own process (`vmrctl sim`); this process is the app's side: the
real Coordinator (status, events) and the real download path. Time is compressed: the
refreshes a day of polling at `--interval` seconds would make are made back to back, and a
meeting in some room starts or ends every simulated minute.

Printed, after the first simulated hour (warm-up) and at the end: RSS, asyncio tasks, open
file descriptors. Targets: RSS growth <= 5 MB, tasks and descriptors flat, no missed state
change (every answer the app got shows each room as the simulator was told to make it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.simproc import start_sim
from vmrtray.api import Client, VmrError
from vmrtray.core import recordings
from vmrtray.core.catalog import Catalog
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.session import download_client
from vmrtray.core.settings import Settings
from vmrtray.core.targets import DownloadError
from vmrtray.sim import DEMO_PUBLIC_KEY

T = TypeVar("T")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def soak(url: str, args: argparse.Namespace) -> int:
    rng = random.Random(7)
    spare = "100701"  # recorded and downloaded from each hour; not a favourite
    rooms = [str(100702 + i) for i in range(args.rooms)]
    refreshes = int(args.hours * 3600 / args.interval)
    per_minute = max(1, int(60 / args.interval))
    warm_at = max(1, refreshes // 24)  # the first simulated hour of a day
    started = dict.fromkeys(rooms, False)  # what the simulator was told
    changes = missed = 0
    control = httpx.AsyncClient(base_url=url)
    folder = Path(tempfile.mkdtemp(prefix="vmrtray-soak-"))
    settings = Settings(server=url)
    catalog = Catalog(folder / "catalog.sqlite3")
    warm: tuple[float, int, int] | None = None
    downloads = 0
    began = time.perf_counter()
    async with Client(url, DEMO_PUBLIC_KEY, timeout=5.0) as api, download_client(settings) as files:
        coordinator = Coordinator(api, rooms, interval_active=3600, interval_idle=3600)
        for n in range(refreshes):
            if n % per_minute == 0:  # a meeting starts or ends somewhere
                room = rng.choice(rooms)
                started[room] = not started[room]
                await control.post("/_sim/meeting", json={"room": room, "started": started[room]})
                changes += 1
            snapshot = await coordinator.refresh()
            missed += sum(r.available and r.started != started[r.room] for r in snapshot.rooms)
            if n % int(3600 / args.interval) == 0:  # a recording downloaded each simulated hour
                downloads += await _record_and_fetch(api, control, catalog, files, folder, spare)
            if n == warm_at:
                warm = (rss_mb(), len(asyncio.all_tasks()), open_fds())
        end = (rss_mb(), len(asyncio.all_tasks()), open_fds())
        await coordinator.aclose()
    await control.aclose()
    catalog.close()
    elapsed = time.perf_counter() - began
    assert warm is not None
    growth = end[0] - warm[0]
    print(
        f"{args.hours:g} simulated hours in {elapsed:.0f} s: {refreshes} refreshes of {args.rooms} rooms, "
        f"{args.faults:.0%} of answers failing, {changes} meeting starts and ends, {downloads} recordings downloaded"
    )
    print(
        f"RSS            after warm-up {warm[0]:6.1f} MB   at the end {end[0]:6.1f} MB   growth {growth:+.1f} MB",
        end="",
    )
    print("   (target <= 5)")
    print(f"asyncio tasks  after warm-up {warm[1]:6d}      at the end {end[1]:6d}      (target: flat)")
    print(f"open files     after warm-up {warm[2]:6d}      at the end {end[2]:6d}      (target: flat)")
    print(f"state changes  made {changes}; answers that showed a room other than it was: {missed} (target: 0)")
    met = growth <= 5 and end[1] <= warm[1] and end[2] <= warm[2] and missed == 0
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met else 1


async def _record_and_fetch(
    api: Client, control: httpx.AsyncClient, catalog: Catalog, files: object, folder: Path, room: str
) -> int:
    """Record a moment in `room` and download it, each step tried again after a failed answer
    (as a user clicks again); the meeting ends after, so the next hour starts clean."""
    await control.post("/_sim/meeting", json={"room": room, "started": True})
    try:
        record_id = await _again(lambda: api.open_record(room))
        await _again(lambda: api.close_record(room))
        done = await _again(
            lambda: recordings.download_all(api, catalog, record_id, folder / "files", http=files)  # type: ignore[arg-type]
        )
    except (VmrError, DownloadError) as error:
        print(f"  (a download failed three times: {error})", file=sys.stderr)
        return 0
    finally:
        await control.post("/_sim/meeting", json={"room": room, "started": False})
    for result in done:
        result.path.unlink()
    return 1


async def _again(step: Callable[[], Awaitable[T]], tries: int = 3) -> T:
    for attempt in range(tries):
        try:
            return await step()
        except (VmrError, DownloadError):
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--faults", type=float, default=0.05)
    parser.add_argument("--interval", type=float, default=10.0, help="simulated seconds between refreshes")
    args = parser.parse_args()
    sim, url = start_sim(args.rooms + 1, faults=args.faults)
    try:
        return asyncio.run(soak(url, args))
    finally:
        sim.terminate()
        sim.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
