"""What exists while the tray is signed in: the client and every part that uses it, opened and closed as one.

A sign-in (or the demo, or saved settings) opens a new session; the old one is closed
first. The catalog is not the session's: it is this computer's list of recordings and
outlives sign-ins (the demo fills it before signing in; interrupted downloads resume from it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from vmrtray.api import Client, Lang
from vmrtray.core import recording
from vmrtray.core.agenda import Agenda
from vmrtray.core.autofetch import AutoDownload
from vmrtray.core.catalog import Catalog
from vmrtray.core.contacts import ContactCache
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.directory import RoomDirectory
from vmrtray.core.download_queue import DownloadQueue
from vmrtray.core.making import FilesWatch
from vmrtray.core.paths import data_dir, default_download_dir
from vmrtray.core.pending import PendingBookings
from vmrtray.core.reminders import Reminders
from vmrtray.core.session import download_client, open_client
from vmrtray.core.settings import Settings

# Requests the tray keeps in flight. qasync's per-socket handling makes the Qt loop stall
# as simultaneous connections grow (CabbageDevelopment/qasync#99, open): refreshing 200
# favourites at 50 ms latency stalled it 47-64 ms with 16, 7-14 ms with 8 (bench/tray.py).
# A refresh then takes 1.4 s instead of 0.8 s, well inside any polling interval.
TRAY_CONCURRENCY = 8


@dataclass
class Bookings:
    """The account's bookings: the journal of unanswered ones, the contacts, the agenda and its reminders."""

    journal: PendingBookings
    contacts: ContactCache
    agenda: Agenda


@dataclass
class Session:
    client: Client
    coordinator: Coordinator
    queue: DownloadQueue
    directory: RoomDirectory | None  # without an account there are no rooms to list
    bookings: Bookings | None  # only with an account on a server
    making: FilesWatch  # the recordings stopped and being made: asked for until listed
    autofetch: AutoDownload  # queues a ready recording when the setting download_when_ready wants it

    @classmethod
    def open(
        cls, settings: Settings, key: str, catalog: Catalog, *, lang: Lang, auto_delete: Callable[[], bool]
    ) -> Session:
        """The parts for `settings` and `key`; nothing is asked of the service yet.
        Raises VmrError when the settings are refused (plain http away from this computer)."""
        client = open_client(settings, key)
        making = FilesWatch(client, catalog)
        coordinator = Coordinator(
            client,
            settings.favourites,
            interval_active=settings.interval_active,
            interval_idle=settings.interval_idle,
            concurrency=TRAY_CONCURRENCY,
            record_sink=recording.catalog_sink(catalog),
            record_stopped=making.stopped,
            recordings=making,
            lang=lang,
        )
        folder = Path(settings.download_dir).expanduser() if settings.download_dir else default_download_dir()
        queue = DownloadQueue(
            client,
            catalog,
            lambda: download_client(settings),  # made, and aiohttp loaded, with the first download
            lambda: folder,
            limit=settings.download_parallel,
            segments=settings.download_segments,
            auto_delete=auto_delete,
            lang=lang,
        )
        # a changed setting or favourite opens another session: this one's are read as they are
        autofetch = AutoDownload(
            catalog, queue.add, lambda: settings.download_when_ready, lambda: tuple(settings.favourites)
        )
        directory = RoomDirectory(client, settings.account) if settings.account else None
        bookings = _bookings(client, settings) if settings.account and settings.server else None
        return cls(client, coordinator, queue, directory, bookings, making, autofetch)

    @property
    def agenda(self) -> Agenda | None:
        return self.bookings.agenda if self.bookings else None

    async def close(self) -> None:
        """Stop every part, then the client they share."""
        if self.bookings is not None:
            await self.bookings.agenda.aclose()
        await self.making.poller.aclose()
        await self.autofetch.aclose()  # before the queue it adds to
        await self.queue.aclose()
        await self.coordinator.aclose()
        await self.client.aclose()


def _bookings(client: Client, settings: Settings) -> Bookings:
    account, server, folder = settings.account or "", settings.server or "", data_dir()
    reminders = Reminders(folder / "reminded.json", timedelta(minutes=settings.remind_minutes))
    return Bookings(
        PendingBookings(folder, server, account),
        ContactCache(folder, server, account),
        Agenda(client, account, reminders),
    )
