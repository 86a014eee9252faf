"""`vmrctl recordings download` killed halfway (SIGKILL) resumes: the origin serves only the rest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.cli import ROOT, SimProcess, Vmrctl, kill_when, sign_in

SIZE = 6 * 1024 * 1024 + 777


def test_a_killed_download_resumes_where_it_stopped(vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path) -> None:
    sign_in(vmrctl)
    sim_process.control("room", {"room": "100701", "file_size": SIZE})
    record_id = json.loads(vmrctl("record", "start", "100701", "--json").stdout)["recordId"]
    assert vmrctl("record", "stop", "100701").returncode == 0
    sim_process.control("files", {"rate_limit": 1024 * 1024})
    out = tmp_path / "out"
    first = subprocess.Popen(
        [sys.executable, "-m", "vmrtray.cli", "recordings", "download", record_id, "-o", str(out)],
        env=vmrctl.env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def half_there() -> bool:
        parts = list(out.glob("*.part"))
        return bool(parts) and parts[0].stat().st_size >= SIZE // 2

    kill_when(first, half_there, "half the file on disk")
    parts = list(out.glob("*.part"))
    kept = parts[0].stat().st_size
    assert SIZE // 2 <= kept < SIZE
    sim_process.control("files", {"rate_limit": None})
    asked_before = len(sim_process.control("stats")["file_ranges"])

    done = vmrctl("recordings", "download", record_id, "-o", str(out), "--json")
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(done.stdout)
    assert result["resumedFrom"] == kept
    assert result["verified"] is True  # resumed, and checked against the store's CRC-64
    assert result["sha256"] == sim_process.control(f"recordings/{record_id}")["files"][0]["sha256"]
    assert sim_process.control("stats")["file_ranges"][asked_before:] == [f"bytes={kept}-"]
    assert not list(out.glob("*.part"))
