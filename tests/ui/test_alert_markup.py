"""An alert's words reach the desktop as words: where Qt hands them to the notification
service over D-Bus (QDBusTrayIcon::showMessage passes title and body unchanged, and the
freedesktop body is markup), `&`, `<` and `>` are escaped; where Qt shows its own balloon
(XEmbed, Qt::PlainText) or the system's (Windows, macOS), they are left as they are."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon

from vmrtray.core.notifications import Alert
from vmrtray.ui.fallback_window import FallbackWindow
from vmrtray.ui.tray import Tray, desktop_takes_markup

LINK = '<a href="https://evil/">sign in again</a> & <b>now</b>'


class ShownIcon(QSystemTrayIcon):
    """A tray icon that writes down what it is asked to show."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[tuple[Any, ...]] = []

    def isVisible(self) -> bool:
        return True

    def showMessage(self, *args: Any) -> None:  # type: ignore[override]
        self.shown.append(args)


def test_through_dbus_the_service_words_are_escaped(qapp: object) -> None:
    icon = ShownIcon()
    tray = Tray(icon=icon, markup=True)
    tray.alert(Alert("R&D <room>", LINK, urgent=True))
    title, body = icon.shown[0][:2]
    assert body == '&lt;a href="https://evil/"&gt;sign in again&lt;/a&gt; &amp; &lt;b&gt;now&lt;/b&gt;'
    assert title == "R＆D ＜room＞"  # the summary is plain text to the spec: look-alikes, no entity
    assert tray.alerts[0].body == LINK  # the alert itself keeps the words
    tray.hide()


def test_where_qt_shows_plain_text_the_words_are_left_alone(qapp: object) -> None:
    icon = ShownIcon()
    tray = Tray(icon=icon, markup=False)
    tray.alert(Alert("R&D <room>", LINK))
    assert icon.shown[0][:2] == ("R&D <room>", LINK)
    tray.hide()


def test_the_path_is_decided_as_qt_decides_it(qapp: object, monkeypatch: pytest.MonkeyPatch) -> None:
    # not X11 (Wayland, here offscreen): Qt has only the D-Bus tray
    assert QGuiApplication.platformName() != "xcb"
    assert desktop_takes_markup()
    monkeypatch.setattr("sys.platform", "win32")
    assert not desktop_takes_markup()


def test_the_fallback_window_shows_markup_as_words(qapp: object) -> None:
    from PySide6.QtWidgets import QMenu

    window = FallbackWindow(QMenu(), Tray(markup=True).words)
    window.show_alert(Alert("room", LINK))
    assert window.last_alert.textFormat() == Qt.TextFormat.PlainText
    assert window.rooms.textFormat() == Qt.TextFormat.PlainText
    assert LINK in window.last_alert.text()
    window.close()
