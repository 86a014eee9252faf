"""Bookings asked for and not yet settled, kept on disk and shared by every process of the
user: a crash between sending a booking and hearing the answer is settled later, and a
retry of the same request takes the journalled entry over, so no booking is lost or made
twice.

A Submission (core.bookings) claims its request here before the first send. What is left
unsettled is settled by `bookings.settle_pending`: looked for among the account's
bookings first, and sent only if it is not there, still ahead, and no earlier send of it
can still be carried out by the service. This module is only the journal.

Across processes (`vmrctl book`, `vmrctl bookings`, the tray, all at once):

- Every read-modify-write of the journal holds `pending-bookings.lock` (filelock: flock(2)
  on Unix, released by the OS when a holder dies). Nobody waits for another lock while
  holding this one, so the two kinds of lock cannot deadlock.
- Each entry names its owner ("owner": pid and host, for the humans reading the file) and
  the owner holds the entry's own lock (`pending-bookings.d/<token>.lock`) for as long as
  it works on the entry. Whether the owner is alive is asked of that lock, never of the
  pid (pids are reused): a non-blocking acquire that succeeds means the owner is gone
  (crashed, killed) and the one who acquired it is the new owner; one that fails means the
  owner is alive and still waiting for its answer, and its entry is left alone.
- An answered booking stays journalled as "settled" (with its id) until its start has
  passed: a retry of the same request made after that looks for it first, instead of
  booking it again.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from vmrtray.api import BookingRequest

from .atomic import write_atomic
from .errors import CoreError, JournalUnusable
from .paths import private_dir

log = logging.getLogger(__name__)

FILE = "pending-bookings.json"
LOCK = "pending-bookings.lock"
OWNERS = "pending-bookings.d"  # one lock file per entry, held by its owner

Entry = dict[str, Any]

#: An entry's token, as `uuid.uuid4().hex` makes it: the only journal value a path is ever
#: built from (its owner lock, its set-aside file).
TOKEN = re.compile(r"[0-9a-f]{32}")
#: Bounds of what a journal entry may hold (generous: the code writes far less).
MOST_TEXT = 4096  # characters in a request's text field, or a server's address
MOST_IDS = 10_000  # booking ids in "before", participants in a request
ID_TEXT = 64  # characters in a booking id
MOST_SECONDS = 86_400.0  # an answer's deadline ("timeout")
MOST_PID = 10**20  # a room id (core.bookings.ID_DIGITS digits)


class EntryState(StrEnum):
    """An entry's "state" on disk."""

    SENDING = "sending"  # asked for; the outcome not known yet
    SETTLED = "settled"  # booked (its id in "booking"); kept until its start has passed


class ClaimKind(Enum):
    """What a Submission found in the journal for its request."""

    NEW = "new"  # nothing journalled: a new entry, ours
    ADOPTED = "adopted"  # an earlier try whose owner is gone, still unsettled: now ours
    SETTLED = "settled"  # an earlier try that was booked: ours now, look for it first
    BUSY = "busy"  # an earlier try whose owner is alive and waiting: wait for it


@dataclass
class Claim:
    """One entry of the journal as its (would-be) owner sees it."""

    kind: ClaimKind
    token: str
    began: datetime
    sent: datetime | None = None  # when its last create was sent (by whoever owned it)
    timeout: float | None = None  # that sender's deadline for an answer, in seconds
    booking_id: str | None = None  # SETTLED: the booking it became
    lock: FileLock | None = None  # the entry's owner lock, held by us (None when BUSY)
    #: The ids of the bookings equal to the request that existed before its first create: any
    #: other equal booking is this one's (None: an entry journalled before this was kept).
    before: frozenset[str] | None = None

    def release(self) -> None:
        """Let go of the entry (it stays journalled: whoever comes next may take it over)."""
        if self.lock is not None:
            self.lock.release()
            self.lock = None


