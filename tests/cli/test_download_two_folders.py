"""Two processes on one data folder, each with its own download folder (the tray into
~/Downloads/vmrtray, the systemd watch into ~/Videos/vmrtray): a file is fetched once.

Issue 14 review: two `vmrctl watch --download` into two folders served 3 of 4 files twice; each
process claimed its own name for the file and locked its own `.part`. Now a file has a lock of
its own, whatever the folder (core.claims): the second process waits while the first downloads,
then says where the file is (one copy, in the first one's folder), and a file downloaded before
is not fetched again either. Real processes: vmrctl and the simulator each in their own.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.cli.test_watch import Watching
from tests.support.cli import ROOT, SimProcess, Vmrctl, sign_in
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core import settings as settings_mod
from vmrtray.core.catalog import Catalog
from vmrtray.core.download_queue import DownloadQueue, Transfer
from vmrtray.core.downloads import new_file_session
from vmrtray.core.watch import Name
from vmrtray.sim import DEMO_PUBLIC_KEY

ROOM = "100701"
SIZE = 3 * 1024 * 1024 + 321
SLOW = 1024 * 1024  # bytes a second per connection: a download is still going on when the other looks


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _served(sim_process: SimProcess) -> dict[str, int]:
    """Bytes the object store sent, per object."""
    return dict(sim_process.control("stats")["bytes_by_path"])


def _recording(vmrctl: Vmrctl) -> str:
    record_id = str(json.loads(vmrctl("record", "start", ROOM, "--json").stdout)["recordId"])
    assert vmrctl("record", "stop", ROOM).returncode == 0
    return record_id


@pytest_asyncio.fixture
async def queue_b(vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path) -> AsyncIterator[DownloadQueue]:
    """A tray's queue on vmrctl's catalog, downloading into a folder of its own (outB)."""
    catalog = Catalog(Path(vmrctl.env["VMRTRAY_DATA_DIR"]) / "catalog.sqlite3")
    async with Client(sim_process.url, DEMO_PUBLIC_KEY, timeout=5.0) as api, new_file_session() as http:
        queue = DownloadQueue(api, catalog, http, lambda: tmp_path / "outB", tick=0.01)
        queue.retry = 0.2  # seconds between its tries of a file another process holds
        yield queue
        await queue.aclose()
    catalog.close()


async def test_a_file_another_process_downloads_into_another_folder_is_waited_for_not_fetched_again(
    vmrctl: Vmrctl, sim_process: SimProcess, queue_b: DownloadQueue, tmp_path: Path
) -> None:
    sign_in(vmrctl)
    sim_process.control("room", {"room": ROOM, "file_size": SIZE})
    record_id = _recording(vmrctl)
    out_a, out_b = tmp_path / "outA", tmp_path / "outB"
    await asyncio.to_thread(sim_process.control, "files", {"rate_limit": SLOW})
    first = subprocess.Popen(
        [sys.executable, "-m", "vmrtray.cli", "recordings", "download", record_id, "-o", str(out_a)],
        env=vmrctl.env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        await until(lambda: any(p.stat().st_size > 0 for p in out_a.glob("*.part")), "the first download under way")
        seen: list[str] = []

        def note(transfer: Transfer) -> None:
            if not seen or seen[-1] != transfer.state:
                seen.append(str(transfer.state))

        queue_b.add_listener(note)
        (transfer,) = await queue_b.add(record_id)
        await until(lambda: transfer.state == "elsewhere", "the queue waiting for the other process")
        third = await asyncio.to_thread(vmrctl, "recordings", "download", record_id, "-o", str(tmp_path / "outC"))
        assert third.returncode == 5, third.stderr
        assert "another vmrtray or vmrctl is downloading" in third.stderr
    finally:
        await asyncio.to_thread(sim_process.control, "files", {"rate_limit": None})
        _, err = await asyncio.to_thread(first.communicate)
    assert first.returncode == 0, err

    await until(lambda: transfer.state == "done", "the queue took the other's file")
    (path_a,) = out_a.glob("*.mp4")
    assert transfer.target == path_a  # said where it is: one copy, in the first one's folder
    assert seen == ["queued", "elsewhere", "done"], seen  # never "downloading" here
    assert not out_b.exists() or not list(out_b.iterdir())
    stored = sim_process.control(f"recordings/{record_id}")["files"][0]["sha256"]
    assert transfer.sha256 == stored == _sha256(path_a)

    # downloaded before: asked again into a third folder, it says where the file is and fetches nothing
    again = await asyncio.to_thread(vmrctl, "recordings", "download", record_id, "-o", str(tmp_path / "outC"))
    assert again.returncode == 0, again.stderr
    assert again.stdout.split()[0] == str(path_a)
    assert not (tmp_path / "outC").exists() or not list((tmp_path / "outC").iterdir())
    assert list(_served(sim_process).values()) == [SIZE]  # the object was served once, to the first


@pytest.fixture
def watches() -> Iterator[Callable[..., Watching]]:
    started: list[Watching] = []

    def start(vmrctl: Vmrctl, *args: str) -> Watching:
        started.append(Watching(vmrctl, *args))
        return started[-1]

    yield start
    for watch in started:
        watch.kill()


def _done(watches: list[Watching]) -> set[tuple[Any, Any]]:
    return {(w["record_id"], w["file"]) for watch in watches for w in watch.lines if w["event"] == Name.DOWNLOAD_DONE}


def test_two_watches_downloading_into_two_folders_fetch_each_file_once(
    vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path, watches: Callable[..., Watching]
) -> None:
    """The review's case: two `vmrctl watch` on one data folder, `--download outA` and
    `--download outB`, a recording of four files that both see ready. Every object is served
    once, and each file is in one of the two folders, once; neither watch says a download failed."""
    sign_in(vmrctl)
    path = Path(vmrctl.env["VMRTRAY_CONFIG_DIR"]) / "settings.toml"
    chosen = settings_mod.load(path)
    chosen.interval_active, chosen.interval_idle = 2.0, 5.0
    settings_mod.save(chosen, path)
    sim_process.control("room", {"room": ROOM, "file_size": SIZE, "files_per_recording": 4})
    sim_process.control("meeting", {"room": ROOM, "started": True})
    sim_process.control("files", {"rate_limit": 2 * SLOW})
    out_a, out_b = tmp_path / "outA", tmp_path / "outB"
    a = watches(vmrctl, ROOM, "--download", str(out_a), "--json", "--first-check", "1")
    b = watches(vmrctl, ROOM, "--download", str(out_b), "--json", "--first-check", "1")
    a.wait_for(Name.WATCHING)
    b.wait_for(Name.WATCHING)
    record_id = str(json.loads(vmrctl("record", "start", ROOM, "--json").stdout)["recordId"])
    a.wait_for(Name.RECORDING_STARTED, record_id=record_id)
    b.wait_for(Name.RECORDING_STARTED, record_id=record_id)  # both follow it: both are told it is ready
    assert vmrctl("record", "stop", ROOM).returncode == 0
    wanted = {(record_id, n) for n in range(4)}
    deadline = time.monotonic() + 90  # guards a hang only
    while not wanted <= _done([a, b]):
        for watch in (a, b):
            while not watch._queue.empty():
                watch.next_line(deadline)
        assert time.monotonic() < deadline, f"not every file downloaded: {a.lines} {b.lines}"
        time.sleep(0.05)
    assert a.terminate() == 0
    assert b.terminate() == 0

    served = _served(sim_process)
    assert len(served) == 4, served
    assert set(served.values()) == {SIZE}, served  # each object once
    kept = sorted(p for folder in (out_a, out_b) if folder.exists() for p in folder.iterdir())
    assert len(kept) == 4, kept  # one copy of each file, no part left
    stored = {f["sha256"] for f in sim_process.control(f"recordings/{record_id}")["files"]}
    assert {_sha256(p) for p in kept} == stored
    assert not [line for line in a.lines + b.lines if line["event"] == Name.DOWNLOAD_FAILED]
