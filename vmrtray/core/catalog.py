"""Every recording the app has learned of, and its files, in SQLite.

The service has no list of recordings: only a recordId gets its files. So each recordId
the app sees (its own `openRecord`, one seen while polling, one the user gives) is kept
here, with what `getRecords` said of it and what was downloaded. The schema is versioned
with `PRAGMA user_version`; `_MIGRATIONS[n]` takes version n to n + 1, inside one
`BEGIN IMMEDIATE` transaction that reads the version again: the tray and vmrctl starting at
once on a fresh folder migrate it once. The file is the user's alone (0600: it holds every
signed download link). A catalog another process keeps locked is waited for a bounded time,
then `CatalogBusy`. Calls block, so async callers go through `asyncio.to_thread`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple, TypeVar
from urllib.parse import urlsplit

from filelock import FileLock, Timeout

from vmrtray.api import RecordFile

from .errors import CatalogBusy, CatalogUnusable
from .paths import private_dir
from .untrusted import plain

log = logging.getLogger(__name__)


class Source(StrEnum):
    """How the app learned of a recording (kept as text in the `source` column)."""

    OPENED = "opened"  # this app's own openRecord
    SEEN = "seen"  # seen recording while polling, or stopped here without having been started here
    USER = "user"  # a record id the user gave
    DEMO = "demo"  # the demo's first recordings


_MIGRATIONS: Sequence[str] = (
    """
    CREATE TABLE recordings (
        record_id  TEXT PRIMARY KEY,
        room       TEXT,
        source     TEXT NOT NULL,           -- a Source: 'opened', 'seen', 'user' (and 'demo')
        first_seen TEXT NOT NULL,
        deleted    INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE files (
        record_id      TEXT NOT NULL REFERENCES recordings(record_id),
        idx            INTEGER NOT NULL,
        conference_key TEXT NOT NULL,
        start_time     TEXT NOT NULL,
        stop_time      TEXT,
        file_size      INTEGER NOT NULL,
        down_url       TEXT NOT NULL,
        fetched_at     TEXT NOT NULL,
        local_path     TEXT,
        sha256         TEXT,
        PRIMARY KEY (record_id, idx)
    );
    CREATE INDEX recordings_room ON recordings(room);
    """,
    """
    ALTER TABLE recordings ADD COLUMN room_name TEXT;
    ALTER TABLE files ADD COLUMN state TEXT NOT NULL DEFAULT 'cloud';
    ALTER TABLE files ADD COLUMN bytes_done INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE files ADD COLUMN target TEXT;
    ALTER TABLE files ADD COLUMN error TEXT;
    UPDATE files SET state = 'done', bytes_done = file_size WHERE sha256 IS NOT NULL;
    """,
    # A summary of each recording's files, kept by triggers, so that listing 100,000
    # recordings reads one table instead of grouping a join (measured: 0.5 s -> 0.1 s).
    """
    ALTER TABLE recordings ADD COLUMN start_time TEXT;
    ALTER TABLE recordings ADD COLUMN start_epoch INTEGER;
    ALTER TABLE recordings ADD COLUMN seconds INTEGER;
    ALTER TABLE recordings ADD COLUMN files INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE recordings ADD COLUMN total_size INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE recordings ADD COLUMN downloaded INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE recordings ADD COLUMN states TEXT;
    ALTER TABLE recordings ADD COLUMN search TEXT;
    CREATE INDEX recordings_start ON recordings(start_epoch);
    CREATE TRIGGER files_added AFTER INSERT ON files BEGIN {summarise_new} END;
    CREATE TRIGGER files_changed AFTER UPDATE ON files BEGIN {summarise_new} END;
    CREATE TRIGGER files_removed AFTER DELETE ON files BEGIN {summarise_old} END;
    CREATE TRIGGER recording_added AFTER INSERT ON recordings BEGIN {search} END;
    CREATE TRIGGER recording_named AFTER UPDATE OF room, room_name ON recordings BEGIN {search} END;
    UPDATE recordings SET room = room;
    UPDATE files SET state = state;
    """,
    # Whether this app fetched and checked every byte of a downloaded file itself (size, the
    # store's CRC-64 where sent, sha256): only such files let a recording be deleted from the
    # cloud. Files downloaded before this column existed are not vouched for.
    """
    ALTER TABLE files ADD COLUMN verified INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX files_target ON files(target);
    CREATE INDEX files_local_path ON files(local_path);
    """,
    # A stopped recording is made and uploaded before getRecords lists it (API_NOTES.md, "the
    # service's pace"): when this app learned it stopped, and when to ask again.
    """
    ALTER TABLE recordings ADD COLUMN stopped_at TEXT;
    ALTER TABLE recordings ADD COLUMN next_check INTEGER;
    ALTER TABLE recordings ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX recordings_next_check ON recordings(next_check) WHERE next_check IS NOT NULL;
    """,
    # Ready and not yet handed to the download-when-ready policy (core.autofetch): kept here so
    # that a crash between "listed" and "queued" does not lose the download.
    """
    ALTER TABLE recordings ADD COLUMN ready_at INTEGER;
    CREATE INDEX recordings_ready ON recordings(ready_at) WHERE ready_at IS NOT NULL;
    """,
    # Ready (epoch second) and not yet told as ready (core.making): whoever listed the files —
    # FilesWatch, `vmrctl recordings show` in another process, the download queue — the
    # catalog marks a stopped recording ready once, and the next FilesWatch turn tells it.
    """
    ALTER TABLE recordings ADD COLUMN ready_untold INTEGER;
    CREATE INDEX recordings_untold ON recordings(ready_untold) WHERE ready_untold IS NOT NULL;
    """,
    # A start the service refused (its failedReason named this recordId): it made no files and
    # is not followed as stopped. Recorded: a status said it records (so `record: false` with
    # its recordId later is a stop, not a recorder still joining). The recordings neither
    # stopped, nor listed, nor failed are what a watch compares with the rooms' state at each
    # refresh (core.coordinator): indexed.
    """
    ALTER TABLE recordings ADD COLUMN start_failed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE recordings ADD COLUMN recorded INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX recordings_open ON recordings(first_seen)
        WHERE stopped_at IS NULL AND files = 0 AND deleted = 0 AND start_failed = 0;
    """,
    # The opt-in delete from the cloud waits until a recording's list of files has stayed the
    # same for a while (core.download_queue.DELETE_SETTLE): when each file was first listed
    # (epoch second; a row from before is taken as first listed when it was last listed, which
    # is never earlier), and the recordings whose delete check is still to be made (a restart
    # makes it).
    """
    ALTER TABLE files ADD COLUMN listed_at INTEGER;
    UPDATE files SET listed_at = CAST(strftime('%s', fetched_at) AS INTEGER);
    ALTER TABLE recordings ADD COLUMN delete_pending INTEGER NOT NULL DEFAULT 0;
    """,
)

_SUMMARY = """
    UPDATE recordings SET (start_time, start_epoch, seconds, files, total_size, downloaded, states) = (
        SELECT MIN(start_time),
               COALESCE(MIN(CAST(strftime('%s', start_time) AS INTEGER)),
                        CAST(strftime('%s', recordings.first_seen) AS INTEGER)),
               MAX(CAST(strftime('%s', stop_time) AS INTEGER)) - MIN(CAST(strftime('%s', start_time) AS INTEGER)),
               COUNT(*), COALESCE(SUM(file_size), 0), COUNT(sha256), GROUP_CONCAT(DISTINCT state)
        FROM files WHERE files.record_id = {row}.record_id)
    WHERE record_id = {row}.record_id;"""
# A recording not listed yet sorts by when it was first seen.
_SEARCH = """
    UPDATE recordings SET search = lower(record_id || char(10) || COALESCE(room, '') || char(10)
                                         || COALESCE(room_name, '')),
                          start_epoch = COALESCE(start_epoch, CAST(strftime('%s', first_seen) AS INTEGER))
    WHERE record_id = NEW.record_id;"""
_MIGRATIONS = (
    *_MIGRATIONS[:2],
    _MIGRATIONS[2].format(
        summarise_new=_SUMMARY.format(row="NEW"), summarise_old=_SUMMARY.format(row="OLD"), search=_SEARCH
    ),
    *_MIGRATIONS[3:],
)

#: A file's download state, as `files.state` keeps it ("elsewhere": another process of this
#: app is downloading it; resumed like "queued").
FILE_STATES = ("cloud", "queued", "downloading", "paused", "done", "failed", "elsewhere")

#: How long a call waits for a catalog another process holds locked before CatalogBusy.
BUSY_WAIT = 5.0
#: How long a finished download waits, at most, to be written down in a busy catalog.
PATIENCE = 60.0
#: Mode of the catalog file (and, by SQLite's rule, its -wal and -shm files).
PRIVATE = 0o600


@dataclass(frozen=True)
class FileRow:
    record_id: str
    idx: int
    conference_key: str
    start_time: str
    stop_time: str | None
    file_size: int
    down_url: str
    state: str
    bytes_done: int
    target: str | None
    local_path: str | None
    sha256: str | None
    error: str | None
    verified: bool  # this app fetched and checked every byte itself

    def __post_init__(self) -> None:
        object.__setattr__(self, "verified", bool(self.verified))  # SQLite keeps it as 0 or 1


def identity(down_url: str, start_time: str, size: int) -> tuple[str, str, int]:
    """What tells one file of a recording from another, whatever order `getRecords` lists them
    in: the object's path in the store (the link without its host and its signature, which
    change each time a link is signed), its start time (ISO 8601) and its size. All three, so
    that a file is never taken for another: one that differs in any is another file, fetched
    or refused on its own, never given another's bytes. A link without a path leaves the start
    time and the size."""
    return (urlsplit(down_url).path, start_time, size)


_FILES_QUERY = (
    "SELECT record_id, idx, conference_key, start_time, stop_time, file_size, down_url, state, bytes_done, target,"
    " local_path, sha256, error, verified FROM files WHERE (?1 IS NULL OR record_id = ?1)"
    " AND (?2 = '[]' OR state IN (SELECT value FROM json_each(?2))) ORDER BY record_id, idx"
)


class CatalogEntry(NamedTuple):
    """A recording and the summary of its files, as one row of the `recordings` table."""

    record_id: str
    room: str | None
    source: str
    first_seen: str
    deleted: int
    room_name: str | None
    start_time: str | None  # the first file's start, ISO 8601 with its zone
    start_epoch: int | None
    seconds: int | None  # from the first file's start to the last one's stop
    files: int
    total_size: int
    downloaded: int
    states_text: str | None
    search: str  # record id, room and room name, lower-cased, for a text filter
    stopped_at: str | None = None  # when this app learned it stopped (ISO 8601), if it did
    next_check: int | None = None  # while it is made: when getRecords is asked again (epoch s)

    @property
    def states(self) -> frozenset[str]:
        return frozenset(self.states_text.split(",")) if self.states_text else frozenset()

    @property
    def being_made(self) -> bool:
        """Stopped, not listed yet, still looked for."""
        return not self.files and not self.deleted and self.next_check is not None


def _plain_name(entry: CatalogEntry) -> CatalogEntry:
    return entry._replace(room_name=plain(entry.room_name)) if entry.room_name else entry


class ReadyEntry(NamedTuple):
    """A recording whose files are listed at last (core.making tells it as Ready)."""

    record_id: str
    room: str
    room_name: str
    files: int
    size: int


#: A stopped recording listed at last: no longer asked for; ready (epoch second ?1) until
#: handed on (core.autofetch) and until told (core.making).
_READY = "UPDATE recordings SET next_check = NULL, ready_at = ?1, ready_untold = ?1 WHERE record_id = ?2"

_ENTRIES = (
    "SELECT record_id, room, source, first_seen, deleted, room_name, start_time, start_epoch, seconds, files,"
    " total_size, downloaded, states, COALESCE(search, ''), stopped_at, next_check FROM recordings"
    " WHERE (?1 IS NULL OR room = ?1)"
    " ORDER BY start_epoch DESC LIMIT ?2"
)


_T = TypeVar("_T")


def _busy(error: sqlite3.OperationalError) -> bool:
    """SQLite's "database is locked" / "database table is locked" / SQLITE_BUSY."""
    return getattr(error, "sqlite_errorcode", None) in (5, 6) or "locked" in str(error) or "busy" in str(error)


