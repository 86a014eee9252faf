"""Issue 13, case 3: two writers of one `.part`.

Two downloads of one recording into one folder (the tray and vmrctl share the default
folder) both succeeded and left a corrupt file: the second, retrying after the first
renamed the `.part`, made it again and wrote at its offset into a sparse file, while the
checksums came from the stream. Now one process holds the part's lock and the other says
so; and a download never makes its part again once it is gone.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

from tests.support.cli import ROOT
from tests.support.recordings import SIZE, make_recording
from tests.support.waiting import until
from vmrtray.api import Client, RecordFile
from vmrtray.core.downloads import DownloadError, download, new_file_session
from vmrtray.sim import Sim

#: One download in a process of its own, as vmrctl or the tray would run it: prints its outcome.
CHILD = """
import asyncio, json, sys
from pathlib import Path
from vmrtray.api import RecordFile
from vmrtray.core.downloads import DownloadError, download, new_file_session

async def main() -> dict:
    file = RecordFile.model_validate_json(sys.argv[1])
    async def no_refresh() -> str:
        raise AssertionError("the link does not expire here")
    async with new_file_session() as http:
        try:
            done = await download(file, Path(sys.argv[2]), http=http, refresh=no_refresh)
        except DownloadError as exc:
            return {"error": str(exc)}
    return {"sha256": done.sha256}

print(json.dumps(asyncio.run(main())))
"""


async def _file(sim: Sim, api: Client) -> tuple[RecordFile, str]:
    record_id = await make_recording(sim, api)
    (file,) = await api.get_records(record_id)
    return file, sim.recording_info(record_id)["files"][0]["sha256"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def _start(file: RecordFile, target: Path) -> asyncio.subprocess.Process:
    # asyncio's subprocess: the simulator runs in this test's loop, which must go on serving
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        file.model_dump_json(by_alias=True),
        str(target),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _outcome(process: asyncio.subprocess.Process) -> dict[str, str]:
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return dict(json.loads(out.decode().strip().splitlines()[-1]))


async def test_a_second_process_downloading_the_same_file_says_so_and_the_file_is_whole(
    sim: Sim, api: Client, tmp_path: Path
) -> None:
    file, expected = await _file(sim, api)
    target, part = tmp_path / "x.mp4", tmp_path / "x.mp4.part"
    sim.files.rate_limit = 1024 * 1024  # the first is still at it when the second starts
    first = await _start(file, target)
    await until(lambda: part.exists() and part.stat().st_size >= SIZE // 4, "the first process a quarter in")
    second = await _outcome(await _start(file, target))
    sim.files.rate_limit = None
    assert second == {"error": "another vmrtray or vmrctl is downloading x.mp4 now"}
    assert await _outcome(first) == {"sha256": expected}
    assert _sha256(target) == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.mp4"]  # no part, sidecar or lock left


async def test_a_part_renamed_away_mid_download_is_never_made_again(sim: Sim, api: Client, tmp_path: Path) -> None:
    file, expected = await _file(sim, api)
    target, part, elsewhere = tmp_path / "x.mp4", tmp_path / "x.mp4.part", tmp_path / "theirs.mp4"
    sim.files.reset_after = 1_500_000  # the connection breaks after the rename: the download retries
    sim.files.rate_limit = 8 * 1024 * 1024

    def rename_once(done: int, total: int) -> None:
        # what another writer of this part did when it finished: renamed it into place
        if done >= 500_000 and not elsewhere.exists():
            os.rename(part, elsewhere)

    outcome: object
    async with new_file_session() as http:
        try:
            outcome = await download(file, target, http=http, refresh=_never, on_progress=rename_once)
        except DownloadError as error:
            outcome = error
    assert elsewhere.exists()
    # 22aea20 made the part again on the retry and wrote at its offset: a sparse file with
    # zeros from 0, renamed into place with the stream's (right) sha256. Never again:
    assert not (target.exists() and _sha256(target) != expected), f"a corrupt file was kept: {outcome}"
    assert isinstance(outcome, DownloadError)
    assert "moved or replaced" in str(outcome)
    assert not part.exists()


async def test_the_lock_is_given_back_on_every_path(sim: Sim, api: Client, tmp_path: Path) -> None:
    file, expected = await _file(sim, api)
    target = tmp_path / "x.mp4"
    sim.files.rate_limit = 1024 * 1024
    async with new_file_session() as http:
        first = asyncio.ensure_future(download(file, target, http=http, refresh=_never))
        await until(lambda: (tmp_path / "x.mp4.part").exists(), "the first download under way")
        with pytest.raises(DownloadError, match=r"another vmrtray or vmrctl is downloading x\.mp4 now"):
            await download(file, target, http=http, refresh=_never)
        first.cancel()  # the user cancels: the lock goes with it
        await asyncio.gather(first, return_exceptions=True)
        sim.files.rate_limit = None
        result = await download(file, target, http=http, refresh=_never)
    assert result.sha256 == expected == _sha256(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.mp4"]


async def _never() -> str:
    raise AssertionError("no refresh expected")


async def test_a_killed_downloader_leaves_no_lock_behind(sim: Sim, api: Client, tmp_path: Path) -> None:
    # The OS drops the lock with the process: the next download resumes, it is not "busy".
    file, expected = await _file(sim, api)
    target, part = tmp_path / "x.mp4", tmp_path / "x.mp4.part"
    sim.files.rate_limit = 1024 * 1024
    first = await _start(file, target)
    await until(lambda: part.exists() and part.stat().st_size >= SIZE // 4, "the first process a quarter in")
    first.kill()  # SIGKILL: no finally runs
    await first.wait()
    assert (tmp_path / "x.mp4.part.lock").exists()  # left by the killed process, not held by anyone
    kept = part.stat().st_size
    sim.files.rate_limit = None
    async with new_file_session() as http:
        result = await download(file, target, http=http, refresh=_never)
    assert result.resumed_from == kept
    assert result.sha256 == expected == _sha256(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.mp4"]
