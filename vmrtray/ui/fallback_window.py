"""Where the desktop has no system tray: the same state and the same menu, in a small window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QMenu, QPushButton, QVBoxLayout, QWidget

from vmrtray.core.events import Snapshot
from vmrtray.core.notifications import Alert

from .room_words import RoomWords


class FallbackWindow(QWidget):
    def __init__(self, menu: QMenu, words: RoomWords) -> None:
        """`menu`: the tray's own menu, opened by the window's Menu button."""
        super().__init__()
        self.words = words
        self.setWindowTitle(self.tr("vmrtray"))
        layout = QVBoxLayout(self)
        notice = QLabel(self.tr("This desktop has no system tray, so vmrtray shows itself in this window."))
        notice.setWordWrap(True)
        self.summary = QLabel()
        self.rooms = QLabel()
        self.last_alert = QLabel()
        self.last_alert.setWordWrap(True)
        for label in (self.summary, self.rooms, self.last_alert):  # the service's words, never markup
            label.setTextFormat(Qt.TextFormat.PlainText)
        button = QPushButton(self.tr("Menu"))
        button.setMenu(menu)
        for widget in (notice, self.summary, self.rooms, self.last_alert, button):
            layout.addWidget(widget)

    def show_state(self, icon: QIcon, summary: str, snapshot: Snapshot | None) -> None:
        """What the tray icon would show: its picture, its tooltip, and each room's line."""
        self.setWindowIcon(icon)
        self.summary.setText(summary)
        rooms = snapshot.rooms if snapshot else ()
        self.rooms.setText("\n".join(f"{r.label} — {self.words.summary(r)}" for r in rooms))

    def show_alert(self, alert: Alert) -> None:
        self.last_alert.setText(f"{alert.title}: {alert.body}")
