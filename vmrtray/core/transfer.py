"""What every way of fetching a file shares: the session, the limits, the checks.

The one-stream download (`core.downloads`) and the segmented one (`core.segments`) are two
strategies over these parts; both import this module and neither imports the other's
internals, so the shared rules (how often to retry, what a CRC mismatch does, how a full
disk is said) are written once.
"""

from __future__ import annotations

import errno
import hashlib
import ssl
import time
from enum import StrEnum
from pathlib import Path

import aiohttp

from vmrtray.api import RecordFile

from .targets import DownloadError, OnProgress, Refresh

CHUNK = 1 << 20
MAX_ATTEMPTS = 6
MAX_REFRESHES = 3
CRC_HEADER = "x-cos-hash-crc64ecma"
CRC_HEADER = "x-cos-hash-crc64ecma"

#: What a broken transfer raises: retried from where it stopped.
TRANSFER_ERRORS = (aiohttp.ClientError, TimeoutError)


class Fetched(StrEnum):
    """How one request for (the rest of) a file ended."""

    EXPIRED = "expired"  # the signed link was refused (HTTP 403): sign a new one
    DONE = "done"  # every byte is in
    MORE = "more"  # the answer ended early: ask for the rest


def new_file_session(
    timeout: float = 30.0, *, proxy: str | None = None, trust_env: bool = True, tls: ssl.SSLContext | None = None
) -> aiohttp.ClientSession:
    """A session for the object store: never an `auth` header, redirects followed (nothing secret).

    aiohttp, not httpx, carries the files: measured on loopback it reads 2-2.9 GB/s where
    httpx reads 0.4-0.75 (anyio registers and unregisters the socket for every 64 KiB read,
    which under qasync also costs a QSocketNotifier each time). The API stays on httpx.
    """
    connector: aiohttp.BaseConnector | None = aiohttp.TCPConnector(ssl=tls) if tls is not None else None
    if proxy and proxy.startswith("socks"):
        from aiohttp_socks import ProxyConnector

        connector, proxy = ProxyConnector.from_url(proxy, ssl=tls), None
    return aiohttp.ClientSession(
        connector=connector,
        proxy=proxy,
        trust_env=trust_env,
        auto_decompress=False,  # the bytes as stored: their length and CRC are what is checked
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=10.0, sock_read=timeout),
    )


def expected_crc(response: aiohttp.ClientResponse) -> int | None:
    """The whole object's CRC-64 the store announced, if it did (COS: a decimal number)."""
    value = response.headers.get(CRC_HEADER, "").strip()
    return int(value) if value.isdigit() else None


def check_crc(expected: int | None, got: int, part: Path) -> None:
    """A mismatch means the bytes are wrong: the part is removed, not resumed."""
    if expected is not None and expected != got:
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"the file does not match the checksum the file server gave (CRC-64 {got} ≠ {expected});"
            " it was not kept: download it again"
        )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class Fetch:
    """What every way of fetching a file starts from."""

    def __init__(
        self,
        file: RecordFile,
        part: Path,
        http: aiohttp.ClientSession,
        refresh: Refresh,
        on_progress: OnProgress | None,
    ) -> None:
        self.file, self.part, self.http, self.refresh = file, part, http, refresh
        self.on_progress = on_progress or (lambda done, total: None)
        self.url = file.down_url
        self.size = file.file_size
        self.expected_crc: int | None = None


def write_due(last_put: float) -> bool:
    """A slow link still shows progress: what arrived goes to disk at least every 0.2 s."""
    return time.monotonic() - last_put >= 0.2


def disk_error(exc: OSError, part: Path) -> DownloadError:
    if exc.errno == errno.ENOSPC:
        return DownloadError(
            f"the disk is full at {part.parent}; free space and resume (the part is kept)", disk_full=True
        )
    return DownloadError(f"cannot write {part}: {exc.strerror}")
