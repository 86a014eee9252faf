"""Issue 13, case 3: two downloads of one recording into one folder, in separate processes.

vmrctl downloads (slowly) into a folder; a second vmrctl of the same recording there says in
one sentence that another process is downloading it (exit 5), and the tray's download queue,
sharing the data folder and the download folder as the tray and vmrctl do, waits for it
("downloading in another process", never "failed"), then adopts what the other fetched and
verified: no second request, no second file, and with auto-delete on the recording stays in
the cloud while its list of files has not stayed the same for DELETE_SETTLE. If the other
process dies instead, the queue goes on from its part. Real processes: vmrctl and the
simulator each in their own.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from tests.support.cli import ROOT, SimProcess, Vmrctl, sign_in
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core.catalog import Catalog
from vmrtray.core.download_queue import DownloadQueue, Transfer
from vmrtray.core.downloads import new_file_session
from vmrtray.sim import DEMO_PUBLIC_KEY

SIZE = 4 * 1024 * 1024 + 777
SLOW = 1024 * 1024  # bytes a second per connection: the first download is still going on


def _recording(vmrctl: Vmrctl, sim_process: SimProcess) -> str:
    sign_in(vmrctl)
    sim_process.control("room", {"room": "100701", "file_size": SIZE})
    record_id = str(json.loads(vmrctl("record", "start", "100701", "--json").stdout)["recordId"])
    assert vmrctl("record", "stop", "100701").returncode == 0
    return record_id


def _start_download(vmrctl: Vmrctl, record_id: str, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "vmrtray.cli", "recordings", "download", record_id, "-o", str(out)],
        env=vmrctl.env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _under_way(out: Path) -> bool:
    return any(p.stat().st_size > 0 for p in out.glob("*.part"))


async def _control(sim_process: SimProcess, path: str, body: dict[str, Any] | None = None) -> Any:
    return await asyncio.to_thread(sim_process.control, path, body)


@pytest_asyncio.fixture
async def tray_queue(vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path) -> AsyncIterator[DownloadQueue]:
    """The tray's queue on vmrctl's catalog and folder, with auto-delete on."""
    catalog = Catalog(Path(vmrctl.env["VMRTRAY_DATA_DIR"]) / "catalog.sqlite3")
    async with Client(sim_process.url, DEMO_PUBLIC_KEY, timeout=5.0) as api, new_file_session() as http:
        queue = DownloadQueue(api, catalog, http, lambda: tmp_path / "out", tick=0.01, auto_delete=lambda: True)
        queue.retry = 0.2  # seconds between its tries of a file another process holds
        yield queue
        await queue.aclose()
    catalog.close()


def _states_seen(queue: DownloadQueue) -> list[str]:
    seen: list[str] = []

    def note(transfer: Transfer) -> None:
        if not seen or seen[-1] != transfer.state:
            seen.append(str(transfer.state))

    queue.add_listener(note)
    return seen


async def test_a_second_download_of_one_file_waits_for_the_first_and_adopts_it(
    vmrctl: Vmrctl, sim_process: SimProcess, tray_queue: DownloadQueue, tmp_path: Path
) -> None:
    record_id = _recording(vmrctl, sim_process)
    out = tmp_path / "out"
    # slower than the others: two vmrctl starts and the queue's add must come while it runs,
    # also on a loaded machine (at SLOW it once ended first); the limit is lifted right after
    await _control(sim_process, "files", {"rate_limit": SLOW // 8})
    first = _start_download(vmrctl, record_id, out)
    try:
        await until(lambda: _under_way(out), "the first download under way")

        second = await asyncio.to_thread(vmrctl, "recordings", "download", record_id, "-o", str(out))
        assert second.returncode == 5, second.stderr
        (said,) = second.stderr.strip().splitlines()
        assert said.startswith("vmrctl: another vmrtray or vmrctl is downloading "), said
        assert said.endswith(" now"), said
        in_chinese = await asyncio.to_thread(
            vmrctl, "recordings", "download", record_id, "-o", str(out), env={"VMRTRAY_LANG": "zh"}
        )
        assert in_chinese.returncode == 5
        assert "另一个 vmrtray 或 vmrctl 正在下载" in in_chinese.stderr

        seen = _states_seen(tray_queue)
        (transfer,) = await tray_queue.add(record_id)
        await until(lambda: transfer.state not in ("queued", "downloading"), "the queue's transfer decided")
        assert transfer.state == "elsewhere", transfer.error
    finally:
        await _control(sim_process, "files", {"rate_limit": None})
        await asyncio.to_thread(first.wait)
    assert first.returncode == 0, first.stderr.read() if first.stderr else ""
    asked = len((await _control(sim_process, "stats"))["file_ranges"])

    await until(lambda: transfer.state == "done", "the queue adopted the other's file")
    await tray_queue.aclose()  # the opt-in, had it been due, is over
    assert "failed" not in seen, seen
    assert len((await _control(sim_process, "stats"))["file_ranges"]) == asked, "the queue fetched it again"
    stored = (await _control(sim_process, f"recordings/{record_id}"))["files"][0]["sha256"]
    assert transfer.sha256 == stored == hashlib.sha256(transfer.target.read_bytes()).hexdigest()
    assert [p.name for p in out.iterdir()] == [transfer.target.name]
    assert not (await _control(sim_process, f"recordings/{record_id}"))["deleted"]


async def test_when_the_other_process_dies_the_queue_goes_on_from_its_part(
    vmrctl: Vmrctl, sim_process: SimProcess, tray_queue: DownloadQueue, tmp_path: Path
) -> None:
    record_id = _recording(vmrctl, sim_process)
    out = tmp_path / "out"
    await _control(sim_process, "files", {"rate_limit": SLOW})
    first = _start_download(vmrctl, record_id, out)
    try:
        await until(lambda: _under_way(out), "the first download under way")
        (transfer,) = await tray_queue.add(record_id)
        await until(lambda: transfer.state == "elsewhere", "the queue waiting for the other process")
    finally:
        first.kill()  # as a crash would
        await asyncio.to_thread(first.wait)
        await _control(sim_process, "files", {"rate_limit": None})
    await until(lambda: transfer.state in ("done", "failed"), "the queue's own download ended")
    assert transfer.state == "done", transfer.error
    stored = (await _control(sim_process, f"recordings/{record_id}"))["files"][0]["sha256"]
    assert transfer.sha256 == stored == hashlib.sha256(transfer.target.read_bytes()).hexdigest()
    assert [p.name for p in out.iterdir()] == [transfer.target.name]
