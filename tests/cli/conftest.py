"""`vmrctl` as a user runs it: real processes, against `vmrctl sim` in another process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from vmrtray.sim import DEMO_ACCOUNT

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class SimProcess:
    url: str
    process: subprocess.Popen[str]

    def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        if body is None:
            return httpx.get(f"{self.url}/_sim/{path}").json()
        return httpx.post(f"{self.url}/_sim/{path}", json=body).json()


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


@dataclass
class Vmrctl:
    """Runs vmrctl with folders, keyring and environment of this test alone."""

    env: dict[str, str]
    home: Path
    outputs: list[str] = field(default_factory=list)

    def __call__(
        self, *args: str, stdin: str = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "vmrtray.cli", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
            cwd=self.home,
            timeout=60,
        )
        self.outputs += [done.stdout, done.stderr]
        if "--debug" not in args:
            assert "Traceback" not in done.stderr, done.stderr
        return done


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
