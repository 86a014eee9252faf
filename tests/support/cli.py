"""Running vmrctl and its simulator as processes, as a user would."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from vmrtray.sim import DEMO_API_ID, DEMO_API_KEY

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class SimProcess:
    url: str
    process: subprocess.Popen[str]

    def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        if body is None:
            return httpx.get(f"{self.url}/_sim/{path}").json()
        return httpx.post(f"{self.url}/_sim/{path}", json=body).json()


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


def kill_when(process: subprocess.Popen[Any], condition: Callable[[], object], what: str) -> None:
    """Let `process` run until `condition`, then SIGKILL it, as a crash would."""
    deadline = time.monotonic() + 60  # guards a hang only
    try:
        while not condition():
            assert time.monotonic() < deadline, f"never happened: {what}"
            assert process.poll() is None, f"it ended before it was killed: {what}"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()


def sign_in(vmrctl: Vmrctl) -> None:
    """`vmrctl login` with the demo tenant's key read from stdin, as a script signs in."""
    done = vmrctl("login", "--api-id", DEMO_API_ID, "--api-key", "-", stdin=DEMO_API_KEY + "\n")
    assert done.returncode == 0, done.stderr
    assert "Signed in" in done.stdout
