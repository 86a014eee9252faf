"""The running tray app: the tray, the settings, the signed-in session and the windows, swapped as the user signs in.

Imported by the launcher only after the tray icon is already on screen: everything heavy
(httpx, pydantic, keyring, qasync) loads here, and the simulator only for the demo.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from datetime import datetime
from typing import TYPE_CHECKING

import qasync
from PySide6.QtCore import QCoreApplication, QSocketNotifier
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from vmrtray.api import Booking, Client, Lang, VmrError
from vmrtray.core import autostart, bookings
from vmrtray.core import settings as settings_mod
from vmrtray.core.agenda import Agenda
from vmrtray.core.catalog import Catalog
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.credentials import CredentialsError, load_key, store_key
from vmrtray.core.download_queue import Transfer
from vmrtray.core.errors import CatalogBusy, CatalogUnusable, CoreError
from vmrtray.core.events import Event, Snapshot
from vmrtray.core.lang import user_lang
from vmrtray.core.making import Made, Unlisted
from vmrtray.core.notifications import Alert, Notifier
from vmrtray.core.paths import data_dir, log_dir
from vmrtray.core.reach import Unreachable
from vmrtray.core.settings import Settings, SettingsError

from . import alerts, i18n
from .asyncutil import cancel_all, freeze_startup_heap, spawn
from .session import Bookings, Session
from .tray import Tray
from .wake import WakeWatcher
from .windows import Windows

if TYPE_CHECKING:
    from vmrtray.core.demo import Demo

    from .settings_dialog import Keys, SettingsDialog
    from .single import SingleInstance

log = logging.getLogger(__name__)

CATALOG_RETRY = 10.0  # seconds between tries to open a catalog that could not be opened


class TrayApp:
    """Opens a session when the user signs in (or starts the demo, or saves settings), closes
    it when another begins, and opens the windows the tray's menu asks for."""

    def __init__(self, *, lang: Lang, demo: bool, icon: QSystemTrayIcon | None = None) -> None:
        self.lang = lang
        self.want_demo = demo
        self.tray = Tray(lang=lang, demo=demo, icon=icon)
        self.settings = Settings()
        self.session: Session | None = None
        self.catalog: Catalog | None = None  # this computer's recordings: outlives sessions
        self.demo: Demo | None = None
        self.windows = Windows()
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

    # the session's parts, None while signed out (tests and the windows read them)

    @property
    def client(self) -> Client | None:
        return self.session.client if self.session else None

    @property
    def coordinator(self) -> Coordinator | None:
        return self.session.coordinator if self.session else None

    @property
    def agenda(self) -> Agenda | None:
        return self.session.agenda if self.session else None

    @property
    def dialog(self) -> SettingsDialog | None:
        """The settings dialog, once opened."""
        from .settings_dialog import SettingsDialog

        return self.windows.get("settings", SettingsDialog)

    # -- running ---------------------------------------------------------------------------------

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
        if self.catalog is not None:  # the user's own: the demo keeps its recordings in its own folder
            self.catalog.close()
            self.catalog = None
        self.demo = await start_demo()
        self.tray.set_demo(True)
        self.settings = self.demo.settings
        await self.demo.remember_recordings(await self._open_catalog())
        await self.use(self.settings, self.demo.key)

    async def use(self, settings: Settings, key: str) -> None:
        """Sign in with `settings` and `key`: a new session, followed by the tray."""
        await self.close_session()
        self.settings = settings
        self.tray.set_icon_style(settings.tray_icon)
        catalog = await self._open_catalog()
        try:
            session = Session.open(
                settings, key, catalog, lang=self.lang, auto_delete=lambda: self.settings.delete_after_download
            )
        except VmrError as error:  # plain http away from this computer, not allowed
            self.tray.attach(None, has_credentials=False)
            self.say(error.describe(self.lang), urgent=True)
            return
        except Unreachable as error:  # the proxy or the CA file cannot be used: the tray stays, and says why
            self.tray.attach(None)
            self.tray.set_problem(error.describe(self.lang))
            self.say(error.describe(self.lang), urgent=True)
            return
        self.session = session
        session.queue.add_listener(self._transfer_changed)
        session.making.add_listener(self._made)  # listened to, so asked for while signed in
        session.making.add_listener(session.autofetch)  # download when ready, as the setting says
        self.tray.attach(
            session.coordinator,
            directory=session.directory,
            downloads=session.queue.totals,
            notifier=Notifier(enabled=settings.notify, lang=self.lang),
        )
        session.coordinator.add_listener(self._settled)
        if session.directory is not None:
            spawn(self._load_directory(session))
        if session.bookings is not None:
            self._plan_bookings(session.client, session.bookings)
        spawn(self._resume(session))

    @staticmethod
    async def _resume(session: Session) -> None:
        """What a quit or a crash interrupted goes on; then what became ready meanwhile is
        queued, if the setting wants it (after the restore: one transfer per file)."""
        await session.queue.restore()
        await session.autofetch.catch_up()

    async def close_session(self) -> None:
        self.tray.detach()
        self.windows.close_session()  # they hold the client about to close
        session, self.session = self.session, None
        if session is not None:
            await session.close()

    async def shutdown(self) -> None:
        """Nothing left behind: no task, no connection, no server."""
        self.tray.hide()
        await self.close_session()
        self.windows.close_all()
        await cancel_all()
        if self.demo is not None:
            await self.demo.stop()
        if self.catalog is not None:
            self.catalog.close()

    async def _open_catalog(self) -> Catalog:
        """This computer's recordings; while another vmrtray or vmrctl keeps it locked, said once
        and waited for (each try waits a bounded time in a worker thread)."""
        told = False
        while self.catalog is None:
            try:
                self.catalog = await asyncio.to_thread(Catalog, data_dir() / "catalog.sqlite3")
            except CatalogBusy as busy:
                if not told:
                    self.say(busy.describe(self.lang))
                    told = True
                continue
            except CatalogUnusable as unusable:  # said once; looked at again now and then
                if not told:
                    self.say(unusable.describe(self.lang), urgent=True)
                    told = True
                await asyncio.sleep(CATALOG_RETRY)
                continue
            if self.catalog.set_aside is not None:
                self.say(
                    QCoreApplication.translate(
                        "TrayApp", "The list of recordings was damaged and begins anew; the old file is kept as {name}."
                    ).format(name=self.catalog.set_aside.name),
                    urgent=True,
                )
        return self.catalog

    async def _load_directory(self, session: Session) -> None:
        """The account's rooms, asked once at sign-in for invitations (address, passwords) and
        the dialogs' room lists; not needed to poll."""
        if session.directory is None:
            return
        try:
            await session.directory.rooms()
        except VmrError as error:
            log.info("could not list the account's rooms: %s", error)

    def _plan_bookings(self, client: Client, parts: Bookings) -> None:
        """The reminders (the agenda polls only while they are on or My bookings is open); and
        first, whatever booking a crash left unsettled (core.pending)."""
        spawn(self._settle_pending(client, parts))
        parts.agenda.on_reminder(self._remind)  # a listener, and so polled for, while reminders are on

    async def _settle_pending(self, client: Client, parts: Bookings) -> None:
        """Through the same core function as vmrctl: a booking another vmrctl or vmrtray is
        still waiting for is left to it. One whose create the service may still carry out is
        looked for again once that time is over (not only at the next start)."""
        while True:
            try:
                settled = await bookings.settle_pending(client, parts.journal, deadline=self.settings.timeout)
            except VmrError as error:
                log.info("pending bookings stay pending: %s", error)  # the next start tries again
                return
            except CoreError as error:  # the journal cannot be used: say so, once
                self.say(error.describe(self.lang), urgent=True)
                return
            for outcome in settled:
                self.tray.alert(alerts.settled(outcome, self.lang))
            if settled:
                parts.agenda.request_refresh()
            later = [outcome.in_flight for outcome in settled if outcome.in_flight is not None]
            if not later:
                return
            await asyncio.sleep((max(later) - datetime.now(max(later).tzinfo)).total_seconds() + 1.0)

    # -- what the session tells ------------------------------------------------------------------

    def _settled(self, snapshot: Snapshot, events: list[Event]) -> None:
        """After the first full refresh the start-up heap is built: freeze it, once."""
        if self._frozen or not any(room.available for room in snapshot.rooms):
            return
        self._frozen = True
        freeze_startup_heap()

    def _woke(self) -> None:
        if self.coordinator is not None:
            self.coordinator.notify_wake()

    def _made(self, made: list[Made]) -> None:
        """A stopped recording's files are listed (or never were, in 48 hours): said, in core's words."""
        for one in made:
            self.tray.alert(Alert(one.describe(self.lang), "", urgent=isinstance(one, Unlisted)))

    def _transfer_changed(self, transfer: Transfer) -> None:
        self.tray.downloads_changed()
        queue = self.session.queue if self.session else None
        alert = alerts.download(transfer, queue.transfers.values() if queue else ())
        if alert is not None:
            self.tray.alert(alert)

    def _remind(self, booking: Booking) -> None:
        self.tray.alert(alerts.reminder(booking, self._now()))

    @staticmethod
    def _now() -> datetime:
        return datetime.now().astimezone()

    def say(self, text: str, urgent: bool = False) -> None:
        self.tray.alert(Alert("vmrtray", text, urgent))

    # -- the windows -------------------------------------------------------------------------------

    def open_booking(self) -> None:
        from .booking_dialog import BookingDialog

        session = self.session
        if session is None or session.bookings is None:
            return
        parts, directory = session.bookings, session.directory

        def build() -> BookingDialog:
            dialog = BookingDialog(
                session.client,
                self.settings,
                parts.contacts,
                rooms=list(directory.known.values()) if directory is not None else [],
                directory=directory,
                lang=self.lang,
                journal=parts.journal,
            )
            dialog.booked.connect(self._booked)
            return dialog

        if (dialog := self.windows.open("book", build)) is not None:
            spawn(dialog.load())

    def _booked(self, booking: Booking) -> None:
        self.tray.alert(alerts.booked(booking))
        if self.agenda is not None:
            self.agenda.request_refresh()
        if booking.biz_product_id is not None and booking.biz_product_id != self.settings.last_booked_room:
            self.settings = self.settings.model_copy(update={"last_booked_room": booking.biz_product_id})
            spawn(self._save_settings(self.settings))

    def open_bookings(self) -> None:
        from .bookings_window import BookingsWindow

        agenda = self.agenda
        if agenda is None:
            return
        # it listens to the agenda until closed
        if self.windows.open("bookings", lambda: BookingsWindow(agenda, self.settings, lang=self.lang)) is not None:
            agenda.request_refresh()

    def open_recordings(self) -> None:
        from .recordings_window import RecordingsWindow

        if self.session is None or self.catalog is None:
            return
        queue, catalog, making = self.session.queue, self.catalog, self.session.making

        async def keep_auto_delete(on: bool) -> None:
            self.settings = self.settings.model_copy(update={"delete_after_download": on})
            await self._save_settings(self.settings)

        def build() -> RecordingsWindow:
            return RecordingsWindow(
                catalog,
                queue,
                auto_delete=self.settings.delete_after_download,
                set_auto_delete=keep_auto_delete,
                making=making,
                lang=self.lang,
            )

        if (window := self.windows.open("recordings", build)) is not None:
            spawn(window.open())

    def open_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        def build() -> SettingsDialog:
            directory = self.session.directory if self.session else None
            rooms = list(directory.known.values()) if directory is not None else []
            dialog = SettingsDialog(self.settings, self._keys(), lang=self.lang, rooms=rooms)
            dialog.saved.connect(lambda settings, _new_key: spawn(self._apply(settings)))
            return dialog

        self.windows.open("settings", build, of_session=False)  # saving it starts the next session

    def open_logs(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # -- settings and keys -------------------------------------------------------------------------

    def _keys(self) -> Keys:
        """Where keys and settings are kept: the keyring and the settings file, or the demo's memory."""
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

    async def _save_settings(self, settings: Settings) -> None:
        try:
            await self._keys().save_settings(settings)
        except OSError as exc:
            log.warning("could not save the settings: %s", exc.strerror)

    async def sync_autostart(self, settings: Settings) -> None:
        """The login entry follows the setting (never for the demo, whose settings are throwaway)."""
        if self.demo is not None:
            return
        try:
            if settings.start_at_login != await asyncio.to_thread(autostart.is_enabled):
                await asyncio.to_thread(autostart.enable if settings.start_at_login else autostart.disable)
        except OSError as exc:
            self.say(
                QCoreApplication.translate("TrayApp", "Could not change the start at login: {why}").format(
                    why=exc.strerror or exc
                )
            )

    async def _apply(self, settings: Settings) -> None:
        if settings.language != self.settings.language:
            self.say(QCoreApplication.translate("TrayApp", "The new language shows from the next start of vmrtray."))
        await self.sync_autostart(settings)
        try:
            key = await self._keys().load(settings.server or "")
        except CredentialsError as error:
            self.say(error.describe(self.lang), urgent=True)
            return
        await self.use(settings, key)


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
        app = TrayApp(lang=lang, demo=demo, icon=icon)
        instance.activated.connect(
            lambda: app.say(QCoreApplication.translate("TrayApp", "vmrtray is already running."))
        )
        notifier = _signals_to(app.quit, qapp)
        try:
            return await app.run()
        finally:
            notifier.setEnabled(False)
            instance.release()

    return int(qasync.run(run()))
