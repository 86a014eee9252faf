"""Recordings…: every recording the app knows of, filtered, sorted; download, tidy the cloud.

The window reads the catalog (in a worker thread) and the download queue; it does not
download by itself. Actions apply to every selected row. Deleting from the cloud asks
first, naming the files; the local copies stay unless the user ticks otherwise.

A recording stopped and not listed yet is being made (core.making): the window follows the
session's FilesWatch, shows when its files are asked for next, offers "Check now", and
reads the catalog again when one is ready or given up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QItemSelectionModel, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from vmrtray.api import Lang, VmrError
from vmrtray.core import recordings
from vmrtray.core.catalog import Catalog, CatalogEntry, FileRow
from vmrtray.core.download_queue import DownloadQueue
from vmrtray.core.errors import CoreError, NoFiles
from vmrtray.core.making import FilesWatch, Made
from vmrtray.core.targets import DownloadError, remove_files
from vmrtray.core.untrusted import plain

from .asyncutil import spawn
from .forms import hbox, named, named_button, window_keys
from .recordings_model import RecordingsModel

ALL_ROOMS = ""
#: The longest sentence the status line shows.
SAID_LIMIT = 1000
FIRST_PAGE = 500
#: The actions also offered on a right click in the table (as the buttons, enabled with them).
IN_MENU = ("download", "check", "pause", "resume", "cancel", "copy-link", "open", "show", "delete")


class RecordingsWindow(QWidget):
    def __init__(
        self,
        catalog: Catalog,
        queue: DownloadQueue,
        *,
        auto_delete: bool = False,
        set_auto_delete: Callable[[bool], Coroutine[Any, Any, None]] | None = None,
        making: FilesWatch | None = None,
        lang: Lang = "en",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Recordings"))
        self.catalog, self.queue, self.making, self.lang = catalog, queue, making, lang
        self.model = RecordingsModel(self)
        self.model.set_transfers(queue.transfers)
        self._filters()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)  # fixed rows: 100,000 lay out at once
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((80, 140, 130, 70, 80)):
            self.table.setColumnWidth(column, width)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # it says the service's words
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.buttons = {name: named_button(name, text, slot) for name, text, slot in self._actions()}
        self.buttons["copy-link"].setToolTip(
            self.tr("A signed link to the file in the cloud; it expires within hours.")
        )
        self.buttons["delete"].setToolTip(self.tr("Asks first, naming the files; the downloaded copies stay."))
        self.buttons["add"].setToolTip(self.tr("A recording started elsewhere (the portal, a colleague) by its ID."))
        self.buttons["check"].setToolTip(
            self.tr("Ask the service now whether the files of a recording being made are listed.")
        )
        self._context_menu()
        named(self.table, self.tr("Recordings"))
        window_keys(self, lambda: self._spawn(self.refresh()))
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, lambda: self.search.setFocus())
        self.auto_delete = QCheckBox(self.tr("Delete from the cloud once downloaded and verified"))
        self.auto_delete.setChecked(auto_delete)
        if set_auto_delete is not None:
            self.auto_delete.toggled.connect(lambda on: spawn(set_auto_delete(on)))
        layout = QVBoxLayout(self)
        layout.addWidget(hbox(self.search, self.room, self.by_date, self.since, self.until))
        layout.addWidget(self.table)
        layout.addWidget(self.status)
        names = list(self.buttons)
        layout.addWidget(hbox(*(self.buttons[n] for n in names[:6])))
        layout.addWidget(hbox(*(self.buttons[n] for n in names[6:])))
        layout.addWidget(self.auto_delete)
        self._unlisten = queue.add_listener(self.model.transfer_changed)
        self._unlisten_making = making.add_listener(self._made) if making is not None else None
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()
        self.resize(900, 560)

    def _filters(self) -> None:
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("Filter by room, name or recording ID"))
        self.search.setClearButtonEnabled(True)
        named(self.search, self.tr("Filter by room, name or recording ID"))
        self.room = named(QComboBox(), self.tr("Room"))
        self.room.addItem(self.tr("All rooms"), ALL_ROOMS)
        self.by_date = QCheckBox(self.tr("From"))
        today = QDate.currentDate()
        self.since = named(QDateEdit(today.addMonths(-1)), self.tr("From date"))
        self.until = named(QDateEdit(today), self.tr("To date"))
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            edit.dateChanged.connect(self.apply_filter)
        self.by_date.toggled.connect(self.since.setEnabled)
        self.by_date.toggled.connect(self.until.setEnabled)
        self.by_date.toggled.connect(self.apply_filter)
        self.search.textChanged.connect(self.apply_filter)
        self.room.currentIndexChanged.connect(self.apply_filter)

    def _actions(self) -> list[tuple[str, str, Callable[[], Any]]]:
        return [
            ("download", self.tr("Download"), lambda: self._spawn(self.download())),
            ("pause", self.tr("Pause"), lambda: self._spawn(self._each_transfer(self.queue.pause))),
            ("resume", self.tr("Resume"), lambda: self._spawn(self._each_transfer(self.queue.resume))),
            ("cancel", self.tr("Cancel"), lambda: self._spawn(self._each_transfer(self.queue.cancel))),
            ("check", self.tr("Check now"), lambda: self._spawn(self.check_now())),
            ("copy-link", self.tr("Copy link"), lambda: self._spawn(self.copy_link())),
            ("open", self.tr("Open"), lambda: self._spawn(self.open_local(folder=False))),
            ("show", self.tr("Show in folder"), lambda: self._spawn(self.open_local(folder=True))),
            ("delete", self.tr("Delete from cloud…"), lambda: self._spawn(self.ask_delete())),
            ("refresh", self.tr("Refresh"), lambda: self._spawn(self.refresh())),
            ("add", self.tr("Add recording ID…"), self.ask_add),
        ]

    def _context_menu(self) -> None:
        """A right click on the table offers the row actions, enabled as their buttons are."""
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.menu_actions: dict[str, QAction] = {}
        for name in IN_MENU:
            button = self.buttons[name]
            action = QAction(button.text(), self.table)
            action.setObjectName(name)
            action.triggered.connect(button.click)
            self.table.addAction(action)
            self.menu_actions[name] = action

    def _spawn(self, work: Awaitable[object]) -> None:
        spawn(self._telling(work))

    async def _telling(self, work: Awaitable[object]) -> None:
        """An action's own condition (a catalog busy in another vmrtray or vmrctl, …) said in the
        status line instead of lost in the log."""
        try:
            await work
        except (VmrError, CoreError, DownloadError) as error:
            self.say(error.describe(self.lang))

    def closeEvent(self, event: Any) -> None:
        self._unlisten()
        if self._unlisten_making is not None:
            self._unlisten_making()
            self._unlisten_making = None
        super().closeEvent(event)

    # -- what is shown -------------------------------------------------------------------------

    async def open(self) -> None:
        """What the catalog knows at once; then the files of recordings never listed yet."""
        await self.reload()
        if any(not row.files and not row.deleted for row in self.model.rows):
            await self.refresh()

    async def reload(self) -> None:
        """The newest recordings at once, then all of them (100,000 take ~0.4 s to read)."""
        self.model.set_transfers(self.queue.transfers)
        entries = await asyncio.to_thread(self.catalog.entries, limit=FIRST_PAGE)
        if len(entries) == FIRST_PAGE:
            self._show(entries)
            entries = await asyncio.to_thread(self.catalog.entries)
        self._show(entries)

    def _show(self, entries: list[CatalogEntry]) -> None:
        selected = set(self.selected())
        self.model.set_entries(entries)
        self._reselect(selected)
        rooms = sorted({e.room for e in entries if e.room})
        room = self.room.currentData()
        self.room.blockSignals(True)
        self.room.clear()
        self.room.addItem(self.tr("All rooms"), ALL_ROOMS)
        for each in rooms:
            self.room.addItem(each, each)
        self.room.setCurrentIndex(max(0, self.room.findData(room)))
        self.room.blockSignals(False)
        self._selection_changed()

    def _reselect(self, record_ids: set[str]) -> None:
        """After a reload, the same recordings stay selected."""
        if not record_ids:
            return
        selection = self.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for shown, n in enumerate(self.model.visible):
            if self.model.rows[n].record_id in record_ids:
                selection.select(self.model.index(shown, 0), flags)

    def apply_filter(self) -> None:
        dated = self.by_date.isChecked()
        self.model.set_filter(
            self.search.text(),
            self.room.currentData() or None,
            _date(self.since.date()) if dated else None,
            _date(self.until.date()) if dated else None,
        )

    def selected(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return self.model.selected_ids(rows)

    def _selection_changed(self) -> None:
        chosen = self.selected()
        for name in ("download", "pause", "resume", "cancel", "copy-link", "open", "show", "delete"):
            self.buttons[name].setEnabled(bool(chosen))
        self.buttons["check"].setEnabled(bool(self._being_made(chosen)))
        for name, action in self.menu_actions.items():
            action.setEnabled(self.buttons[name].isEnabled())

    def _being_made(self, record_ids: list[str]) -> list[str]:
        """Those of `record_ids` whose files are still asked for (none without a session's watch)."""
        return [r for r in record_ids if r in self.model.being_made] if self.making is not None else []

    def say(self, text: str) -> None:
        """A sentence in the status line: it may carry the service's words (a failedReason, a
        record id, an error message), made plain (core.untrusted)."""
        self.status.setText(plain(text, SAID_LIMIT))

    # -- actions -------------------------------------------------------------------------------

    async def download(self) -> None:
        for record_id in self.selected():
            try:
                await self.queue.add(record_id)
            except (VmrError, NoFiles, DownloadError) as error:  # no file, no free name for it
                self.say(error.describe(self.lang))
            except OSError as error:
                self.say(self.tr("Cannot use the download folder: {why}").format(why=error.strerror or error))
                return
        self.model.set_transfers(self.queue.transfers)
        await self.reload()

    async def _each_transfer(self, action: Callable[[tuple[str, int]], Awaitable[None]]) -> None:
        chosen = set(self.selected())
        for key in [k for k in self.queue.transfers if k[0] in chosen]:
            await action(key)
        await self.reload()

    async def _files(self, record_id: str) -> list[FileRow]:
        return await asyncio.to_thread(self.catalog.files, record_id)

    async def copy_link(self) -> None:
        links = [row.down_url for record_id in self.selected() for row in await self._files(record_id)]
        if links:
            QGuiApplication.clipboard().setText("\n".join(links))
            self.say(self.tr("Copied %n link(s); they expire within hours.", "", len(links)))

    async def open_local(self, *, folder: bool) -> None:
        paths = [Path(r.local_path) for rid in self.selected() for r in await self._files(rid) if r.local_path]
        present = [p for p in paths if await asyncio.to_thread(p.exists)]
        if not present:
            self.say(self.tr("Not downloaded yet."))
            return
        target = present[0].parent if folder else present[0]
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    async def ask_delete(self) -> QMessageBox | None:
        """Name the files and ask; the local copies stay unless ticked."""
        chosen = self.selected()
        names = [
            plain(Path(r.local_path).name if r.local_path else f"{r.record_id} #{r.idx + 1}")
            for record_id in chosen
            for r in await self._files(record_id)
        ]
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Delete from the cloud"),
            self.tr("Delete %n recording(s) from the cloud? This cannot be undone.", "", len(chosen)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # the names are the service's words
        box.setDetailedText("\n".join(names) or "\n".join(plain(r) for r in chosen))
        box.setInformativeText("\n".join(names[:8]) + ("\n…" if len(names) > 8 else ""))
        local = QCheckBox(self.tr("Also delete the downloaded copies on this computer"))
        box.setCheckBox(local)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        yes = QMessageBox.StandardButton.Yes.value

        def answered(answer: int) -> None:
            if answer == yes:
                self._spawn(self.delete(chosen, local.isChecked()))

        box.finished.connect(answered)
        box.open()
        return box

    async def delete(self, record_ids: list[str], local: bool) -> None:
        deleted = 0
        for record_id in record_ids:
            try:
                await recordings.delete(self.queue.api, self.catalog, record_id)
            except (VmrError, NoFiles) as error:
                self.say(error.describe(self.lang))
                continue
            deleted += 1
            if local:
                rows = await self._files(record_id)
                await asyncio.to_thread(remove_files, *(Path(r.local_path) for r in rows if r.local_path))
        await self.reload()
        if deleted:
            self.say(self.tr("Deleted %n recording(s) from the cloud.", "", deleted))

    def _made(self, made: list[Made]) -> None:
        """FilesWatch's turn: a recording ready or given up reads the catalog again; otherwise
        only the next-check times of the recordings being made change in place."""
        self._spawn(self._follow(made))

    async def _follow(self, made: list[Made]) -> None:
        if not made:
            due = {record_id: at for record_id, _, at, _ in await asyncio.to_thread(self.catalog.being_made)}
            if self.model.schedule_changed(due):
                return
        await self.reload()

    async def check_now(self) -> None:
        """Ask at once for the files of the selected recordings being made (FilesWatch.check_now)."""
        chosen = self._being_made(self.selected())
        if self.making is None or not chosen:
            return
        for record_id in chosen:
            await self.making.check_now(record_id)
        self.say(self.tr("Asking the service for the files of %n recording(s)…", "", len(chosen)))
        await self.reload()

    async def refresh(self) -> None:
        """Ask the service for the files of the selected recordings and of those never listed.

        A recording being made is the watch's: asked through it (Check now) when selected,
        else left to its schedule, so that its listing is told as ready (an alert, the
        download-when-ready) instead of found here in passing."""
        chosen = self.selected()
        wanted = set(chosen) | set(await asyncio.to_thread(self.catalog.unlisted))
        if self.making is not None:
            made = {record_id for record_id, *_ in await asyncio.to_thread(self.catalog.being_made)}
            for record_id in sorted(made.intersection(chosen)):
                await self.making.check_now(record_id)
            wanted -= made
        failures = 0
        for record_id in sorted(wanted):
            try:
                await recordings.show(self.queue.api, self.catalog, record_id)
            except (VmrError, NoFiles):
                failures += 1
        await self.reload()
        if failures:
            self.say(
                self.tr("%n recording(s) could not be listed (unknown, deleted, or still recording).", "", failures)
            )

    def ask_add(self) -> QInputDialog:
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Add recording ID"))
        dialog.setLabelText(self.tr("Recording ID (from openRecord, the portal or a colleague):"))
        dialog.textValueSelected.connect(lambda text: self._spawn(self.add(text)))
        dialog.open()
        return dialog

    async def add(self, text: str) -> bool:
        record_id = text.strip()
        if not record_id or any(c.isspace() for c in record_id) or len(record_id) > 64:
            self.say(self.tr("{text!r} is not a recording ID.").format(text=text))
            return False
        try:
            await recordings.show(self.queue.api, self.catalog, record_id)
        except (VmrError, NoFiles) as error:
            self.say(error.describe(self.lang))
            return False
        await self.reload()
        self.say(self.tr("Added {id}.").format(id=record_id))
        return True


def _date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
