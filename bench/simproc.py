"""The simulator in its own process (`vmrctl sim`), as a server would be, for the benchmarks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_sim(
    rooms: int, latency_ms: float = 0.0, contacts: int = 40, faults: float = 0.0
) -> tuple[subprocess.Popen[str], str]:
    """The running simulator and its URL; the caller terminates it."""
    command = [sys.executable, "-m", "vmrtray.cli", "sim", "--rooms", str(rooms), "--latency-ms", str(latency_ms)]
    command += ["--contacts", str(contacts), "--faults", str(faults)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        process.kill()
        raise SystemExit(f"the simulator did not start: {line!r}")
    return process, line.removeprefix("listening on ")
