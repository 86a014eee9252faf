"""The rooms an account may book (`getmeeting`), asked once and shared.

The tray's invitations, the booking dialog's room list, the booking proposals and
`vmrctl rooms` all read the same directory; it asks the service when it has nothing or
what it has is older than `max_age`, and callers that ask at the same moment share one
request. `check_connection` is the one call that proves a server, a key and an account
(Settings' Test connection, `vmrctl login`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping

from vmrtray.api import Client, Room

from .session import open_client
from .settings import Settings
from .untrusted import plain

MAX_AGE = 600.0  # seconds: rooms are added or renamed rarely


class RoomDirectory:
    def __init__(
        self, client: Client, account: str, *, max_age: float = MAX_AGE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.client, self.account = client, account
        self.max_age, self._clock = max_age, clock
        self._rooms: list[Room] | None = None
        self._fetched = 0.0
        self._asking: asyncio.Future[list[Room]] | None = None

    @property
    def known(self) -> Mapping[str, Room]:
        """What the last answer said, by short number; empty before the first."""
        return {room.sipkey: room for room in self._rooms or ()}

    async def rooms(self, *, fresh: bool = False) -> list[Room]:
        """The account's rooms: kept ones while younger than `max_age` (and not `fresh`), else asked for."""
        if self._rooms is not None and not fresh and self._clock() - self._fetched < self.max_age:
            return list(self._rooms)
        if self._asking is None:
            self._asking = asyncio.ensure_future(self._ask())
            self._asking.add_done_callback(self._asked)
        return list(await asyncio.shield(self._asking))

    def _asked(self, asking: asyncio.Future[list[Room]]) -> None:
        """The shared request ended: the next call asks anew, even if nobody waited for this
        one (its callers went away) — its failure is not handed to a later caller."""
        if self._asking is asking:
            self._asking = None
        if not asking.cancelled():
            asking.exception()  # retrieved, so asyncio does not log it as never retrieved

    async def _ask(self) -> list[Room]:
        rooms = [_shown(room) for room in await self.client.get_rooms(self.account)]
        self._rooms, self._fetched = rooms, self._clock()
        return rooms


def _shown(room: Room) -> Room:
    """The room's name and address as the faces show them (dialogs' room lists, invitations,
    vmrctl rooms): the service's words, made plain (core.untrusted)."""
    return room.model_copy(update={"p_desc": plain(room.p_desc), "alias": plain(room.alias)})


async def check_connection(settings: Settings, key: str) -> list[Room]:
    """One real call with these settings and this key: the account's rooms, or the VmrError that says why not."""
    async with open_client(settings, key) as api:
        return await api.get_rooms(settings.account or "")
