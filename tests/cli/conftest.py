"""`vmrctl` as a user runs it: real processes, against `vmrctl sim` in another process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import ROOT, SimProcess, Vmrctl
from vmrtray.sim import DEMO_ACCOUNT


@pytest.fixture
def sim_process() -> Iterator[SimProcess]:
    process = subprocess.Popen(
        [sys.executable, "-m", "vmrtray.cli", "sim", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    assert first.startswith("listening on "), first + (process.stderr.read() if process.stderr else "")
    try:
        yield SimProcess(first.removeprefix("listening on "), process)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def vmrctl(tmp_path: Path, sim_process: SimProcess) -> Vmrctl:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VMRTRAY_")}
    env.update(
        VMRTRAY_CONFIG_DIR=str(tmp_path / "config"),
        VMRTRAY_DATA_DIR=str(tmp_path / "data"),
        VMRTRAY_SERVER=sim_process.url,
        VMRTRAY_ACCOUNT=DEMO_ACCOUNT,
        VMRTRAY_TEST_KEYRING=str(tmp_path / "test-keyring.json"),
        PYTHON_KEYRING_BACKEND="tests.support.keyrings.FileKeyring",
        PYTHONPATH=str(ROOT),
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
    )
    return Vmrctl(env, tmp_path)
