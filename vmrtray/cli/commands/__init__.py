"""vmrctl's commands, one module per group; `COMMANDS` names each command's function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..context import Context
from . import bookings, contacts, live, recordings, rooms, session, sim, watch

Command = Callable[[Context], Awaitable[int]]

COMMANDS: dict[str, Command] = {
    "login": session.login,
    "logout": session.logout,
    "rooms": rooms.rooms,
    "status": rooms.status,
    "record": rooms.record,
    "live": live.live,
    "recordings": recordings.recordings_command,
    "contacts": contacts.contacts,
    "book": bookings.book,
    "bookings": bookings.list_bookings,
    "cancel": bookings.cancel,
    "sim": sim.sim,
    "watch": watch.watch,
}
#: The commands that run a service rather than talk to one: no --demo, and a stop is no interruption.
SERVE = "sim"
#: The commands that keep or drop a key, which a demo never stores.
SIGN_IN = frozenset({"login", "logout"})

__all__ = ["COMMANDS", "SERVE", "SIGN_IN", "Command"]
