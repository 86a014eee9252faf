"""A long run, time compressed: 24 simulated hours of polling 50 favourites against a service
that fails 5 % of its answers and has the demo's pace, with meetings coming and going and a
recording made every simulated hour and downloaded once it is ready.

    python bench/soak.py [--hours 24] [--rooms 50] [--faults 0.05] [--interval 10]

The simulator runs as its own process (`vmrctl sim`); this process is the app's side: the
real Coordinator (status, events) and the real download path. Time is compressed: the
refreshes a day of polling at `--interval` seconds would make are made back to back, and a
meeting in some room starts or ends every simulated minute.

The service has the demo's pace (sim.DEMO_PACE: a recorder joins in 3 s, links valid 7 days),
with the files listed `--files-delay` real seconds after a stop (the demo's 20 s would be
hours of compressed time). Each recording goes the app's way: its stop is written down
(core.making.FilesWatch, on a clock that follows the simulated time), it becomes ready, and
download-when-ready (core.autofetch.AutoDownload, "recordings this app started") queues it
on the real DownloadQueue (a fresh link, verify); a download that failed on a failed answer
is resumed, as a user would.

Printed, after the first simulated hour (warm-up) and at the end: RSS, asyncio tasks, open
file descriptors; then the recordings made, ready, downloaded, and fetched twice (from the
simulator's bytes served per object). Targets: RSS growth <= 5 MB, tasks and descriptors
flat, no missed state change (every answer the app got shows each room as the simulator was
told to make it), every recording ready and downloaded, none fetched twice.
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
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.simproc import start_sim
from vmrtray.api import Client, VmrError
from vmrtray.api.client import MAX_CONNECTIONS
from vmrtray.core.autofetch import AutoDownload
from vmrtray.core.catalog import Catalog, Source
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.download_queue import DownloadQueue, State, Transfer
from vmrtray.core.making import FilesWatch, Ready
from vmrtray.core.session import download_client
from vmrtray.core.settings import AutoFetch, Settings
from vmrtray.sim import DEMO_PACE, DEMO_PUBLIC_KEY

T = TypeVar("T")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_fds() -> tuple[int, int]:
    """(descriptors that are not sockets, sockets). Files, pipes and locks must stay flat; the
    sockets are the connection pools' keep-alive connections, which fill up to the pools'
    bounds as answers fail and connections are replaced (measured: 9 sockets after the
    warm-up hour, 11-13 at the end, the other descriptors equal)."""
    names = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            names.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the one listdir itself opened, gone now
            continue
    sockets = sum(name.startswith("socket:") for name in names)
    return len(names) - sockets, sockets


#: The sockets the pools may keep: the API client's (MAX_CONNECTIONS), the file session's (the
#: queue runs 2 files at once, each in up to 4 segments) and the control client's.
SOCKETS_BOUND = MAX_CONNECTIONS + 8 + 1


class Day:
    """The recordings of the day, and what became of them (the simulated clock is `now`)."""

    def __init__(self, epoch: float) -> None:
        self.now = epoch
        self.opened: list[str] = []
        self.ready: set[str] = set()
        self.downloaded: set[str] = set()
        self.done_twice: set[str] = set()  # a recording whose file the queue finished twice
        self.resumed = 0  # downloads resumed after a failed answer

    def clock(self) -> float:
        return self.now


async def soak(url: str, args: argparse.Namespace) -> int:
    rng = random.Random(7)
    spare = "100701"  # recorded from each hour; not a favourite
    rooms = [str(100702 + i) for i in range(args.rooms)]
    refreshes = int(args.hours * 3600 / args.interval)
    per_minute = max(1, int(60 / args.interval))
    warm_at = max(1, refreshes // 24)  # the first simulated hour of a day
    started = dict.fromkeys(rooms, False)  # what the simulator was told
    changes = missed = 0
    control = httpx.AsyncClient(base_url=url)
    await _demo_pace(control, args.files_delay)
    folder = Path(tempfile.mkdtemp(prefix="vmrtray-soak-"))
    settings = Settings(server=url)
    day = Day(time.time())
    catalog = Catalog(folder / "catalog.sqlite3", clock=day.clock)  # ready by the simulated time
    warm: tuple[float, int, tuple[int, int]] | None = None
    began = time.perf_counter()
    async with Client(url, DEMO_PUBLIC_KEY, timeout=5.0) as api, download_client(settings) as files:
        coordinator = Coordinator(api, rooms, interval_active=3600, interval_idle=3600)
        watch = FilesWatch(api, catalog, clock=day.clock)
        queue = DownloadQueue(api, catalog, files, lambda: folder / "files", limit=2, tick=3600)
        queue.add_listener(lambda t: _finished(day, t))
        auto = AutoDownload(catalog, queue.add, lambda: AutoFetch.MINE, lambda: rooms, clock=day.clock)
        for n in range(refreshes):
            day.now += args.interval
            if n % per_minute == 0:  # a meeting starts or ends somewhere
                room = rng.choice(rooms)
                started[room] = not started[room]
                await control.post("/_sim/meeting", json={"room": room, "started": started[room]})
                changes += 1
            snapshot = await coordinator.refresh()
            missed += sum(r.available and r.started != started[r.room] for r in snapshot.rooms)
            if n % int(3600 / args.interval) == 0:  # a recording made each simulated hour
                await _record(api, control, catalog, watch, day, spare)
            await _turn(watch, auto, queue, day)
            if n == warm_at:
                warm = (rss_mb(), len(asyncio.all_tasks()), open_fds())
        end = (rss_mb(), len(asyncio.all_tasks()), open_fds())
        await _until_all_fetched(watch, auto, queue, day, args.interval)
        twice = await _fetched_twice(control, day.opened)
        await queue.aclose()
        await auto.aclose()
        await coordinator.aclose()
    await control.aclose()
    catalog.close()
    elapsed = time.perf_counter() - began
    assert warm is not None
    growth = end[0] - warm[0]
    print(
        f"{args.hours:g} simulated hours in {elapsed:.0f} s: {refreshes} refreshes of {args.rooms} rooms, "
        f"{args.faults:.0%} of answers failing, {changes} meeting starts and ends, the demo's pace"
        f" (files listed {args.files_delay:g} s after a stop)"
    )
    print(
        f"RSS            after warm-up {warm[0]:6.1f} MB   at the end {end[0]:6.1f} MB   growth {growth:+.1f} MB",
        end="",
    )
    print("   (target <= 5)")
    print(f"asyncio tasks  after warm-up {warm[1]:6d}      at the end {end[1]:6d}      (target: flat)")
    print(f"open files     after warm-up {warm[2][0]:6d}      at the end {end[2][0]:6d}      (target: flat)")
    print(
        f"sockets        after warm-up {warm[2][1]:6d}      at the end {end[2][1]:6d}"
        f"      (target: <= {SOCKETS_BOUND}, the pools' bounds)"
    )
    print(f"state changes  made {changes}; answers that showed a room other than it was: {missed} (target: 0)")
    made = len(day.opened)
    print(
        f"recordings     made {made}, ready {len(day.ready)}, downloaded {len(day.downloaded)}"
        f" (target: all {made}); fetched twice {len(twice | day.done_twice)} (target: 0);"
        f" downloads resumed after a failed answer {day.resumed}"
    )
    all_fetched = len(day.ready) == len(day.downloaded) == made and not (twice | day.done_twice)
    fds_flat = end[2][0] <= warm[2][0] and end[2][1] <= SOCKETS_BOUND
    met = growth <= 5 and end[1] <= warm[1] and fds_flat and missed == 0 and all_fetched
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met else 1


async def _demo_pace(control: httpx.AsyncClient, files_delay: float) -> None:
    """The simulator (another process) gets the demo's pace, the files' delay compressed."""
    pace = {"start_delay": DEMO_PACE.start_delay, "files_delay": files_delay}
    (await control.post("/_sim/service", json=pace)).raise_for_status()
    (await control.post("/_sim/files", json={"ttl": DEMO_PACE.link_ttl})).raise_for_status()


async def _record(
    api: Client, control: httpx.AsyncClient, catalog: Catalog, watch: FilesWatch, day: Day, room: str
) -> None:
    """Record a moment in `room` (each step tried again after a failed answer, as a user clicks
    again) and write its stop down; the meeting ends after, so the next hour starts clean."""
    await control.post("/_sim/meeting", json={"room": room, "started": True})
    try:
        record_id = await _again(lambda: api.open_record(room))
        await asyncio.to_thread(catalog.add, record_id, room=room, source=Source.OPENED)
        day.opened.append(record_id)
        await _again(lambda: api.close_record(room))
        await watch.stopped(record_id, datetime.fromtimestamp(day.now, UTC))
    except VmrError as error:
        print(f"  (a recording failed three times: {error})", file=sys.stderr)
    finally:
        await control.post("/_sim/meeting", json={"room": room, "started": False})


async def _turn(watch: FilesWatch, auto: AutoDownload, queue: DownloadQueue, day: Day) -> None:
    """One turn of the watch (as its poller would make it): ready recordings queued, and a
    download that failed on a failed answer resumed."""
    try:
        made = await watch.check()
    except VmrError:
        made = []  # asked again at a later turn
    day.ready.update(m.record_id for m in made if isinstance(m, Ready))
    await auto.catch_up()
    for key, transfer in list(queue.transfers.items()):
        if transfer.state == State.FAILED:
            day.resumed += 1
            await queue.resume(key)


def _finished(day: Day, transfer: Transfer) -> None:
    if transfer.state != State.DONE:
        return
    if transfer.record_id in day.downloaded:
        day.done_twice.add(transfer.record_id)
    day.downloaded.add(transfer.record_id)
    transfer.target.unlink(missing_ok=True)  # the disk stays as it was


async def _until_all_fetched(
    watch: FilesWatch, auto: AutoDownload, queue: DownloadQueue, day: Day, interval: float
) -> None:
    """After the day: turns go on until every recording is downloaded (or a bound is hit)."""
    for _ in range(100_000):
        if len(day.downloaded) >= len(day.opened) and not any(
            t.state in (State.QUEUED, State.DOWNLOADING) for t in queue.transfers.values()
        ):
            return
        day.now += interval
        await _turn(watch, auto, queue, day)
        await asyncio.sleep(0.01)


async def _fetched_twice(control: httpx.AsyncClient, record_ids: list[str]) -> set[str]:
    """The recordings of which the store sent more bytes than their files hold."""
    served = (await control.get("/_sim/stats")).json()["bytes_by_path"]
    twice = set()
    for record_id in record_ids:
        files = (await control.get(f"/_sim/recordings/{record_id}")).json()["files"]
        if any(served.get(f["path"], 0) > f["size"] for f in files):
            twice.add(record_id)
    return twice


async def _again(step: Callable[[], Awaitable[T]], tries: int = 3) -> T:
    for attempt in range(tries):
        try:
            return await step()
        except VmrError:
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--faults", type=float, default=0.05)
    parser.add_argument("--interval", type=float, default=10.0, help="simulated seconds between refreshes")
    parser.add_argument(
        "--files-delay", type=float, default=1.0, help="real seconds after a stop before its files are listed"
    )
    args = parser.parse_args()
    sim, url = start_sim(args.rooms + 1, faults=args.faults)
    try:
        return asyncio.run(soak(url, args))
    finally:
        sim.terminate()
        sim.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
