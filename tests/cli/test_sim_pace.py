"""`vmrctl sim --pace`: the simulated service at the real service's pace, or at once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.support.cli import ROOT
from vmrtray.sim import DEMO_PACE, INSTANT_PACE, Pace


@pytest.fixture
def serve() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    ("args", "pace"),
    [(["--pace", "demo"], DEMO_PACE), ([], INSTANT_PACE), (["--seed", "3", "--pace", "instant"], INSTANT_PACE)],
)
def test_the_pace_chosen_is_the_services(serve: list[subprocess.Popen[str]], args: list[str], pace: Pace) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "vmrtray.cli", "sim", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    serve.append(process)
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    assert first.startswith("listening on "), first
    knobs = httpx.post(f"{first.removeprefix('listening on ')}/_sim/service", json={}).json()
    assert (knobs["start_delay"], knobs["files_delay"]) == (pace.start_delay, pace.files_delay)
