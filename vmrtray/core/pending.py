"""Bookings asked for and not yet settled, kept on disk: a crash between sending a booking
and hearing the answer is settled at the next start, so no booking is lost or made twice.

A Submission (core.bookings) writes its request here before the first send and removes it
once the outcome is known (booked, or refused). What is left after a crash is settled by
`bookings.settle_pending`: looked for among the account's bookings first, and sent only if
it is not there and still ahead. This module is only the journal.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from vmrtray.api import BookingRequest

from .atomic import write_atomic

log = logging.getLogger(__name__)

FILE = "pending-bookings.json"


class PendingBookings:
    """The journal of one server and account, in `folder`."""

    def __init__(self, folder: Path, server: str, account: str) -> None:
        self.path = folder / FILE
        self.server, self.account = server, account
        self._lock = threading.Lock()

    def add(self, request: BookingRequest, began: datetime) -> str:
        token = uuid.uuid4().hex
        entry = {
            "token": token,
            "server": self.server,
            "began": began.isoformat(),
            "request": request.model_dump(mode="json"),
        }
        self._change(lambda entries: [*entries, entry])
        return token

    def done(self, token: str) -> None:
        self._change(lambda entries: [e for e in entries if e.get("token") != token])

    def entries(self) -> list[dict[str, Any]]:
        """Those of this server and account (a journal may hold another account's too)."""
        with self._lock:
            return [e for e in self._read() if self._mine(e)]

    def _mine(self, entry: dict[str, Any]) -> bool:
        return entry.get("server") == self.server and entry.get("request", {}).get("account") == self.account

    def _change(self, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
        with self._lock:
            entries = change(self._read())
            if entries:
                write_atomic(self.path, json.dumps(entries, ensure_ascii=False, indent=1).encode())
            else:
                self.path.unlink(missing_ok=True)

    def _read(self) -> list[dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("the pending bookings in %s cannot be read (%s): they are left as they are", self.path, exc)
            return []
        return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []
