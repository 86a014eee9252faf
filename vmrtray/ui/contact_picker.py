"""Picking participants among thousands of contacts: search as you type, tick several.

The model is a thin view over core's list of people: a search replaces the visible rows
(one reset, no per-row Python callbacks as a QSortFilterProxyModel would make), and the
ticked ids live apart from the view, so a search never loses a choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QPushButton, QVBoxLayout, QWidget

from vmrtray.core.contacts import Person, search

from .forms import hbox

Index = QModelIndex | QPersistentModelIndex


class ContactModel(QAbstractListModel):
    checked_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.people: list[Person] = []
        self.visible: list[int] = []
        self.checked: dict[str, Person] = {}
        self._searched = ""

    def set_people(self, people: Sequence[Person]) -> None:
        self.beginResetModel()
        self.people = list(people)
        self.visible = list(range(len(self.people)))
        self._searched = ""
        self.endResetModel()

    def filter(self, text: str) -> None:
        narrowing = bool(self._searched) and text.startswith(self._searched)
        found = search(self.people, text, self.visible if narrowing else None)
        self._searched = text
        if found == self.visible:
            return
        self.beginResetModel()
        self.visible = found
        self.endResetModel()

    def person(self, row: int) -> Person:
        return self.people[self.visible[row]]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.visible)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        person = self.person(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{person.name}  ({person.account or person.id})"
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if person.id in self.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.UserRole:
            return person.id
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsUserCheckable

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        person = self.person(index.row())
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.checked[person.id] = person
        else:
            self.checked.pop(person.id, None)
        self.dataChanged.emit(index, index, [role])
        self.checked_changed.emit()
        return True

    def toggle(self, row: int) -> None:
        index = self.index(row)
        state = Qt.CheckState.Unchecked if self.person(row).id in self.checked else Qt.CheckState.Checked
        self.setData(index, state, Qt.ItemDataRole.CheckStateRole)


class ContactPicker(QWidget):
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ContactModel()
        self.search = QLineEdit()
        self.search.setObjectName("contact-search")
        self.search.setPlaceholderText(self.tr("Search by name, account or id"))
        self.search.setClearButtonEnabled(True)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)  # 5,000 rows lay out without measuring each
        self.view.setMinimumHeight(120)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # it says the service's errors: never markup
        self.refresh = QPushButton(self.tr("Refresh contacts"))
        self.refresh.setObjectName("contacts-refresh")
        self.refresh.clicked.connect(self.refresh_requested.emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.view)
        layout.addWidget(hbox(self.summary, self.refresh))
        self.search.installEventFilter(self)
        self.view.setAccessibleName(self.tr("Participants"))
        self.search.textChanged.connect(self.model.filter)
        self.model.checked_changed.connect(self._summarise)
        self.model.modelReset.connect(self._summarise)
        self._summarise()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the search picks the first person shown (and does not book the dialog)."""
        enter = isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if watched is self.search and event.type() == QEvent.Type.KeyPress and enter:
            if self.model.visible:
                self.model.toggle(0)
            return True
        return super().eventFilter(watched, event)

    def set_people(self, people: Sequence[Person]) -> None:
        self.model.set_people(people)
        self.model.filter(self.search.text())

    def set_status(self, text: str) -> None:
        self.summary.setText(text)

    def chosen(self) -> list[str]:
        return list(self.model.checked)

    def _summarise(self) -> None:
        shown, total, picked = len(self.model.visible), len(self.model.people), len(self.model.checked)
        self.summary.setText(
            self.tr("{picked} chosen · {shown} of {total} shown").format(picked=picked, shown=shown, total=total)
        )
