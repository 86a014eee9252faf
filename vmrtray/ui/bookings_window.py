"""My bookings: upcoming and past, details, the invitation, .ics, cancel — over core's Agenda.

The table is a thin model over the agenda's list (columns declared as data, one reset per
refresh); the window reads the agenda and asks it to refresh, it never fetches by itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from vmrtray.api import Booking, Lang, VmrError
from vmrtray.core import bookings, localtime
from vmrtray.core.agenda import Agenda
from vmrtray.core.ics import save_ics
from vmrtray.core.invitation import booking_invitation
from vmrtray.core.settings import Settings
from vmrtray.core.untrusted import plain

from .asyncutil import spawn
from .forms import ask_save_path, hbox, named, named_button, said, window_keys

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    title: str
    value: Callable[[Booking], str]


def _local(booking: Booking) -> str:
    """Its time in the local zone; a time the clocks repeat with its UTC offset."""
    return localtime.span(booking.start_date, booking.end_date)


class BookingsModel(QAbstractTableModel):
    COLUMNS = (
        Column(str(QT_TRANSLATE_NOOP("BookingsModel", "When")), _local),
        Column(str(QT_TRANSLATE_NOOP("BookingsModel", "Theme")), lambda b: b.theme),
        Column(str(QT_TRANSLATE_NOOP("BookingsModel", "Room")), lambda b: b.sipkey or ""),
        Column(str(QT_TRANSLATE_NOOP("BookingsModel", "People")), lambda b: str(len(b.visitor_list))),
        Column(str(QT_TRANSLATE_NOOP("BookingsModel", "Booking ID")), lambda b: b.id),
    )

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Booking] = []

    def set_rows(self, rows: Sequence[Booking]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.DisplayRole:  # the service's words, made plain
            return plain(self.COLUMNS[index.column()].value(self.rows[index.row()]))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.COLUMNS[section].title)
        return None


class BookingsWindow(QWidget):
    def __init__(self, agenda: Agenda, settings: Settings, *, lang: Lang = "en", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("My bookings"))
        self.agenda, self.settings, self.lang = agenda, settings, lang
        self.which = named(QComboBox(), self.tr("Which bookings"))
        self.which.addItem(self.tr("Upcoming"), "upcoming")
        self.which.addItem(self.tr("Past"), "past")
        self.which.currentIndexChanged.connect(self.show_rows)
        self.model = BookingsModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        named(self.table, self.tr("My bookings"))
        self.details = named(QPlainTextEdit(), self.tr("Invitation"))
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(150)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # it says the service's words
        self.status.setWordWrap(True)
        self.status.setObjectName("status")
        self.buttons = {
            name: named_button(name, text, slot)
            for name, text, slot in (
                ("refresh", self.tr("Refresh"), self.agenda.request_refresh),
                ("copy", self.tr("Copy invitation"), self.copy_invitation),
                ("ics", self.tr("Export .ics…"), self._choose_ics),
                ("cancel", self.tr("Cancel booking…"), self.ask_cancel),
            )
        }
        layout = QVBoxLayout(self)
        layout.addWidget(self.which)
        layout.addWidget(self.table)
        layout.addWidget(self.details)
        layout.addWidget(self.status)
        layout.addWidget(hbox(*self.buttons.values()))
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self._unlisten = agenda.add_listener(lambda _: self.show_rows())
        window_keys(self, self.agenda.request_refresh)
        self.show_rows()
        self.resize(720, 480)

    def closeEvent(self, event: Any) -> None:
        self._unlisten()
        super().closeEvent(event)

    # -- what is shown -------------------------------------------------------------------------

    def show_rows(self) -> None:
        chosen = self.selected()
        rows = self.agenda.upcoming() if self.which.currentData() == "upcoming" else self.agenda.past()
        self.model.set_rows(rows)
        ids = [b.id for b in rows]
        if chosen is not None and chosen.id in ids:
            self.table.selectRow(ids.index(chosen.id))
        elif rows:
            self.table.selectRow(0)
        self._selected()
        error = self.agenda.error
        if error is not None:
            self.status.setText(self.tr("Showing the last list: {why}").format(why=said(error.describe(self.lang))))
        elif not rows:
            self.status.setText(self.tr("No bookings."))
        else:
            self.status.clear()

    def selected(self) -> Booking | None:
        picked = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.rows[picked[0].row()] if picked and picked[0].row() < len(self.model.rows) else None

    def _selected(self) -> None:
        booking = self.selected()
        self.details.setPlainText(booking_invitation(booking, lang=self.lang) if booking else "")
        for name in ("copy", "ics", "cancel"):
            self.buttons[name].setEnabled(booking is not None)

    # -- actions -------------------------------------------------------------------------------

    def copy_invitation(self) -> None:
        if (booking := self.selected()) is not None:
            QGuiApplication.clipboard().setText(booking_invitation(booking, lang=self.lang))

    def _choose_ics(self) -> None:
        booking = self.selected()
        if booking is None:
            return
        suggested = Path.home() / f"booking-{booking.id}.ics"
        filter_ = self.tr("Calendar files (*.ics)")
        ask_save_path(
            self, self.tr("Export to calendar"), suggested, filter_, lambda path: spawn(self.export_ics(path, booking))
        )

    async def export_ics(self, path: Path, booking: Booking) -> bool:
        host = self.agenda.api.origin_host
        try:
            await asyncio.to_thread(save_ics, path, [booking], self.settings.zone, host=host)
        except OSError as exc:
            self.status.setText(self.tr("Could not write {path}: {why}").format(path=path, why=exc.strerror))
            return False
        self.status.setText(self.tr("Written to {path}").format(path=path))
        return True

    def ask_cancel(self) -> QMessageBox | None:
        """Ask first (non-modal); the answer Yes cancels."""
        booking = self.selected()
        if booking is None:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Cancel booking"),
            self.tr("Cancel “{theme}”, {when}? Everyone invited loses the meeting.").format(
                theme=plain(booking.theme), when=_local(booking)
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        yes = QMessageBox.StandardButton.Yes.value
        box.finished.connect(lambda answer: spawn(self.cancel(booking)) if answer == yes else None)
        box.open()
        return box

    async def cancel(self, booking: Booking) -> bool:
        self.buttons["cancel"].setEnabled(False)
        try:
            await bookings.cancel(self.agenda.api, booking.id)
        except VmrError as error:
            self.status.setText(said(error.describe(self.lang)))
            self.buttons["cancel"].setEnabled(True)
            return False
        await self.agenda.refresh()
        self.status.setText(self.tr("Cancelled “{theme}”.").format(theme=plain(booking.theme)))
        return True
