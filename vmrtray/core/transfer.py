"""What every way of fetching a file shares: the session, the limits, the checks, the part.

The one-stream download (`core.downloads`) and the segmented one (`core.segments`) are two
strategies over these parts; both import this module and neither imports the other's
internals, so the shared rules (how often to retry, what a CRC mismatch does, how a full
disk is said, how a `.part` is opened and moved into place) are written once.

The part on disk (issue 13): it is created exclusively (O_EXCL) and never through a link
(O_NOFOLLOW); it is opened once and written, read back and checked through that one
descriptor, so bytes can never land in a file that someone else created after renaming the
part away; and it is moved into place without clobbering whatever may be at the target.
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import ssl
import stat
import sys
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
from fastcrc import crc64

from vmrtray.api import Lang, RecordFile
from vmrtray.api.client import is_loopback

from .atomic import write_atomic
from .lang import pick
from .targets import DownloadError, OnProgress, Refresh, segments_sidecar, stream_sidecar
from .units import size_text

if TYPE_CHECKING:
    from aiohttp.typedefs import LooseHeaders
    from yarl import URL

log = logging.getLogger(__name__)

CHUNK = 1 << 20
MAX_ATTEMPTS = 6
#: Fresh links asked for in a row (no byte arriving between them) before a download gives up:
#: a link refused again right after it was signed is not an expiry.
MAX_RENEWALS = 2
#: How often an object may be found replaced during one download before it is given up.
MAX_CHANGES = 3
CRC_HEADER = "x-cos-hash-crc64ecma"
#: The largest file a download takes (1 TiB). A day-long 1080p meeting recorded at 8 Mbit/s
#: is ~86 GB: a `fileSize` far beyond this is a wrong answer, not a recording, and is refused
#: before anything is made (it once left a 9 TiB sparse part, or ended in EFBIG).
MAX_FILE_SIZE = 1 << 40

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
#: link() failing with these means the file system has no hard links (exFAT, FAT, some shares).
#: EINVAL: on Windows CPython maps CreateHardLinkW's ERROR_INVALID_FUNCTION (1) and
#: ERROR_NOT_SUPPORTED (50), what a FAT32/exFAT volume or a share answers, to EINVAL.
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS, errno.EINVAL}
_NO_HARD_LINKS_WINERROR = {1, 50}  # ERROR_INVALID_FUNCTION, ERROR_NOT_SUPPORTED
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")

#: What a broken transfer raises: retried from where it stopped.
TRANSFER_ERRORS = (aiohttp.ClientError, TimeoutError)


class Worded(DownloadError):
    """A DownloadError said in the user's language (English and Chinese given)."""

    def __init__(self, en: str, zh: str, *, disk_full: bool = False, passing: bool = False) -> None:
        super().__init__(en, disk_full=disk_full, passing=passing)
        self.zh = zh

    def describe(self, lang: Lang = "en") -> str:
        return pick(lang, str(self), self.zh)


class Fetched(StrEnum):
    """How one request for (the rest of) a file ended."""

    EXPIRED = "expired"  # the signed link was refused (HTTP 403): sign a new one
    DONE = "done"  # every byte is in
    MORE = "more"  # the answer ended early: ask for the rest
    NOTHING = "nothing"  # the answer moved no bytes: a failed attempt (backoff, limit)
    RESTART = "restart"  # the part was emptied (another object, an unconfirmed size): from zero


#: The first retry waits 2 x this, each next one twice as long (8 s at most).
BACKOFF = 0.25


async def failed_attempt(attempts: int, exc: BaseException | None) -> int:
    """One more failed attempt — a broken transfer (`exc`), or an answer that moved no bytes
    (a store answering empty 206s forever once made this a tight loop): the wait before the
    next, or the sentence once MAX_ATTEMPTS is reached. Returns the attempts made."""
    attempts += 1
    if attempts >= MAX_ATTEMPTS:
        raise (kept_failing(exc) if exc is not None else sent_nothing()) from exc
    await asyncio.sleep(min(8.0, BACKOFF * 2**attempts))
    return attempts


