"""`vmrctl watch --download` killed (SIGKILL) after a file was moved into place and before the
catalog said so: the next start adopts the file where it is, not fetching it again as "… (2)".

The kill is placed with no hook in the code: another process holds the catalog's write lock
(tests.support.catalogs.locked) while the download finishes, so the watch has its file in
place and waits to write it down; it is killed then, as a crash would.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

from tests.cli.test_watch import Watching
from tests.support.catalogs import locked
from tests.support.cli import SimProcess, Vmrctl, kill_when, sign_in
from vmrtray.core import settings as settings_mod
from vmrtray.core.catalog import Catalog
from vmrtray.core.watch import Name

ROOM = "100701"
SIZE = 3 * 1024 * 1024 + 321
GUARD = 60.0  # seconds: a guard against a hang, not a measurement


def _until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + GUARD
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


def _record(vmrctl: Vmrctl, action: str) -> str:
    done = vmrctl("record", action, ROOM, "--json")
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["recordId"])


def test_a_file_in_place_but_not_written_down_is_adopted_at_the_next_start(
    vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path
) -> None:
    sign_in(vmrctl)
    settings_path = Path(vmrctl.env["VMRTRAY_CONFIG_DIR"]) / "settings.toml"
    chosen = settings_mod.load(settings_path)
    chosen.interval_active, chosen.interval_idle = 2.0, 5.0
    settings_mod.save(chosen, settings_path)
    catalog_path = Path(vmrctl.env["VMRTRAY_DATA_DIR"]) / "catalog.sqlite3"
    out = tmp_path / "out"
    sim_process.control("service", {"files_delay": 0.5})
    sim_process.control("room", {"room": ROOM, "file_size": SIZE})
    sim_process.control("meeting", {"room": ROOM, "started": True})
    sim_process.control("files", {"rate_limit": 1024 * 1024})
    args = (ROOM, "--download", str(out), "--json", "--first-check", "1")

    first = Watching(vmrctl, *args)
    again: Watching | None = None
    try:
        first.wait_for(Name.WATCHING)
        record_id = _record(vmrctl, "start")
        first.wait_for(Name.RECORDING_STARTED, record_id=record_id)
        _record(vmrctl, "stop")
        target = Path(first.wait_for(Name.DOWNLOAD_STARTED, record_id=record_id, file=0)["path"])
        part = target.with_name(target.name + ".part")
        _until(lambda: part.exists() and part.stat().st_size >= SIZE // 2, "half the file on disk")
        with locked(catalog_path):
            kill_when(first.process, lambda: target.exists() and not part.exists(), "the file in place")
        (row,) = Catalog(catalog_path).files(record_id)
        assert (row.state, row.target, row.local_path) == ("downloading", str(target), None)  # as the kill left it
        served = sim_process.control("stats")["bytes_by_path"]

        again = Watching(vmrctl, *args)
        done = again.wait_for(Name.DOWNLOAD_DONE, record_id=record_id, file=0)
        assert again.terminate() == 0
    finally:
        first.kill()
        if again is not None:
            again.kill()

    assert done["path"] == str(target)
    assert sorted(out.iterdir()) == [target]  # no "… (2).mp4"
    expected = sim_process.control(f"recordings/{record_id}")["files"][0]
    assert hashlib.sha256(target.read_bytes()).hexdigest() == expected["sha256"]
    assert sim_process.control("stats")["bytes_by_path"] == served == {expected["path"]: SIZE}  # fetched once
    (row,) = Catalog(catalog_path).files(record_id)
    assert (row.state, row.local_path, row.sha256, row.verified) == ("done", str(target), expected["sha256"], False)