def _ids(value: object) -> frozenset[str] | None:
    return frozenset(str(v) for v in value) if isinstance(value, list) else None


def _owner() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname()}


def _now() -> datetime:
    return datetime.now(UTC)


def _time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class PendingBookings:
    """The journal of one server and account, in `folder`. Every method blocks (file locks,
    fsync): call them through `asyncio.to_thread`."""

    def __init__(self, folder: Path, server: str, account: str) -> None:
        self.path = folder / FILE
        self.server, self.account = server, account
        self._lock_path = folder / LOCK
        self._owners = folder / OWNERS
        self._aside: list[Path] = []  # set aside while reading, not yet told (`taken_aside`)
        self._aside_lock = threading.Lock()

    # -- what an owner does ---------------------------------------------------------------

    def claim(self, request: BookingRequest, began: datetime, timeout: float, held: Claim | None = None) -> Claim:
        """The entry for `request`: an equal one journalled earlier (taken over if its owner
        is gone), else a new one. `held`: an entry lock we already hold (we waited for its
        owner); it is used if its entry is still there, else released."""
        with self._locked():
            entries = self._read()
            for entry in entries:
                if self._mine(entry) and _asks_for(entry, request):
                    try:
                        claim = self._take(entry, held)
                    except CoreError:
                        raise
                    except Exception as exc:  # this entry's: it goes, a new one is made
                        self._put_aside(entry, f"{type(exc).__name__}: {exc}")
                        entries = [e for e in entries if e is not entry]
                        break
                    if claim.kind is not ClaimKind.BUSY:
                        entry["owner"], entry["state"] = _owner(), EntryState.SENDING.value
                        self._write(entries)
                    return claim
            if held is not None:
                held.release()  # its owner finished and removed it
            token = uuid.uuid4().hex
            lock = self._entry_lock(token)
            lock.acquire(blocking=False)  # a fresh token: nobody else can hold it
            entries.append(self._entry(token, request, began, timeout))
            self._write(entries)
            return Claim(ClaimKind.NEW, token, began, timeout=timeout, lock=lock)

    def wait_for_owner(self, claim: Claim, seconds: float) -> Claim | None:
        """Wait up to `seconds` for the owner of a BUSY entry to let it go; the entry's lock,
        held by us, or None if the owner still holds it."""
        lock = self._entry_lock(claim.token)
        try:
            lock.acquire(timeout=seconds)
        except Timeout:
            return None
        return Claim(ClaimKind.BUSY, claim.token, claim.began, lock=lock)

    def sending(self, token: str, timeout: float, before: frozenset[str] | None = None) -> None:
        """A create of this entry leaves now, to be answered within `timeout` seconds;
        `before`: the equal bookings there were before its first create."""
        change: Entry = {"sent": _now().isoformat(), "timeout": timeout, "state": EntryState.SENDING.value}
        if before is not None:
            change["before"] = sorted(before)
        self._update(token, change)

    def settled(self, token: str, booking_id: str) -> None:
        """Booked: kept (as settled) until its start has passed, for a retry to find it."""
        self._update(token, {"state": EntryState.SETTLED.value, "booking": booking_id})

    def done(self, token: str) -> None:
        """Nothing to settle any more (refused, given up, abandoned): gone from the journal."""
        self._change(lambda entries: [e for e in entries if e.get("token") != token])

    def add(self, request: BookingRequest, began: datetime) -> str:
        """An entry nobody holds, as a crash before its first send leaves it."""
        token = uuid.uuid4().hex
        self._change(lambda entries: [*entries, self._entry(token, request, began, None)])
        return token

    # -- what a settler does --------------------------------------------------------------

    def orphans(self, leave: BookingRequest | None = None) -> list[tuple[Entry, Claim]]:
        """The unsettled entries whose owner is gone, each now held by us; settled entries
        whose start has passed are pruned on the way. Entries of a live owner are left, and
        those equal to `leave`."""
        taken: list[tuple[Entry, Claim]] = []
        with self._locked():
            entries = self._read()
            kept: list[Entry] = []
            for entry in entries:
                try:
                    if self._expired(entry):
                        continue
                    kept.append(entry)
                    if not self._mine(entry) or entry.get("state", EntryState.SENDING) != EntryState.SENDING:
                        continue
                    if leave is not None and _asks_for(entry, leave):
                        continue
                    claim = self._take(entry, None)
                except CoreError:
                    raise  # the journal's own (its folder, its lock): nothing is set aside for it
                except Exception as exc:  # this entry's, however valid it looked: it goes
                    self._put_aside(entry, f"{type(exc).__name__}: {exc}")
                    kept = [e for e in kept if e is not entry]
                    continue
                if claim.kind is ClaimKind.ADOPTED:
                    entry["owner"] = _owner()
                    taken.append((dict(entry), claim))
            if taken or len(kept) != len(entries):
                self._write(kept)
        return taken

    def set_aside(self, entry: Entry, why: str) -> Path:
        """An entry that cannot be read or settled (we hold it): out of the journal, into a
        file of its own beside it (`pending-bookings.set-aside-<token>.json`, with `why`),
        kept for a human to look at — never settled again, never in anyone's way."""
        with self._locked():
            entries = self._read()
            token = entry.get("token")
            aside = self._aside_record(entry, why)
            self._write([e for e in entries if e.get("token") != token])
        return aside

    def taken_aside(self) -> list[Path]:
        """The files of the entries (or whole journals) set aside while this object read the
        journal, each given once: for the caller to tell."""
        with self._aside_lock:
            aside, self._aside = self._aside, []
        return aside

    def entries(self) -> list[Entry]:
        """Those of this server and account (a journal may hold another account's too)."""
        with self._locked():
            return [e for e in self._read() if self._mine(e)]

    # -- inside -----------------------------------------------------------------------------

    def _take(self, entry: Entry, held: Claim | None) -> Claim:
        """The entry as a claim: ours if its lock is free (or already ours), else BUSY."""
        token = str(entry.get("token"))
        began = _time(entry.get("began")) or _now()
        if held is not None and held.token == token:
            lock: FileLock | None = held.lock
        else:
            if held is not None:
                held.release()
            lock = self._entry_lock(token)
            try:
                lock.acquire(blocking=False)
            except Timeout:
                return Claim(ClaimKind.BUSY, token, began, timeout=_seconds(entry.get("timeout")))
        settled = entry.get("state") == EntryState.SETTLED
        return Claim(
            ClaimKind.SETTLED if settled else ClaimKind.ADOPTED,
            token,
            began,
            sent=_time(entry.get("sent")),
            timeout=_seconds(entry.get("timeout")),
            booking_id=str(entry["booking"]) if settled and entry.get("booking") else None,
            lock=lock,
            before=_ids(entry.get("before")),
        )

    def _entry(self, token: str, request: BookingRequest, began: datetime, timeout: float | None) -> Entry:
        return {
            "token": token,
            "server": self.server,
            "began": began.isoformat(),
            "request": request.model_dump(mode="json"),
            "owner": _owner(),
            "state": EntryState.SENDING.value,
            "sent": None,
            "timeout": timeout,
        }

    def _entry_lock(self, token: str) -> FileLock:
        # thread_local=False: acquired in one worker thread, released from another. No soft
        # fallback: a marker file would outlive a killed owner, and liveness is the OS lock.
        self._guarded(lambda: private_dir(self._owners))
        return FileLock(self._owners / f"{token}.lock", mode=0o600, thread_local=False, fallback_to_soft=False)

    def _expired(self, entry: Entry) -> bool:
        """A settled entry whose start has passed: no retry of it can be made any more."""
        if entry.get("state") != EntryState.SETTLED:
            return False
        request = entry.get("request")
        start = _time(request.get("start") if isinstance(request, dict) else None)
        return start is None or start <= _now()

    def _mine(self, entry: Entry) -> bool:
        """Of this server and account; one of this server whose request is not even an object
        is taken as ours too, for the settler to set aside (it cannot say whose it is)."""
        if entry.get("server") != self.server:
            return False
        request = entry.get("request")
        return not isinstance(request, dict) or request.get("account") == self.account

    def _update(self, token: str, fields: Entry) -> None:
        self._change(lambda entries: [{**e, **fields} if e.get("token") == token else e for e in entries])

    def _change(self, change: Callable[[list[Entry]], list[Entry]]) -> None:
        with self._locked():
            self._write(change(self._read()))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The journal to ourselves, against every other process and thread: a lock object
        per use, so two threads of one process exclude each other as two processes do."""
        self._guarded(lambda: private_dir(self.path.parent))
        lock = FileLock(self._lock_path, mode=0o600, thread_local=False, fallback_to_soft=False)
        self._guarded(lock.acquire)
        try:
            yield
        finally:
            lock.release()

    def _guarded(self, call: Callable[[], object]) -> None:
        """`call()`, with a folder or a lock file that cannot be used (a directory or a link
        planted where the lock goes, no permission) told in one sentence, not as a crash."""
        try:
            call()
        except OSError as exc:
            raise JournalUnusable(self.path, exc) from exc

    def _write(self, entries: list[Entry]) -> None:
        if entries:
            data = json.dumps(entries, ensure_ascii=False, indent=1).encode()
            self._guarded(lambda: write_atomic(self.path, data))  # 0600 (mkstemp)
        else:
            self._guarded(lambda: self.path.unlink(missing_ok=True))

    def _read(self) -> list[Entry]:
        """The entries (under the journal lock), each one checked (`_problem`). A journal
        that is not one is set aside as a whole, an entry that is not one on its own, not
        written over: whoever looks at it later may still find a booking in it."""
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError, RecursionError, MemoryError) as exc:  # unreadable, not JSON, too deep
            self._set_aside(f"{type(exc).__name__}: {exc}")
            return []
        if not isinstance(data, list):
            self._set_aside("not a list")
            return []
        entries: list[Entry] = []
        for entry in data:
            try:
                why = _problem(entry)
            except Exception as exc:  # whatever it is, it is this entry's
                why = f"{type(exc).__name__}: {exc}"
            if why is None:
                entries.append(entry)
            else:
                self._put_aside(entry, why)
        if len(entries) != len(data):
            self._write(entries)
        return entries

    def _put_aside(self, entry: object, why: str) -> None:
        """Set aside while reading (under the journal lock), to be told by `taken_aside`; the
        caller leaves the entry out of what it writes back."""
        aside = self._aside_record(entry, why)
        log.info("an interrupted booking in %s cannot be read (%s): set aside as %s", self.path, why, aside.name)
        with self._aside_lock:
            self._aside.append(aside)

    def _aside_record(self, entry: object, why: str) -> Path:
        """`entry` in a file of its own beside the journal, with why; named after its token
        only when that is one this code makes (never a path from any other journal value)."""
        token = entry.get("token") if isinstance(entry, dict) else None
        name = token if isinstance(token, str) and TOKEN.fullmatch(token) else uuid.uuid4().hex
        aside = self.path.with_name(f"{self.path.stem}.set-aside-{name}.json")
        if aside.exists():  # the same token set aside before: both kept
            aside = self.path.with_name(f"{self.path.stem}.set-aside-{name}-{uuid.uuid4().hex[:8]}.json")
        record: dict[str, Any] = {"why": why, "set_aside": _now().isoformat(), "entry": entry}
        try:  # ASCII: a lone surrogate is kept as its escape, not an encoding error
            data = json.dumps(record, ensure_ascii=True, indent=1, default=str).encode()
        except (ValueError, TypeError, RecursionError):
            data = json.dumps({**record, "entry": None, "unwritable": True}, ensure_ascii=True, indent=1).encode()
        self._guarded(lambda: write_atomic(aside, data))
        return aside

    def _set_aside(self, why: str) -> None:
        """The whole journal, which cannot be read as one, renamed aside (kept) and told once
        (`taken_aside`); if even that fails, the journal cannot be used."""
        aside = self.path.with_name(f"{self.path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}")
        log.info("the pending bookings in %s are damaged (%s): set aside as %s", self.path, why, aside.name)
        self._guarded(lambda: os.replace(self.path, aside))
        with self._aside_lock:
            self._aside.append(aside)


def _problem(entry: object) -> str | None:
    """Why `entry` is not one this code writes (None: it is): every field it reads of the
    right kind and within bounds, times with their offset, the whole writable as UTF-8."""
    if not isinstance(entry, dict):
        return "not an object"
    token = entry.get("token")
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return "its token is not one this program makes"
    server = entry.get("server")
    if not isinstance(server, str) or len(server) > MOST_TEXT:
        return "its server is not an address"
    if entry.get("state", EntryState.SENDING.value) not in (EntryState.SENDING.value, EntryState.SETTLED.value):
        return "its state is not sending or settled"
    if not _aware(entry.get("began")):
        return "when it began is not a time with its UTC offset"
    if entry.get("sent") is not None and not _aware(entry.get("sent")):
        return "when it was sent is not a time with its UTC offset"
    timeout = entry.get("timeout")
    if timeout is not None and not (
        isinstance(timeout, int | float)
        and not isinstance(timeout, bool)
        and math.isfinite(timeout)
        and 0 < timeout <= MOST_SECONDS
    ):
        return f"its timeout is not a number of seconds up to {MOST_SECONDS:g}"
    booking = entry.get("booking")
    if booking is not None and not _short_text(booking, ID_TEXT):
        return "its booking id is not one"
    if entry.get("state") == EntryState.SETTLED.value and booking is None:
        return "it is settled without a booking id"
    before = entry.get("before")
    if before is not None and not (
        isinstance(before, list) and len(before) <= MOST_IDS and all(_short_text(b, ID_TEXT) for b in before)
    ):
        return "its earlier bookings are not a list of ids"
    owner = entry.get("owner")
    if owner is not None and not isinstance(owner, dict):
        return "its owner is not an object"
    if (why := _request_problem(entry.get("request"))) is not None:
        return why
    json.dumps(entry, ensure_ascii=False).encode("utf-8")  # raises for a lone surrogate anywhere
    return None


def _request_problem(request: object) -> str | None:
    if not isinstance(request, dict):
        return "its request is not an object"
    try:
        parsed = BookingRequest.model_validate(request)
    except ValueError as exc:
        return f"its request is not one ({type(exc).__name__})"
    if parsed.start.utcoffset() is None or parsed.end.utcoffset() is None:
        return "its request's times have no UTC offset"
    texts = [parsed.account, parsed.theme, parsed.introduction, parsed.host_pwd, parsed.guest_pwd]
    if any(len(t) > MOST_TEXT for t in texts) or len(parsed.visitor_ids) > MOST_IDS:
        return "its request is longer than any booking"
    if any(len(v) > MOST_TEXT for v in parsed.visitor_ids):
        return "its request is longer than any booking"
    if parsed.pid is not None and not 0 < parsed.pid < MOST_PID:
        return "its room id is not one"
    return None


def _aware(value: object) -> bool:
    """An ISO time with its UTC offset, as this code writes them."""
    if not isinstance(value, str) or len(value) > 64:
        return False
    try:
        return datetime.fromisoformat(value).utcoffset() is not None
    except ValueError:
        return False


def _short_text(value: object, most: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= most and value.isprintable()


def _asks_for(entry: Entry, request: BookingRequest) -> bool:
    """The entry is `request` (times compared as instants: the zone's offset may differ)."""
    try:
        return BookingRequest.model_validate(entry.get("request")) == request
    except ValueError:
        return False


def _seconds(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
