"""The running app: swaps the client and coordinator when the user signs in or starts the demo.

Imported by `app.main` only after the tray icon is already on screen: everything heavy
(httpx, pydantic, keyring, qasync) loads here, and the simulator only for the demo.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import qasync
from PySide6.QtCore import QCoreApplication, QSocketNotifier
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from vmrtray.api import Booking, Client, Lang, VmrError
from vmrtray.core import autostart, bookings, recording
from vmrtray.core import settings as settings_mod
from vmrtray.core.agenda import Agenda
from vmrtray.core.catalog import Catalog
from vmrtray.core.contacts import ContactCache
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.credentials import CredentialsError, load_key, store_key
from vmrtray.core.directory import RoomDirectory
from vmrtray.core.download_queue import DownloadQueue, State, Transfer
from vmrtray.core.events import Event, Snapshot
from vmrtray.core.lang import user_lang
from vmrtray.core.notifications import Alert, Notifier
from vmrtray.core.paths import data_dir, default_download_dir, log_dir
from vmrtray.core.pending import PendingBookings
from vmrtray.core.reminders import Reminders
from vmrtray.core.session import download_client, open_client
from vmrtray.core.settings import Settings, SettingsError

from . import i18n
from .asyncutil import cancel_all, freeze_startup_heap, spawn
from .tray import Tray
from .wake import WakeWatcher

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from vmrtray.core.demo import Demo

    from .settings_dialog import Keys, SettingsDialog
    from .single import SingleInstance

log = logging.getLogger(__name__)

# Requests the tray keeps in flight. qasync's per-socket handling makes the Qt loop stall
# as simultaneous connections grow (CabbageDevelopment/qasync#99, open): refreshing 200
# favourites at 50 ms latency stalled it 47-64 ms with 16, 7-14 ms with 8 (bench/tray.py).
# A refresh then takes 1.4 s instead of 0.8 s, well inside any polling interval.
TRAY_CONCURRENCY = 8


class App:
    """Holds the running parts and swaps them when the user signs in or starts the demo."""

    def __init__(self, *, lang: Lang, demo: bool, icon: QSystemTrayIcon | None = None) -> None:
        self.lang = lang
        self.want_demo = demo
        self.tray = Tray(lang=lang, demo=demo, icon=icon)
        self.settings = Settings()
        self.client: Client | None = None
        self.coordinator: Coordinator | None = None
        self.directory: RoomDirectory | None = None
        self.catalog: Catalog | None = None
        self.demo: Demo | None = None
        self.dialog: SettingsDialog | None = None
        self.agenda: Agenda | None = None
        self.contacts: ContactCache | None = None
        self.journal: PendingBookings | None = None
        self.queue: DownloadQueue | None = None
        self.windows: dict[str, QWidget] = {}  # the booking dialog and My bookings, by name
        self.quit = asyncio.Event()
        menu = self.tray.menu
        menu.quit_requested.connect(self.quit.set)
        menu.settings_requested.connect(self.open_settings)
        menu.book_requested.connect(self.open_booking)
        menu.bookings_requested.connect(self.open_bookings)
        menu.recordings_requested.connect(self.open_recordings)
        menu.logs_requested.connect(self.open_logs)
        menu.demo_requested.connect(lambda: spawn(self.start_demo()))
        self._frozen = False
        self.wake = WakeWatcher()
        self.wake.woke.connect(self._woke)

    def _settled(self, snapshot: Snapshot, events: list[Event]) -> None:
        """After the first full refresh the start-up heap is built: freeze it, once."""
        if self._frozen or not any(room.available for room in snapshot.rooms):
            return
        self._frozen = True
        freeze_startup_heap()

    def _woke(self) -> None:
        if self.coordinator is not None:
            self.coordinator.notify_wake()

    async def run(self) -> int:
        self.tray.show()
        if self.want_demo:
            await self.start_demo()
        else:
            await self.start_real()
        await self.quit.wait()
        await self.shutdown()
        return 0

    async def start_real(self) -> None:
        try:
            self.settings = await asyncio.to_thread(settings_mod.load)
        except SettingsError as error:
            self.say(str(error), urgent=True)
        self.tray.set_icon_style(self.settings.tray_icon)
        if not self.settings.server:
            self.tray.attach(None, has_credentials=False)
            return
        try:
            key = await load_key(self.settings.server)
        except CredentialsError as error:
            self.tray.attach(None, has_credentials=False)
            if error.kind != "no-key":
                self.say(error.describe(self.lang), urgent=True)
            return
        await self.use(self.settings, key)

    async def start_demo(self) -> None:
        from vmrtray.core.demo import start_demo  # the simulator (aiohttp) loads only for the demo

        await self.close_session()
        self.demo = await start_demo()
        self.tray.set_demo(True)
        self.settings = self.demo.settings
        await self.demo.remember_recordings(await self._open_catalog())
        await self.use(self.settings, self.demo.key)

    async def use(self, settings: Settings, key: str) -> None:
        """Poll `settings.favourites` with `key`: a new client and coordinator."""
        await self.close_session()
        self.settings = settings
        self.tray.set_icon_style(settings.tray_icon)
        catalog = await self._open_catalog()
        try:
            self.client = open_client(settings, key)
        except VmrError as error:  # plain http away from this computer, not allowed
            self.tray.attach(None, has_credentials=False)
            self.say(error.describe(self.lang), urgent=True)
            return
        self.coordinator = Coordinator(
            self.client,
            settings.favourites,
            interval_active=settings.interval_active,
            interval_idle=settings.interval_idle,
            concurrency=TRAY_CONCURRENCY,
            record_sink=recording.catalog_sink(catalog),
            lang=self.lang,
        )
        self.directory = RoomDirectory(self.client, settings.account) if settings.account else None
        self.queue = self._start_downloads(self.client, catalog, settings)
        self.tray.attach(
            self.coordinator,
            directory=self.directory,
            downloads=self.queue.totals,
            notifier=Notifier(enabled=settings.notify, lang=self.lang),
        )
        self.coordinator.add_listener(self._settled)
        if self.directory is not None:
            spawn(self._load_directory(self.directory))
        if settings.account and settings.server:
            self._plan_bookings(self.client, settings)

    async def _open_catalog(self) -> Catalog:
        if self.catalog is None:
            self.catalog = await asyncio.to_thread(Catalog, data_dir() / "catalog.sqlite3")
            if self.catalog.set_aside is not None:
                self.say(
                    QCoreApplication.translate(
                        "App", "The list of recordings was damaged and begins anew; the old file is kept as {name}."
                    ).format(name=self.catalog.set_aside.name),
                    urgent=True,
                )
        return self.catalog

    def _start_downloads(self, client: Client, catalog: Catalog, settings: Settings) -> DownloadQueue:
        """The download queue; what a quit or a crash interrupted goes on now."""
        folder = Path(settings.download_dir).expanduser() if settings.download_dir else default_download_dir()
        queue = DownloadQueue(
            client,
            catalog,
            lambda: download_client(settings),  # made, and aiohttp loaded, with the first download
            lambda: folder,
            limit=settings.download_parallel,
            segments=settings.download_segments,
            auto_delete=lambda: self.settings.delete_after_download,
            lang=self.lang,
        )
        queue.add_listener(self._transfer_changed)
        spawn(queue.restore())
        return queue

    def _transfer_changed(self, transfer: Transfer) -> None:
        self.tray.downloads_changed()
        if transfer.state == State.FAILED or (transfer.state == State.PAUSED and transfer.error):
            self.tray.alert(
                Alert(QCoreApplication.translate("App", "Download stopped"), transfer.error or "", urgent=True)
            )
        elif transfer.state == State.DONE and self.queue is not None:
            rest = [t for t in self.queue.transfers.values() if t.record_id == transfer.record_id]
            if all(t.state == State.DONE for t in rest):
                self.tray.alert(
                    Alert(QCoreApplication.translate("App", "Recording downloaded"), str(transfer.target.parent))
                )

    def _plan_bookings(self, client: Client, settings: Settings) -> None:
        """My bookings and their reminders; polled only while reminders are on or the window is open.
        And first, whatever booking a crash left unsettled (core.pending)."""
        account, folder = settings.account or "", data_dir()
        self.journal = PendingBookings(folder, settings.server or "", account)
        spawn(self._settle_pending(client, self.journal))
        self.contacts = ContactCache(folder, settings.server or "", account)
        reminders = Reminders(folder / "reminded.json", timedelta(minutes=settings.remind_minutes))
        self.agenda = Agenda(client, account, reminders)
        self.agenda.on_reminder(self._remind)
        if reminders.enabled:
            self.agenda.start()

    async def _settle_pending(self, client: Client, journal: PendingBookings) -> None:
        try:
            settled = await bookings.settle_pending(client, journal)
        except VmrError as error:
            log.info("pending bookings stay pending: %s", error)  # the next start tries again
            return
        for outcome in settled:
            self.tray.alert(Alert(outcome.title(self.lang), outcome.detail(self.lang), urgent=outcome.booking is None))
        if settled and self.agenda is not None:
            self.agenda.request_refresh()

    def _remind(self, booking: Booking) -> None:
        minutes = max(0, round((booking.start_date - self._now()).total_seconds() / 60))
        title = QCoreApplication.translate("App", "“{theme}” starts in %n minute(s)", "", minutes).format(
            theme=booking.theme
        )
        self.tray.alert(Alert(title, f"{booking.start_date.astimezone():%H:%M} · {booking.sipkey or ''}"))

    @staticmethod
    def _now() -> datetime:
        return datetime.now().astimezone()

    def _raise(self, name: str) -> bool:
        window = self.windows.get(name)
        if window is None or not window.isVisible():
            return False
        window.raise_()
        window.activateWindow()
        return True

    def open_booking(self) -> None:
        from .booking_dialog import BookingDialog

        if self._raise("book") or self.client is None or self.contacts is None:
            return
        rooms = list(self.directory.known.values()) if self.directory is not None else []
        dialog = BookingDialog(
            self.client,
            self.settings,
            self.contacts,
            rooms=rooms,
            directory=self.directory,
            lang=self.lang,
            journal=self.journal,
        )
        dialog.booked.connect(self._booked)
        self.windows["book"] = dialog
        dialog.show()
        spawn(dialog.load())

    def _booked(self, booking: Booking) -> None:
        when = f"{booking.start_date.astimezone():%Y-%m-%d %H:%M}"
        self.tray.alert(Alert(QCoreApplication.translate("App", "Booked “{theme}”").format(theme=booking.theme), when))
        if self.agenda is not None:
            self.agenda.request_refresh()
        if booking.biz_product_id is not None and booking.biz_product_id != self.settings.last_booked_room:
            self.settings = self.settings.model_copy(update={"last_booked_room": booking.biz_product_id})
            spawn(self._save_settings(self.settings))

    def open_logs(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def open_recordings(self) -> None:
        from .recordings_window import RecordingsWindow

        if self._raise("recordings") or self.queue is None or self.catalog is None:
            return

        async def keep_auto_delete(on: bool) -> None:
            self.settings = self.settings.model_copy(update={"delete_after_download": on})
            await self._save_settings(self.settings)

        window = RecordingsWindow(
            self.catalog,
            self.queue,
            auto_delete=self.settings.delete_after_download,
            set_auto_delete=keep_auto_delete,
            lang=self.lang,
        )
        self.windows["recordings"] = window
        window.show()
        spawn(window.open())

    async def _save_settings(self, settings: Settings) -> None:
        try:
            await self._keys().save_settings(settings)
        except OSError as exc:
            log.warning("could not save the settings: %s", exc.strerror)

    def open_bookings(self) -> None:
        from .bookings_window import BookingsWindow

        if self._raise("bookings") or self.agenda is None:
            return
        window = BookingsWindow(self.agenda, self.settings, lang=self.lang)
        self.windows["bookings"] = window
        window.show()
        self.agenda.start()
        self.agenda.request_refresh()

    async def _load_directory(self, directory: RoomDirectory) -> None:
        """The account's rooms, asked once at sign-in for invitations (address, passwords) and
        the dialogs' room lists; not needed to poll."""
        try:
            await directory.rooms()
        except VmrError as error:
            log.info("could not list the account's rooms: %s", error)

    def open_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        rooms = list(self.directory.known.values()) if self.directory is not None else []
        self.dialog = SettingsDialog(self.settings, self._keys(), lang=self.lang, rooms=rooms)
        self.dialog.saved.connect(lambda settings, _new_key: spawn(self._apply(settings)))
        self.dialog.show()

    def _keys(self) -> Keys:
        from .settings_dialog import Keys

        demo = self.demo
        if demo is not None:

            async def load(server: str) -> str:
                if server not in demo.keys:
                    raise CredentialsError("no-key")
                return demo.keys[server]

            async def store(server: str, key: str) -> None:
                demo.keys[server] = key

            async def keep(settings: Settings) -> None:
                demo.settings = settings

            return Keys(load, store, keep)
        return Keys(load_key, store_key, lambda s: asyncio.to_thread(settings_mod.save, s))

    async def sync_autostart(self, settings: Settings) -> None:
        """The login entry follows the setting (never for the demo, whose settings are throwaway)."""
        if self.demo is not None:
            return
        try:
            if settings.start_at_login != await asyncio.to_thread(autostart.is_enabled):
                await asyncio.to_thread(autostart.enable if settings.start_at_login else autostart.disable)
        except OSError as exc:
            self.say(
                QCoreApplication.translate("App", "Could not change the start at login: {why}").format(
                    why=exc.strerror or exc
                )
            )

    async def _apply(self, settings: Settings) -> None:
        if settings.language != self.settings.language:
            self.say(QCoreApplication.translate("App", "The new language shows from the next start of vmrtray."))
        await self.sync_autostart(settings)
        try:
            key = await self._keys().load(settings.server or "")
        except CredentialsError as error:
            self.say(error.describe(self.lang), urgent=True)
            return
        await self.use(settings, key)

    def say(self, text: str, urgent: bool = False) -> None:
        self.tray.alert(Alert("vmrtray", text, urgent))

    async def close_session(self) -> None:
        self.tray.detach()
        for window in self.windows.values():
            window.close()  # they hold the client about to close
        self.windows.clear()
        if self.agenda is not None:
            await self.agenda.aclose()
            self.agenda = None
        self.directory = None
        if self.queue is not None:
            await self.queue.aclose()
            self.queue = None
        if self.coordinator is not None:
            await self.coordinator.aclose()
            self.coordinator = None
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    async def shutdown(self) -> None:
        """Nothing left behind: no task, no connection, no server."""
        self.tray.hide()
        if self.dialog is not None:
            self.dialog.close()
        await self.close_session()
        await cancel_all()
        if self.demo is not None:
            await self.demo.stop()
        if self.catalog is not None:
            self.catalog.close()


def _signals_to(event: asyncio.Event, app: QApplication) -> QSocketNotifier:
    """SIGINT/SIGTERM end the app cleanly, also while Qt sits idle in C++.

    Python runs a signal handler only when it next executes bytecode; the wakeup fd makes
    Qt notice the signal at once and call back into Python.
    """
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: event.set())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def drain() -> None:
        with contextlib.suppress(OSError):
            reader.recv(64)

    notifier.activated.connect(drain)
    notifier._sockets = (reader, writer)  # type: ignore[attr-defined]  # kept alive with the notifier
    return notifier


def run_app(qapp: QApplication, instance: SingleInstance, icon: QSystemTrayIcon, *, demo: bool) -> int:
    """Run the app on qasync's loop until Quit, SIGINT or SIGTERM."""

    async def run() -> int:
        lang = await asyncio.to_thread(user_lang)
        i18n.install(qapp, lang)
        app = App(lang=lang, demo=demo, icon=icon)
        instance.activated.connect(lambda: app.say(QCoreApplication.translate("App", "vmrtray is already running.")))
        notifier = _signals_to(app.quit, qapp)
        try:
            return await app.run()
        finally:
            notifier.setEnabled(False)
            instance.release()

    return int(qasync.run(run()))
