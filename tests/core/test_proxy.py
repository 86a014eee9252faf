"""Proxies, with a real proxy process (proxy.py): the manual proxy and the system's
(HTTP_PROXY) carry both the API calls and the file downloads to another computer; "no proxy"
ignores the environment's; and a server on this computer is never reached through any proxy
(issue 15, point 5: with HTTP_PROXY set, the key for a plain-http server on loopback reached
the proxy in clear). "Another computer" is this machine's own non-loopback address."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

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


def _own_address() -> str | None:
    """This machine's address on its network (no packet is sent), or None without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only the route is looked up
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if ipaddress.ip_address(address).is_loopback else address


@pytest_asyncio.fixture
async def lan_sim() -> AsyncIterator[Sim]:
    """The simulator on this machine's non-loopback address: a server a proxy may carry."""
    address = _own_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    async with Sim(host=address) as running:
        yield running


async def test_a_manual_proxy_carries_the_api_and_the_files(lan_sim: Sim, proxy: Proxy, tmp_path: Path) -> None:
    settings = Settings(server=lan_sim.url, allow_http=True, proxy="manual", proxy_url=proxy.url)
    await status_record_and_download(lan_sim, settings, tmp_path)
    assert proxy.carried("/api/getmeetinginfo")
    assert proxy.carried(lan_sim.file_url.removeprefix("http://"))


async def test_the_system_proxy_carries_the_api_and_the_files(
    lan_sim: Sim, proxy: Proxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    await status_record_and_download(lan_sim, Settings(server=lan_sim.url, allow_http=True, proxy="system"), tmp_path)
    assert proxy.carried("/api/getmeetinginfo")
    assert proxy.carried(lan_sim.file_url.removeprefix("http://"))


class RecordingProxy:
    """A proxy that carries nothing: it writes down the head of every request it is sent
    (request line and headers, e.g. `auth`) and answers 502."""

    def __init__(self) -> None:
        self.seen: list[bytes] = []
        self.url = ""
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> RecordingProxy:
        self._server = await asyncio.start_server(self._answer, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            self.seen.append(await reader.readuntil(b"\r\n\r\n"))
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            self.seen.append(b"(a connection that sent no whole request head)")
        finally:
            writer.close()


@pytest_asyncio.fixture
async def recording_proxy(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RecordingProxy]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    async with RecordingProxy() as running:
        yield running


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
async def test_the_system_proxy_never_carries_a_request_to_this_computer(
    sim: Sim, recording_proxy: RecordingProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """The default setting (`proxy = "system"`), a proxy in the environment, and the simulator
    on 127.0.0.1 over plain http: the status, the recording and the download all work, and the
    proxy — and so whoever runs it — never sees a request, nor the key."""
    monkeypatch.setenv(variable, recording_proxy.url)
    await status_record_and_download(sim, Settings(server=sim.url), tmp_path)
    assert recording_proxy.seen == []


async def test_a_manual_proxy_never_carries_a_request_to_this_computer(
    sim: Sim, recording_proxy: RecordingProxy, tmp_path: Path
) -> None:
    settings = Settings(server=sim.url, proxy="manual", proxy_url=recording_proxy.url)
    await status_record_and_download(sim, settings, tmp_path)
    assert recording_proxy.seen == []


async def test_any_loopback_address_is_direct(
    recording_proxy: RecordingProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """127.0.0.0/8 is this computer, not only 127.0.0.1."""
    monkeypatch.setenv("HTTP_PROXY", recording_proxy.url)
    async with Sim(host="127.0.0.2") as other:
        await status_record_and_download(other, Settings(server=other.url), tmp_path)
        settings = Settings(server=other.url, proxy="manual", proxy_url=recording_proxy.url)
        await status_record_and_download(other, settings, tmp_path / "manual")
    assert recording_proxy.seen == []


async def test_no_proxy_ignores_the_environments(sim: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_free_port()}")  # nobody listens there
    await status_record_and_download(sim, Settings(server=sim.url, proxy="none"), tmp_path)


class SocksProxy:
    """A SOCKS 5 proxy (no authentication, CONNECT only) that writes down each target it carries."""

    def __init__(self) -> None:
        self.carried: list[str] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> SocksProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            _version, methods = await reader.readexactly(2)
            await reader.readexactly(methods)
            writer.write(b"\x05\x00")
            _version, _command, _reserved, kind = await reader.readexactly(4)
            if kind == 1:
                host = socket.inet_ntoa(await reader.readexactly(4))
            elif kind == 3:
                host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            else:
                host = socket.inet_ntop(socket.AF_INET6, await reader.readexactly(16))
            port = int.from_bytes(await reader.readexactly(2), "big")
            self.carried.append(f"{host}:{port}")
            upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
            writer.write(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(1 << 16):
                    sink.write(data)
                    await sink.drain()
            except ConnectionError:
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


@pytest.mark.parametrize("how", ["ALL_PROXY", "all_proxy-gnome", "manual"])
async def test_a_socks_proxy_carries_the_api_and_the_files(
    lan_sim: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The API through httpx with socksio, the files through aiohttp-socks; GNOME exports its
    SOCKS host as all_proxy=socks://host:port, read as SOCKS 5 (before: an ImportError, or
    "Unknown scheme for proxy URL", at the tray's start)."""
    for name in (*PROXY_VARIABLES, "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with SocksProxy() as socks:
        if how == "manual":
            settings = Settings(
                server=lan_sim.url, allow_http=True, proxy="manual", proxy_url=f"socks5://127.0.0.1:{socks.port}"
            )
        else:
            variable, scheme = ("ALL_PROXY", "socks5") if how == "ALL_PROXY" else ("all_proxy", "socks")
            monkeypatch.setenv(variable, f"{scheme}://127.0.0.1:{socks.port}")
            settings = Settings(server=lan_sim.url, allow_http=True)
        await status_record_and_download(lan_sim, settings, tmp_path)
    server = lan_sim.url.removeprefix("http://")
    assert server in socks.carried  # the API
    assert lan_sim.file_url.removeprefix("http://").split("/")[0] in socks.carried  # the files


@pytest.mark.parametrize("proxy", ["system", "none", "manual"])
def test_a_name_under_localhost_is_not_taken_for_this_computer(proxy: str) -> None:
    """`evil.localhost` may resolve anywhere (this machine's resolver asks DNS for it): it goes
    as any other host, through the proxy the settings name, never straight past it."""
    from vmrtray.core.session import proxy_options

    settings = Settings(server="https://evil.localhost", proxy=proxy, proxy_url="http://proxy.example:8080")
    direct = set(proxy_options(settings)["mounts"])
    assert not any("localhost" in pattern and pattern != "all://localhost" for pattern in direct)


@pytest.mark.parametrize(
    "raw", ["http://alice:S3cret/@h:1", "http://alice:S3#cret@h:1", "alice:S3cret@h:99999", "http://al:S3?cret@h:1"]
)
def test_a_proxy_that_cannot_be_used_is_said_without_its_password(raw: str) -> None:
    """A '/', '#' or '?' in the password made the URL parser cut the address inside it: the
    sentence (the tray's tooltip and an urgent alert) said 'alice:S3cret/' (second review)."""
    from vmrtray.core.reach import Unreachable, proxy_url

    with pytest.raises(Unreachable) as caught:
        proxy_url(raw, "HTTPS_PROXY")
    for lang in ("en", "zh"):
        words = caught.value.describe(lang)  # type: ignore[arg-type]
        assert "HTTPS_PROXY" in words
        assert "S3" not in words
        assert "cret" not in words
