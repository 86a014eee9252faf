"""Bookings asked for and not yet settled, kept on disk: a crash between sending a booking
and hearing the answer is settled at the next start, so no booking is lost or made twice.

A Submission writes its request here before the first send and removes it once the outcome
is known (booked, or refused). What is left after a crash is settled by `settle`: looked for
among the account's bookings first, and sent only if it is not there and still ahead.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vmrtray.api import ApiError, Booking, BookingRequest, Client

from .atomic import write_atomic

log = logging.getLogger(__name__)

FILE = "pending-bookings.json"


@dataclass(frozen=True)
class Settled:
    request: BookingRequest
    booking: Booking | None  # None: not booked (its time had passed, or the service refused)
    found: bool  # True: it had been booked before the crash; False: sent now (or not at all)
    refusal: ApiError | None = None


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

    async def settle(self, api: Client) -> list[Settled]:
        """Each booking a crash left unsettled: found, or sent now if still ahead, or given up."""
        from .bookings import Submission  # bookings uses this module

        outcomes = []
        for entry in await asyncio.to_thread(self.entries):
            try:
                request = BookingRequest.model_validate(entry["request"])
                began = datetime.fromisoformat(entry["began"])
            except (KeyError, ValueError) as exc:
                log.warning("a pending booking cannot be read (%s): dropped", exc)
                await asyncio.to_thread(self.done, str(entry.get("token")))
                continue
            submission = Submission(api, request, began=began)
            if (found := await submission.find()) is not None:  # the answer never came: look first
                outcomes.append(Settled(request, found, found=True))
            elif request.start <= datetime.now(UTC):
                outcomes.append(Settled(request, None, found=False))
            else:
                try:
                    outcomes.append(Settled(request, await submission.submit(), found=False))
                except ApiError as refusal:
                    outcomes.append(Settled(request, None, found=False, refusal=refusal))
            await asyncio.to_thread(self.done, entry["token"])
        return outcomes
