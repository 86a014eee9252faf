"""A form whose every field can show, beside it, why it is not valid."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from PySide6.QtWidgets import QFileDialog, QFormLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

W = TypeVar("W", bound=QWidget)


class FieldForm(QFormLayout):
    """Rows named for the fields they hold; `show_errors` puts each reason under its field."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: dict[str, QLabel] = {}
        self.rows: dict[str, QWidget] = {}

    def row(self, name: str, label: str, widget: W) -> W:
        error = QLabel()
        error.setStyleSheet("color: #c0392b")
        error.setWordWrap(True)
        error.hide()
        error.setObjectName(f"error:{name}")
        self.errors[name] = error
        self.rows[name] = vbox(widget, error)
        self.addRow(label, self.rows[name])
        return widget

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.hide()

    def show_errors(self, problems: Mapping[str, str], fallback: str) -> None:
        """Each reason under its field; a reason for no shown field goes under `fallback`."""
        for field, reason in problems.items():
            label = self.errors.get(field) or self.errors[fallback]
            label.setText(reason)
            label.show()

    def error(self, name: str) -> str:
        """The reason shown under `name`, or "" (for tests and for screen readers' sake)."""
        label = self.errors[name]
        return label.text() if not label.isHidden() else ""


def named_button(name: str, text: str, slot: Callable[[], object]) -> QPushButton:
    """A button tests and screen readers find by `name`."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(lambda: slot())
    return button


def ask_save_path(
    parent: QWidget, title: str, suggested: Path, name_filter: str, chosen: Callable[[Path], object]
) -> QFileDialog:
    """A non-modal Save dialog (no nested event loop); `chosen` gets the path picked."""
    dialog = QFileDialog(parent, title, str(suggested))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter(name_filter)
    dialog.fileSelected.connect(lambda path: chosen(Path(path)))
    dialog.open()
    return dialog


def _boxed(kind: type[QHBoxLayout] | type[QVBoxLayout], *widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = kind(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return holder


def hbox(*widgets: QWidget) -> QWidget:
    return _boxed(QHBoxLayout, *widgets)


def vbox(*widgets: QWidget) -> QWidget:
    return _boxed(QVBoxLayout, *widgets)