class DirectToLoopback(aiohttp.ClientRequest):
    """A request to this computer (127.0.0.0/8, ::1, localhost) never goes through a proxy, the
    manual one or the environment's (aiohttp sends 127.0.0.1 through HTTP_PROXY by itself):
    decided for each request, redirects included, where aiohttp gives the request its proxy."""

    def update_proxy(
        self, proxy: URL | None, proxy_auth: aiohttp.BasicAuth | None, proxy_headers: LooseHeaders | None
    ) -> None:
        if self.url.host is not None and is_loopback(self.url.host):
            proxy, proxy_auth, proxy_headers = None, None, None
        super().update_proxy(proxy, proxy_auth, proxy_headers)


def new_file_session(
    timeout: float = 30.0, *, proxy: str | None = None, trust_env: bool = True, tls: ssl.SSLContext | None = None
) -> aiohttp.ClientSession:
    """A session for the object store: never an `auth` header, redirects followed (nothing secret).
    A file on this computer is fetched directly, never through the proxy (`DirectToLoopback`).

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
        request_class=DirectToLoopback,
        auto_decompress=False,  # the bytes as stored: their length and CRC are what is checked
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=10.0, sock_read=timeout),
    )


def expected_crc(response: aiohttp.ClientResponse) -> int | None:
    """The whole object's CRC-64 the store announced, if it did (COS: a decimal number)."""
    value = response.headers.get(CRC_HEADER, "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def check_crc(expected: int | None, got: int, part: Path) -> None:
    """A mismatch means the bytes are wrong: the part is removed, not resumed."""
    if expected is not None and expected != got:
        for path in (part, stream_sidecar(part), segments_sidecar(part)):
            path.unlink(missing_ok=True)
        raise Worded(
            f"the file does not match the checksum the file server gave (CRC-64 {got} ≠ {expected});"
            " it was not kept: download it again",
            f"文件与文件服务器给出的校验值不符（CRC-64 {got} ≠ {expected}），未保留：请重新下载",
        )


# -- what the file server did, in one sentence each ---------------------------------------------


def kept_failing(exc: BaseException) -> DownloadError:
    name = type(exc).__name__
    return Worded(
        f"the file server kept failing ({name}); the part is kept",
        f"文件服务器一再出错（{name}）；已下载部分保留",
        passing=True,
    )


def link_refused() -> DownloadError:
    return Worded(
        f"the file server refused the download link even after it was signed afresh {MAX_RENEWALS} times"
        " (HTTP 403); the part is kept: try again later",
        f"文件服务器连续拒绝下载链接（HTTP 403），重新签发 {MAX_RENEWALS} 次后仍被拒绝；已下载部分保留，请稍后再试",
    )


def answered(status: int) -> DownloadError:
    """An answer the download cannot use; a server error or "too many requests" may pass."""
    passing = status >= 500 or status == 429
    return Worded(f"the file server answered HTTP {status}", f"文件服务器返回 HTTP {status}", passing=passing)


def sent_more(size: int) -> DownloadError:
    return Worded(
        f"the file server sent more than the {size} bytes announced", f"文件服务器发来的数据多于公布的 {size} 字节"
    )


def short(have: int, size: int) -> DownloadError:
    return Worded(
        f"the file has {have} bytes where the service announced {size}",
        f"文件有 {have} 字节，而服务端公布的是 {size} 字节",
    )


def sent_nothing() -> DownloadError:
    return Worded(
        "the file server kept answering without sending any of the file; the part is kept",
        "文件服务器一再应答却不发送任何文件数据；已下载部分保留",
        passing=True,
    )


def keeps_changing() -> DownloadError:
    return Worded(
        "the file keeps changing on the file server; try again later", "文件服务器上的文件一直在变化；请稍后再试"
    )


class UnknownTotal(Worded):
    """A 206 said `bytes a-b/*`: the object's size is not confirmed (RFC 9110 allows it)."""


def check_total(response: aiohttp.ClientResponse, start: int, size: int) -> None:
    """A 206 must be the range asked for, of an object of exactly `size` bytes.

    Its total ("bytes a-b/TOTAL") is the object's size in the store: a larger one means the
    service's `fileSize` is not the object's, and keeping `size` bytes of it is a truncated
    file (issue 13). An unknown total (`*`) confirms nothing: `UnknownTotal`, which the
    caller answers by fetching the whole object (whose length is checked) or by refusing.
    """
    match = _CONTENT_RANGE.match(response.headers.get("content-range", "").strip())
    if match is None or int(match[1]) != start:
        raise Worded("the file server sent a range that was not asked for", "文件服务器发来的数据范围不是所请求的")
    if match[3] == "*":
        raise UnknownTotal(
            "the file server does not say how large the file is (Content-Range total '*'); it was not kept",
            "文件服务器未说明文件大小（Content-Range 总长为 '*'）；未保留",
        )
    check_size(int(match[3]), size)


def check_size(total: int, size: int) -> None:
    """The object in the store has `total` bytes: refused unless it is the `size` announced."""
    if total != size:
        raise Worded(
            f"the file on the file server has {total} bytes where the service announced {size}; it was not kept",
            f"文件服务器上的文件有 {total} 字节，而服务端公布的是 {size} 字节；未保留",
        )


def check_room(size: int, part: Path) -> None:
    """Refuse, before anything is made, a size beyond the cap or the free space at `part`'s folder."""
    if size > MAX_FILE_SIZE:
        raise Worded(
            f"the service announced {size} bytes for this file, more than the {size_text(MAX_FILE_SIZE)}"
            " a download may take; nothing was written",
            f"服务端公布此文件为 {size} 字节，超过单个下载上限 {size_text(MAX_FILE_SIZE)}；未写入任何内容",
        )
    try:
        free = shutil.disk_usage(part.parent).free
        have = _allocated(part)
    except OSError as exc:
        raise disk_error(exc, part) from exc
    needed = size - min(size, have)
    if needed > free:
        raise Worded(
            f"the file needs {size_text(needed)} more and only {size_text(free)} is free at {part.parent};"
            " free space and download it again",
            f"此文件还需要 {size_text(needed)}，而 {part.parent} 只剩 {size_text(free)}；请腾出空间后重新下载",
            disk_full=True,
        )


def _allocated(part: Path) -> int:
    """Bytes a `.part` already holds on disk (a segmented one is sparse: its blocks, not its length)."""
    try:
        info = os.lstat(part)
    except FileNotFoundError:
        return 0
    if not stat.S_ISREG(info.st_mode):
        return 0
    blocks = getattr(info, "st_blocks", None)
    return min(info.st_size, blocks * 512) if blocks is not None else info.st_size


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
        self.arrived = 0  # bytes received in this download (a restart from zero does not take them back)
        self._renewals = 0  # fresh links asked for since the last byte arrived
        self._renewed_at = 0  # `arrived` when the last one was asked for

    async def renew(self) -> None:
        """A fresh link (`getRecords` signs it) after the store refused the one held (HTTP 403:
        it expired — the real service's last 7 days). Bytes arriving between two renewals make
        the next one the first again, so a long download may outlive several links; more than
        MAX_RENEWALS in a row fail the download with one sentence."""
        if self.arrived > self._renewed_at:
            self._renewals = 0
        self._renewals += 1
        if self._renewals > MAX_RENEWALS:
            raise link_refused()
        self._renewed_at = self.arrived
        log.info("the link to %s was refused (expired): asking for a fresh one", self.part.name)
        self.url = await self.refresh()


def write_due(last_put: float) -> bool:
    """A slow link still shows progress: what arrived goes to disk at least every 0.2 s."""
    return time.monotonic() - last_put >= 0.2


def disk_error(exc: OSError, part: Path) -> DownloadError:
    """What the file system refused, in one sentence (never an internal error)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return Worded(
            f"the disk is full at {part.parent}; free space and resume (the part is kept)",
            f"{part.parent} 所在磁盘已满；腾出空间后可继续下载（已下载部分保留）",
            disk_full=True,
        )
    if exc.errno == errno.EFBIG:
        return Worded(
            f"the file system at {part.parent} cannot hold a file this large; choose another download folder",
            f"{part.parent} 所在的文件系统放不下这么大的文件；请换一个下载文件夹",
        )
    if isinstance(exc, FileNotFoundError) and not part.parent.is_dir():
        return Worded(f"the folder {part.parent} does not exist", f"文件夹 {part.parent} 不存在")
    return Worded(f"cannot write {part}: {exc.strerror}", f"无法写入 {part}：{exc.strerror}")


# -- what identifies the object a part holds ---------------------------------------------------


@dataclass(frozen=True)
class Validator:
    """The object's ETag, Last-Modified and CRC-64 as an answer gave them.

    A resume sends `If-Range` with the ETag (or Last-Modified), so a store that has replaced
    the object answers with all of it (200); and each answer's own validators are compared
    with the stored ones, for a store that ignores If-Range.
    """

    etag: str | None = None
    last_modified: str | None = None
    crc: int | None = None

    @classmethod
    def of(cls, response: aiohttp.ClientResponse) -> Validator:
        return cls(
            response.headers.get("etag") or None, response.headers.get("last-modified") or None, expected_crc(response)
        )

    @classmethod
    def from_json(cls, data: Any) -> Validator:
        if not isinstance(data, dict):
            return cls()
        crc = data.get("crc")
        return cls(_text(data.get("etag")), _text(data.get("lastModified")), crc if isinstance(crc, int) else None)

    def to_json(self) -> dict[str, Any]:
        return {"etag": self.etag, "lastModified": self.last_modified, "crc": self.crc}

    @property
    def known(self) -> bool:
        return any(v is not None for v in (self.etag, self.last_modified, self.crc))

    def if_range(self) -> str | None:
        """The If-Range value: a strong ETag, else the date (a weak ETag may not be used there)."""
        if self.etag and not self.etag.startswith("W/"):
            return self.etag
        return self.last_modified

    def confirms(self, answer: Validator) -> bool:
        """`answer` is of the object these validators describe: they are known and all equal.

        No validator at all confirms nothing (issue 13): a sidecar of nulls met by a 206 with
        none (a store that puts them on 200s only, or nowhere) once compared equal, and kept
        a planted part of zeros, or spliced two versions of a replaced object, as verified.
        """
        return self.known and not self.changed(answer)

    def changed(self, answer: Validator) -> bool:
        """`answer` may be of another object than this: any validator differs, strictly.

        One side having a validator the other lacks counts as changed (issue 13): a sidecar
        with nulls where the store now sends an ETag does not describe this object, and a 206
        without the ETag the first answer had (a store ignoring If-Range) cannot be told
        apart from a replaced object. A wrongly "changed" costs a fetch from zero; a wrongly
        "same" keeps a file spliced from two objects.
        """
        return self != answer


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def save_stream_meta(part: Path, size: int, validator: Validator) -> None:
    write_atomic(stream_sidecar(part), json.dumps({"size": size, **validator.to_json()}).encode())


def load_stream_meta(part: Path, size: int) -> Validator | None:
    """The stored validators of `part`; None when there are none, or they are of another size."""
    try:
        data = json.loads(stream_sidecar(part).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("size") != size:
        return None
    return Validator.from_json(data)


# -- the part on disk ----------------------------------------------------------------------------


def create_part(part: Path) -> int:
    """A new, empty `.part`, made here and now (O_EXCL): never through a link, never one that
    appeared meanwhile. Read-write: the same descriptor is read back at the end."""
    return os.open(part, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o644)


def open_part(part: Path) -> int | None:
    """The `.part` there is, opened read-write without following a link; None when there is none.

    A link planted in its place is removed (not followed: the link's target is untouched) and
    the download starts clean; anything else that is not a file is refused in one sentence.
    """
    try:
        info = os.lstat(part)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        log.warning("%s is a link, not a download: removed, the download starts clean", part)
        part.unlink()
        return None
    if not stat.S_ISREG(info.st_mode):
        raise _not_a_file(part)
    try:
        fd = os.open(part, os.O_RDWR | _NOFOLLOW | _BINARY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # became a link since the lstat
            raise _not_a_file(part) from exc
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _not_a_file(part)
    return fd


def _not_a_file(part: Path) -> DownloadError:
    return Worded(
        f"{part.name} in {part.parent} is not a file this app made; move it away and download again",
        f"{part.parent} 中的 {part.name} 不是本程序创建的文件；请移走后重新下载",
    )


def has_holes(fd: int, length: int) -> bool:
    """The first `length` bytes of the file have a hole (bytes never written: a sparse part).

    Only trusted to say "no holes" (a file system without SEEK_HOLE says none); used to refuse
    resuming such a part, never to fail a finished download.
    """
    if length == 0 or not hasattr(os, "SEEK_HOLE"):
        return False
    try:
        return os.lseek(fd, 0, os.SEEK_HOLE) < length
    except OSError:
        return False


def read_back(fd: int, length: int, digest: Any, crc: int) -> int:
    """Hash the first `length` bytes of the file as they are on disk; the CRC-64 carried on."""
    position = 0
    while position < length:
        block = os.pread(fd, min(4 * CHUNK, length - position), position)
        if not block:
            raise Worded("the part shrank while it was read back", "读取已下载部分时它变短了")
        digest.update(block)
        crc = crc64.xz(block, crc)
        position += len(block)
    return crc


def synced_and_hashed(fd: int, length: int) -> tuple[str, int]:
    """fsync the part and read it back (sha256, CRC-64 of the bytes on disk), at the same time.

    The read-back hashes from the page cache while fsync writes the last dirty pages out, in
    another thread: a finished 1 GiB download then costs about the longer of the two, not
    their sum (bench/download.py, one stream against curl + fsync: 0.69x one after the
    other, 1.11x side by side, where hashing as it was written measured 0.97x).
    """
    failed: list[OSError] = []

    def sync() -> None:
        try:
            os.fsync(fd)
        except OSError as exc:
            failed.append(exc)

    syncing = threading.Thread(target=sync, name="vmrtray-fsync", daemon=True)
    syncing.start()
    digest = hashlib.sha256()
    try:
        crc = read_back(fd, length, digest, 0)
    finally:
        syncing.join()
    if failed:
        raise failed[0]
    return digest.hexdigest(), crc


def check_still_there(fd: int, part: Path, size: int) -> None:
    """The descriptor written is still the file called `part`, and it has `size` bytes."""
    held = os.fstat(fd)
    try:
        named = os.lstat(part)
    except FileNotFoundError:
        named = None
    if named is None or not os.path.samestat(held, named):
        raise Worded(
            f"{part.name} was moved or replaced by something else during the download; download it again",
            f"下载期间 {part.name} 被移动或替换；请重新下载",
        )
    if held.st_size != size:
        raise short(held.st_size, size)


def move_into_place(part: Path, target: Path) -> None:
    """Rename the finished part to `target`, never over a file that is there.

    A hard link fails if `target` exists (even a dangling link). Where the file system has no
    hard links: on Linux renameat2(RENAME_NOREPLACE), which fails if `target` exists, in one
    step; on Windows os.rename, which refuses to replace a file (FileExistsError); elsewhere
    (or a file system without it) a rename after checking that nothing is there — a file made
    in that instant would be replaced, a window no portable call closes.
    """
    try:
        os.link(part, target, follow_symlinks=False)
    except FileExistsError:
        raise _taken(part, target) from None
    except OSError as exc:
        if not _no_hard_links(exc):
            raise
        _rename_no_replace(part, target)
        return
    part.unlink()


def _no_hard_links(exc: OSError) -> bool:
    return exc.errno in _NO_HARD_LINKS or getattr(exc, "winerror", None) in _NO_HARD_LINKS_WINERROR


_RENAME_NOREPLACE = 1
_AT_FDCWD = -100


def _renameat2() -> Any:
    """glibc's renameat2 (2.28+), or None (another libc, another system)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    call.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    call.restype = ctypes.c_int
    return call


_renameat2_call = _renameat2()


#: os.rename refuses to replace an existing file here (Windows) — a name, so a test on another
#: system can take the Windows path.
WINDOWS = os.name == "nt"


def _rename_no_replace(part: Path, target: Path) -> None:
    if _renameat2_call is not None:
        if _renameat2_call(_AT_FDCWD, os.fsencode(part), _AT_FDCWD, os.fsencode(target), _RENAME_NOREPLACE) == 0:
            return
        code = ctypes.get_errno()
        if code == errno.EEXIST:
            raise _taken(part, target)
        if code not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise OSError(code, os.strerror(code), str(part))
        # the file system (or kernel) has no RENAME_NOREPLACE: the portable way below
    if WINDOWS:  # Windows' rename refuses to replace a file there: the check and the move in one
        try:
            os.rename(part, target)
        except FileExistsError:
            raise _taken(part, target) from None
        return
    if os.path.lexists(target):
        raise _taken(part, target)
    os.replace(part, target)


def check_free(target: Path) -> None:
    """Nothing is at `target` (the caller chose a free name): checked first, so no download is wasted."""
    if os.path.lexists(target):
        raise Worded(
            f"{target.name} is already in {target.parent}; it was left alone and nothing was downloaded",
            f"{target.parent} 中已有 {target.name}；未改动它，也未下载",
        )


def _taken(part: Path, target: Path) -> DownloadError:
    return Worded(
        f"{target.name} appeared in {target.parent} during the download and was left alone;"
        f" the downloaded file is kept as {part.name}",
        f"下载期间 {target.parent} 中出现了 {target.name}，未覆盖它；下载的文件保留为 {part.name}",
    )
