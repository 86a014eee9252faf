"""A form whose every field can show, beside it, why it is not valid."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from vmrtray.core.untrusted import plain

W = TypeVar("W", bound=QWidget)


class FieldForm(QFormLayout):
    """Rows named for the fields they hold; `show_errors` puts each reason under its field."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: dict[str, QLabel] = {}
        self.rows: dict[str, QWidget] = {}
        self.inputs: dict[str, list[QWidget]] = {}

    def row(self, name: str, label: str, widget: W) -> W:
        """A labelled row; the label names the row's inputs for screen readers, and
        focuses the first of them by its buddy link."""
        error = QLabel()
        error.setTextFormat(Qt.TextFormat.PlainText)  # a reason may quote the service or the user
        error.setStyleSheet("color: #c0392b")
        error.setWordWrap(True)
        error.hide()
        error.setObjectName(f"error:{name}")
        self.errors[name] = error
        self.rows[name] = vbox(widget, error)
        self.inputs[name] = found = inputs_of(widget)
        for field in found:
            if label and not field.accessibleName():
                field.setAccessibleName(label)
        caption = QLabel(label)
        if found:
            caption.setBuddy(found[0])
        self.addRow(caption, self.rows[name])
        return widget

    def clear_errors(self) -> None:
        for name, label in self.errors.items():
            label.hide()
            for field in self.inputs.get(name, []):
                field.setAccessibleDescription("")

    def show_errors(self, problems: Mapping[str, str], fallback: str) -> None:
        """Each reason under its field, and told by screen readers with the field; a reason
        for no shown field goes under `fallback`. The first field at fault gets the focus."""
        first: QWidget | None = None
        for field, reason in problems.items():
            name = field if field in self.errors else fallback
            label = self.errors[name]
            label.setText(reason)
            label.show()
            for widget in self.inputs.get(name, []):
                widget.setAccessibleDescription(reason)
                first = first or widget
        if first is not None and first.isVisible():
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def error(self, name: str) -> str:
        """The reason shown under `name`, or "" (for tests and for screen readers' sake)."""
        label = self.errors[name]
        return label.text() if not label.isHidden() else ""


INPUTS = (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QPlainTextEdit, QTextEdit)


def inputs_of(widget: QWidget) -> list[QWidget]:
    """`widget` if it takes input, else the inputs inside it (not a spin box's own editor)."""
    if isinstance(widget, INPUTS):
        return [widget]
    return [
        child
        for child in widget.findChildren(QWidget)
        if isinstance(child, INPUTS) and not isinstance(child.parentWidget(), INPUTS)
    ]


def window_keys(window: QWidget, refresh: Callable[[], object] | None = None) -> None:
    """What a window answers from the keyboard: Esc closes it, F5 refreshes it."""
    QShortcut(QKeySequence(Qt.Key.Key_Escape), window, window.close)
    if refresh is not None:  # F5, and the platform's own Refresh where it differs (two alike would clash)
        keys = {QKeySequence(Qt.Key.Key_F5), *QKeySequence.keyBindings(QKeySequence.StandardKey.Refresh)}
        for key in keys:
            QShortcut(key, window, lambda: refresh())


def enter_presses(dialog: QDialog, default: QPushButton) -> None:
    """Enter in a field presses `default`, never a button that merely had the focus before
    (Qt's autoDefault); the other buttons take Space. A dialog has one default at a time."""
    for button in dialog.findChildren(QPushButton):
        button.setAutoDefault(False)
    default.setDefault(True)


#: The longest sentence a status line or a field's reason shows.
SAID_LIMIT = 1000


def said(text: str) -> str:
    """A sentence that may carry the service's words (an error's message), as a label says it:
    made plain (core.untrusted)."""
    return plain(text, SAID_LIMIT)


def button_words(text: str) -> str:
    """The service's words (a room's name) on a button: plain, and every `&` doubled (a single
    one would underline the next letter as a shortcut key and vanish)."""
    return plain(text).replace("&", "&&")


def plain_button(text: str) -> QPushButton:
    """A button that Enter in a field never presses (see `enter_presses`)."""
    button = QPushButton(text)
    button.setAutoDefault(False)
    return button


def named(widget: W, name: str) -> W:
    """`widget`, told to screen readers as `name`."""
    widget.setAccessibleName(name)
    return widget


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
