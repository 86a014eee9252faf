"""Proxies, with a real proxy process (proxy.py): the manual proxy and the system's
(HTTP_PROXY) carry both the API calls and the file downloads; "no proxy" ignores the
environment's."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.flows import status_record_and_download
from vmrtray.core.settings import Settings
from vmrtray.sim import Sim

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _accepting(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Proxy:
    def __init__(self, port: int, log: Path) -> None:
        self.url, self.log = f"http://127.0.0.1:{port}", log

    def carried(self, needle: str) -> bool:
        """Whether the proxy's access log shows a request whose target holds `needle`."""
        end = time.monotonic() + 10  # the worker writes its log line as the request ends
        while time.monotonic() < end:
            if self.log.exists() and any(needle in line for line in self.log.read_text().splitlines()):
                return True
            time.sleep(0.05)
        return False


@pytest.fixture
def proxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Proxy]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    port, log = _free_port(), tmp_path / "proxy.log"
    command = [sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", str(port)]
    command += ["--num-workers", "1", "--num-acceptors", "1", "--log-file", str(log)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 30
        while not _accepting(port):
            assert process.poll() is None, "proxy.py did not start"
            assert time.monotonic() < end, "proxy.py did not listen"
            time.sleep(0.05)
        yield Proxy(port, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_a_manual_proxy_carries_the_api_and_the_files(sim: Sim, proxy: Proxy, tmp_path: Path) -> None:
    await status_record_and_download(sim, Settings(server=sim.url, proxy="manual", proxy_url=proxy.url), tmp_path)
    assert proxy.carried("/api/getmeetinginfo")
    assert proxy.carried(sim.file_url.removeprefix("http://"))


async def test_the_system_proxy_carries_the_api_and_the_files(
    sim: Sim, proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    await status_record_and_download(sim, Settings(server=sim.url, proxy="system"), tmp_path)
    assert proxy.carried("/api/getmeetinginfo")
    assert proxy.carried(sim.file_url.removeprefix("http://"))


async def test_no_proxy_ignores_the_environments(sim: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_free_port()}")  # nobody listens there
    await status_record_and_download(sim, Settings(server=sim.url, proxy="none"), tmp_path)