def _statements(script: str) -> Iterator[str]:
    """The statements of a script one by one (a trigger's body keeps its own semicolons)."""
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                yield buffer
            buffer = ""


def _private_file(path: Path) -> None:
    """Create `path` 0600 if it is not there; make an existing one 0600 (it holds signed links)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), PRIVATE)
    try:
        if os.name == "posix" and os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, PRIVATE)
    finally:
        os.close(fd)


class Catalog:
    """The recordings this app knows of, in SQLite (WAL: a killed process loses at most the
    write it was making). Opening it checks it; a damaged file is set aside, named in
    `set_aside`, and a new catalog begins (the recordings are still in the cloud). A catalog
    that another process keeps locked longer than `busy_wait` raises CatalogBusy, from
    opening it as from any call."""

    def __init__(self, path: Path, *, busy_wait: float = BUSY_WAIT, clock: Callable[[], float] = time.time) -> None:
        private_dir(path.parent)
        self.path = path
        self.busy_wait = busy_wait
        self.clock = clock  # when a recording became ready (epoch seconds)
        self.set_aside: Path | None = None
        self._lock = threading.Lock()
        with self._opening():
            self._db = self._guard(lambda: self._open_checked(path))
            try:
                self._guard(self._migrate)
            except BaseException:
                self._db.close()
                raise

    @contextlib.contextmanager
    def _opening(self) -> Iterator[None]:
        """One process at a time opens, checks (and may set aside) and migrates the catalog:
        four first starts at once on a damaged one set aside each other's new catalog."""
        lock = FileLock(self.path.with_name(self.path.name + ".lock"), mode=PRIVATE, thread_local=False)
        try:
            lock.acquire(timeout=self.busy_wait)
        except Timeout as exc:
            raise CatalogBusy(self.path) from exc
        except OSError as exc:  # something took the lock's place (a folder, a link), or no permission
            raise CatalogUnusable(self.path, exc) from exc
        try:
            yield
        finally:
            lock.release()

    def _guard(self, call: Callable[[], _T]) -> _T:
        """`call()`, with a catalog held locked elsewhere told as CatalogBusy."""
        try:
            return call()
        except sqlite3.OperationalError as error:
            if _busy(error):
                raise CatalogBusy(self.path) from error
            raise

    def _connect(self, path: Path) -> sqlite3.Connection:
        _private_file(path)
        return sqlite3.connect(path, timeout=self.busy_wait, check_same_thread=False, isolation_level=None)

    def _open_checked(self, path: Path) -> sqlite3.Connection:
        db = self._connect(path)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            verdict = str(db.execute("PRAGMA quick_check").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if _busy(exc):  # locked is not damaged: never set a healthy catalog aside
                db.close()
                raise
            verdict = str(exc)
        except sqlite3.DatabaseError as exc:
            verdict = str(exc)
        if verdict == "ok":
            db.execute("PRAGMA foreign_keys=ON")
            return db
        db.close()
        self.set_aside = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{os.getpid()}")
        log.warning("the catalog %s is damaged (%s): set aside as %s", path, verdict, self.set_aside.name)
        os.replace(path, self.set_aside)
        for extra in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.replace(f"{path}{extra}", f"{self.set_aside}{extra}")
        db = self._connect(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _migrate(self) -> None:
        """Each missing step in one exclusive transaction; the version is read inside it, so a
        process that waited for another's migration finds it done and does nothing."""
        with self._lock:
            if int(self._db.execute("PRAGMA user_version").fetchone()[0]) >= len(_MIGRATIONS):
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
                for number, script in enumerate(_MIGRATIONS[version:], start=version):
                    for statement in _statements(script):
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {number + 1}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _run(self, call: Callable[[sqlite3.Connection], _T]) -> _T:
        """One call on the connection, one at a time in this process, CatalogBusy if locked elsewhere."""
        with self._lock:
            return self._guard(lambda: call(self._db))

    def _write(self, call: Callable[[sqlite3.Connection], _T]) -> _T:
        """Like _run, in one transaction that holds the write lock from its start."""

        def inside(db: sqlite3.Connection) -> _T:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = call(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

        return self._run(inside)

    @property
    def version(self) -> int:
        return self._run(lambda db: int(db.execute("PRAGMA user_version").fetchone()[0]))

    def add(self, record_id: str, *, room: str | None, source: Source, room_name: str | None = None) -> None:
        """Remember a recordId; a known one keeps its first source, gains a room and a room name
        if it had none (the name the service gives with the files, once listed, replaces it)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self._run(
            lambda db: db.execute(
                "INSERT INTO recordings (record_id, room, source, first_seen, room_name) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(record_id) DO UPDATE SET room = COALESCE(recordings.room, excluded.room), "
                "room_name = COALESCE(recordings.room_name, excluded.room_name)",
                (record_id, room, source, now, room_name or None),
            )
        )

    def set_files(self, record_id: str, files: Sequence[RecordFile]) -> list[int]:
        """What `getRecords` answered now; the catalog's index of each file given, in its order.

        A file is known by what the service says of it (`identity`), never by its place in the
        list (the API promises no order): a file already known keeps its row, index and
        download state whatever its position now; a file not known yet gets a new row after
        the last (several new at once: earliest first). A row not listed now is kept.
        """
        now = datetime.now(UTC).isoformat(timespec="seconds")
        room = files[0].conference_key if files else None
        keys = [identity(f.down_url, f.start_time.isoformat(), f.file_size) for f in files]
        first_listed = int(self.clock())  # kept by a row already there (listed_at is not updated)

        def write(db: sqlite3.Connection) -> list[int]:
            made = db.execute(
                "SELECT 1 FROM recordings WHERE record_id = ? AND stopped_at IS NOT NULL AND files = 0 AND deleted = 0",
                (record_id,),
            ).fetchone()
            db.execute(
                "INSERT INTO recordings (record_id, room, source, first_seen) VALUES (?, ?, 'user', ?) "
                "ON CONFLICT(record_id) DO UPDATE SET room = COALESCE(recordings.room, excluded.room)",
                (record_id, room, now),
            )
            if made and files:  # listed at last, by whoever asked: ready, once
                db.execute(_READY, (int(self.clock()), record_id))
            known: dict[tuple[str, str, int], int] = {}
            last = -1
            for idx, url, start, size in db.execute(
                "SELECT idx, down_url, start_time, file_size FROM files WHERE record_id = ? ORDER BY idx", (record_id,)
            ):
                known.setdefault(identity(url, start, size), int(idx))
                last = max(last, int(idx))
            for n in sorted(range(len(files)), key=lambda n: (keys[n][1], keys[n][0], n)):
                if keys[n] not in known:
                    last += 1
                    known[keys[n]] = last
            indexes = [known[key] for key in keys]
            db.executemany(
                "INSERT INTO files (record_id, idx, conference_key, start_time, stop_time, file_size, down_url,"
                " fetched_at, listed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(record_id, idx) DO UPDATE SET "
                "down_url = excluded.down_url, fetched_at = excluded.fetched_at, stop_time = excluded.stop_time",
                [
                    (
                        record_id,
                        idx,
                        f.conference_key,
                        f.start_time.isoformat(),
                        f.stop_time.isoformat() if f.stop_time else None,
                        f.file_size,
                        f.down_url,
                        now,
                        first_listed,
                    )
                    for idx, f in zip(indexes, files, strict=True)
                ],
            )
            return indexes

        return self._write(write)

    def mark_downloaded(self, record_id: str, idx: int, path: Path, sha256: str, *, verified: bool) -> None:
        """File `idx` is whole at `path`; `verified`: this app fetched and checked every byte itself
        (False for a file found there and only recognised). Waited for longer than other writes
        (`PATIENCE`): the bytes are in place, and only this row lets the next run know them."""
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                self._run(
                    lambda db: db.execute(
                        "UPDATE files SET local_path = ?, sha256 = ?, state = 'done', bytes_done = file_size,"
                        " error = NULL, verified = ? WHERE record_id = ? AND idx = ?",
                        (str(path), sha256, int(verified), record_id, idx),
                    )
                )
                return
            except CatalogBusy:
                if time.monotonic() >= deadline:
                    raise
                log.info("the catalog is busy elsewhere: still waiting to record %s/%d as downloaded", record_id, idx)

    def set_state(
        self,
        record_id: str,
        idx: int,
        state: str,
        *,
        bytes_done: int | None = None,
        target: Path | None = None,
        error: str | None = None,
    ) -> None:
        """Where a file's download stands, so a quit or a crash resumes it on the next start."""
        if state not in FILE_STATES:
            raise ValueError(f"not a file state: {state!r}")
        self._run(
            lambda db: db.execute(
                "UPDATE files SET state = ?, bytes_done = COALESCE(?, bytes_done), target = COALESCE(?, target),"
                " error = ? WHERE record_id = ? AND idx = ?",
                (state, bytes_done, str(target) if target else None, error, record_id, idx),
            )
        )

    def claim_target(self, record_id: str, idx: int, path: Path) -> bool:
        """Make `path` file `idx`'s target, unless another file has it as its target or its copy.

        In one write transaction, so two processes choosing names at once never get the same one.
        """

        def claim(db: sqlite3.Connection) -> bool:
            taken = db.execute(
                "SELECT 1 FROM files WHERE (target = ?1 OR local_path = ?1) AND NOT (record_id = ?2 AND idx = ?3)"
                " LIMIT 1",
                (str(path), record_id, idx),
            ).fetchone()
            if taken:
                return False
            db.execute("UPDATE files SET target = ? WHERE record_id = ? AND idx = ?", (str(path), record_id, idx))
            return True

        return self._write(claim)

    def holder_of(self, path: Path) -> tuple[str, int] | None:
        """The file whose target or downloaded copy `path` is, if any."""
        row = self._run(
            lambda db: db.execute(
                "SELECT record_id, idx FROM files WHERE target = ?1 OR local_path = ?1 ORDER BY local_path = ?1 DESC"
                " LIMIT 1",
                (str(path),),
            ).fetchone()
        )
        return (str(row[0]), int(row[1])) if row else None

    def verified_whole(self, record_id: str, listed: Collection[int] | None = None) -> bool:
        """Every file of the recording the catalog knows, listed now or not, downloaded, fetched
        and checked by this app itself, as so many distinct objects: each row its own object and
        its own bytes (two rows of one sha256 are one file saved twice, and another never
        fetched). With `listed` (the indexes the service lists now), also exactly those rows:
        a file listed now and not known, or known and not listed now, is not whole."""
        rows = self.files(record_id)
        if listed is not None and set(listed) != {row.idx for row in rows}:
            return False
        if not rows or not all(row.state == "done" and row.verified and row.sha256 for row in rows):
            return False
        objects = {identity(row.down_url, row.start_time, row.file_size) for row in rows}
        return len(objects) == len(rows) == len({row.sha256 for row in rows})

    def newest_listed(self, record_id: str) -> int | None:
        """When the recording's newest file was first listed (epoch second), if any is known."""
        row = self._run(
            lambda db: db.execute(
                "SELECT MAX(COALESCE(listed_at, CAST(strftime('%s', fetched_at) AS INTEGER))) FROM files"
                " WHERE record_id = ?",
                (record_id,),
            ).fetchone()
        )
        return None if row is None or row[0] is None else int(row[0])

    def set_delete_pending(self, record_id: str, pending: bool) -> None:
        """The opt-in delete's check of this recording is still to be made (a restart makes it), or not."""
        self._run(
            lambda db: db.execute(
                "UPDATE recordings SET delete_pending = ? WHERE record_id = ?", (int(pending), record_id)
            )
        )

    def delete_pending(self) -> list[str]:
        """The recordings (not deleted) whose opt-in delete check is still to be made."""
        rows = self._run(
            lambda db: db.execute(
                "SELECT record_id FROM recordings WHERE delete_pending = 1 AND deleted = 0 ORDER BY record_id"
            ).fetchall()
        )
        return [str(row[0]) for row in rows]

    def stopped(self, record_id: str, at: datetime, first_check: float) -> None:
        """The recording stopped (its files are being made): ask for them `first_check` s after
        `at`. Only the first word of a stop counts. One whose files someone listed before this
        app learned it stopped is ready now (once: the files come only after the stop)."""

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE recordings SET stopped_at = ?, next_check = ?, checks = 0"
                " WHERE record_id = ? AND stopped_at IS NULL AND files = 0 AND deleted = 0",
                (at.isoformat(timespec="seconds"), int(at.timestamp() + first_check), record_id),
            )
            listed = db.execute(
                "UPDATE recordings SET stopped_at = ? WHERE record_id = ? AND stopped_at IS NULL AND files > 0"
                " AND deleted = 0",
                (at.isoformat(timespec="seconds"), record_id),
            )
            if listed.rowcount:
                db.execute(_READY, (int(self.clock()), record_id))

        self._write(write)

    def open_records(self, rooms: Sequence[str], since: datetime) -> list[tuple[str, str, int, bool]]:
        """(record_id, room, first seen as epoch second, whether a status said it records) of
        each recording of `rooms` first seen
        since `since` that is neither stopped nor listed nor a failed start, as far as this
        catalog knows: the ones a refresh may find stopped without having seen them stop."""
        rows = self._run(
            lambda db: db.execute(
                "SELECT record_id, room, CAST(strftime('%s', first_seen) AS INTEGER), recorded FROM recordings"
                " WHERE stopped_at IS NULL AND files = 0 AND deleted = 0 AND start_failed = 0 AND first_seen >= ?"
                " AND room IN (SELECT value FROM json_each(?)) ORDER BY first_seen",
                (since.astimezone(UTC).isoformat(timespec="seconds"), json.dumps(list(rooms))),
            ).fetchall()
        )
        return [(str(r[0]), str(r[1]), int(r[2]), bool(r[3])) for r in rows]

    def recorded(self, record_id: str) -> None:
        """A status said this recording records (its recorder has joined). A stop written down
        for it while nothing was listed (a recorder still joining, taken for a stop) is taken
        back: its files are not asked for until it really stops."""

        def write(db: sqlite3.Connection) -> None:
            db.execute("UPDATE recordings SET recorded = 1 WHERE record_id = ?", (record_id,))
            db.execute(
                "UPDATE recordings SET stopped_at = NULL, next_check = NULL, checks = 0"
                " WHERE record_id = ? AND stopped_at IS NOT NULL AND files = 0 AND deleted = 0",
                (record_id,),
            )

        self._write(write)

    def start_failed(self, record_id: str) -> None:
        """The service refused this start (its failedReason named it): no files will come, so
        it is not followed as a stop; a stop already written down stands."""
        self._run(
            lambda db: db.execute(
                "UPDATE recordings SET start_failed = 1 WHERE record_id = ? AND stopped_at IS NULL", (record_id,)
            )
        )

    def being_made(self) -> list[tuple[str, str, int, int]]:
        """(record_id, stopped_at, next_check, checks) of each recording still looked for."""
        rows = self._run(
            lambda db: db.execute(
                "SELECT record_id, stopped_at, next_check, checks FROM recordings"
                " WHERE next_check IS NOT NULL AND files = 0 AND deleted = 0 ORDER BY next_check"
            ).fetchall()
        )
        return [(str(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows]

    def check_again(self, record_id: str, at: int | None) -> None:
        """Not listed yet: ask again at epoch second `at`; None: stop looking (listed, or given up)."""
        self._run(
            lambda db: db.execute(
                "UPDATE recordings SET next_check = ?, checks = checks + 1 WHERE record_id = ?", (at, record_id)
            )
        )

    def told_ready(self, since: int) -> list[ReadyEntry]:
        """The recordings that became ready and were not told so yet, taken (each is returned
        once, to one caller, whichever process asks first); those ready before epoch second
        `since` are taken without being returned (too old to tell)."""

        def take(db: sqlite3.Connection) -> list[ReadyEntry]:
            rows = db.execute(
                "SELECT record_id, COALESCE(room, ''), COALESCE(room_name, ''), files, total_size FROM recordings"
                " WHERE ready_untold IS NOT NULL AND ready_untold >= ? AND deleted = 0 ORDER BY ready_untold",
                (since,),
            ).fetchall()
            db.execute("UPDATE recordings SET ready_untold = NULL WHERE ready_untold IS NOT NULL")
            return [ReadyEntry(str(r[0]), str(r[1]), plain(str(r[2])), int(r[3]), int(r[4])) for r in rows]

        return self._write(take)

    def ready(self, since: int) -> list[tuple[str, str | None, str]]:
        """(record_id, room, source) of each recording ready since epoch second `since`, not handed on."""
        rows = self._run(
            lambda db: db.execute(
                "SELECT record_id, room, source FROM recordings"
                " WHERE ready_at IS NOT NULL AND ready_at >= ? AND deleted = 0 ORDER BY ready_at",
                (since,),
            ).fetchall()
        )
        return [(str(r[0]), None if r[1] is None else str(r[1]), str(r[2])) for r in rows]

    def handed_on(self, record_id: str) -> None:
        """A ready recording was queued for download (or is not to be): not offered again."""
        self._run(lambda db: db.execute("UPDATE recordings SET ready_at = NULL WHERE record_id = ?", (record_id,)))

    def set_room_name(self, record_id: str, name: str) -> None:
        self._run(lambda db: db.execute("UPDATE recordings SET room_name = ? WHERE record_id = ?", (name, record_id)))

    def files(self, record_id: str | None = None, *, states: Sequence[str] = ()) -> list[FileRow]:
        """Files of one recording (or all), optionally only those in `states`."""
        rows = self._run(lambda db: db.execute(_FILES_QUERY, (record_id, json.dumps(list(states)))).fetchall())
        return [FileRow(*row) for row in rows]

    def mark_deleted(self, record_id: str) -> None:
        self._run(lambda db: db.execute("UPDATE recordings SET deleted = 1 WHERE record_id = ?", (record_id,)))

    def unlisted(self) -> list[str]:
        """The recordings whose files were never listed (and not deleted): what Refresh asks for."""
        rows = self._run(
            lambda db: db.execute("SELECT record_id FROM recordings WHERE files = 0 AND deleted = 0").fetchall()
        )
        return [str(row[0]) for row in rows]

    def entries(self, room: str | None = None, *, limit: int = -1) -> list[CatalogEntry]:
        """Every recording (or one room's), newest first; the newest `limit` when given."""
        rows = self._run(lambda db: db.execute(_ENTRIES, (room, limit)).fetchall())
        # a name stored before names were made plain where they enter (core.status) is made so here
        return [_plain_name(CatalogEntry(*row)) for row in rows]
