"""The tray icon, its tooltip and alerts, all drawn from the coordinator's snapshots.

The tray never polls: it follows the coordinator and shows what it publishes, handing the
same state to its menu (`tray_menu`) and, where the desktop has no tray, to the small
window that stands in for the icon (`fallback_window`). How a room's state is worded lives
in `room_words`.
"""

from __future__ import annotations

import html
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QIcon
from PySide6.QtWidgets import QSystemTrayIcon

from vmrtray.api import Lang
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.directory import RoomDirectory
from vmrtray.core.events import Busy, Event, Snapshot, refused_request
from vmrtray.core.notifications import Alert, Notifier

from .fallback_window import FallbackWindow
from .icons import Style, TrayState, light_ink, state_of, tray_icon
from .room_words import RoomWords
from .tray_menu import MenuState, TrayMenu

ALERT_CHECK_MS = 5000

# Bytes done, bytes in all, files active: the download queue's totals.
Downloads = Callable[[], tuple[int, int, int]]

#: A title's markup characters as full-width look-alikes: the summary is plain text to the
#: notification spec and to GNOME (an entity would show as "&amp;"), and markup to some daemons.
_TITLE_LOOKALIKES = str.maketrans({"&": "＆", "<": "＜", ">": "＞"})


def desktop_takes_markup() -> bool:
    """Whether QSystemTrayIcon.showMessage hands its words to the desktop's notification service
    over D-Bus (QDBusTrayIcon: title and body passed unchanged to org.freedesktop.Notifications,
    whose body is markup), as Qt decides it (QGenericUnixTheme::shouldUseDBusTray): on a Unix
    desktop, always but on X11, and on X11 when a StatusNotifierWatcher is on the session bus.
    Otherwise (Windows, macOS, X11's XEmbed balloon, which sets Qt::PlainText) the words are
    shown as plain text."""
    if sys.platform in ("win32", "darwin"):
        return False
    if QGuiApplication.platformName() != "xcb":
        return True
    try:
        from PySide6.QtDBus import QDBusConnection
    except ImportError:  # pragma: no cover - PySide6-Essentials ships QtDBus on Linux
        return True  # cannot tell: escaped words are the safe side
    bus = QDBusConnection.sessionBus()
    interface = bus.interface() if bus.isConnected() else None
    if interface is None:
        return False
    return bool(interface.isServiceRegistered("org.kde.StatusNotifierWatcher").value())


def desktop_words(title: str, body: str, *, markup: bool) -> tuple[str, str]:
    """The alert as handed to showMessage: where the desktop reads markup, the body's `&`, `<`
    and `>` escaped (a failedReason '<a href="https://evil/">sign in again</a>' stays words,
    not a link), and the title's replaced by look-alikes."""
    if not markup:
        return title, body
    return title.translate(_TITLE_LOOKALIKES), html.escape(body, quote=False)


class Tray(QObject):
    """Owns the icon (or the fallback window) and the menu, and says the alerts."""

    def __init__(
        self,
        *,
        lang: Lang = "en",
        demo: bool = False,
        notifier: Notifier | None = None,
        icon: QSystemTrayIcon | None = None,
        markup: bool | None = None,
    ) -> None:
        """`notifier`: which events become alerts, until a session brings its own (`attach`);
        `icon`: the one the launcher may have put on screen already; `markup`: whether the
        desktop reads an alert's words as markup (None: as Qt decides, `desktop_takes_markup`)."""
        super().__init__()
        # decided once, as Qt decides its tray's path once, when the icon is made
        self.markup = desktop_takes_markup() if markup is None else markup
        self.lang = lang
        self.demo = demo
        self.notifier = self._default_notifier = notifier or Notifier(lang=lang)
        self.snapshot: Snapshot | None = None
        self.coordinator: Coordinator | None = None
        self.downloads: Downloads | None = None
        self.alerts: list[Alert] = []  # every alert shown, newest last (tests and the window read it)
        self.has_credentials = False
        self.problem: str | None = None  # why no session could be opened (the proxy, the CA file)
        self.state = TrayState.SIGNED_OUT
        self._remove_listener: Callable[[], None] | None = None
        self.icon_style: Style = "colour"
        self._icons: dict[tuple[TrayState, Style, bool], QIcon] = {}
        self.words = RoomWords(lang)
        self.menu = TrayMenu(self.words, header=self.tooltip, alert=self.alert)
        self.icon = icon or QSystemTrayIcon()
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.window: FallbackWindow | None = None
        self._alert_timer = QTimer(self)
        self._alert_timer.setInterval(ALERT_CHECK_MS)
        self._alert_timer.timeout.connect(self._flush_held_alerts)
        hints = QGuiApplication.styleHints()
        if hints is not None:  # the panel turned light or dark: the monochrome ink follows
            hints.colorSchemeChanged.connect(self._render)
        self._render()

    # -- wiring ------------------------------------------------------------------------------

    def show(self) -> None:
        """The tray icon where the desktop has a tray, else the small window."""
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon.show()
        else:
            self.window = FallbackWindow(self.menu, self.words)
            self._render()
            self.window.show()
        self._alert_timer.start()

    def attach(
        self,
        coordinator: Coordinator | None,
        *,
        has_credentials: bool = True,
        directory: RoomDirectory | None = None,
        downloads: Downloads | None = None,
        notifier: Notifier | None = None,
    ) -> None:
        """Follow `coordinator` (None: signed out, nothing to follow) and the session's parts:
        its room `directory` (invitations), its `downloads` (the tooltip) and its `notifier`."""
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None
        self.coordinator = coordinator
        self.has_credentials = has_credentials
        self.problem = None
        self.downloads = downloads
        self.notifier = notifier or self._default_notifier
        self.snapshot = coordinator.snapshot if coordinator else None
        self.menu.follow(coordinator, directory)
        if coordinator is not None:
            self._remove_listener = coordinator.add_listener(self._on_update)
        self._render()

    def detach(self) -> None:
        self.attach(None, has_credentials=self.has_credentials)

    def set_problem(self, sentence: str) -> None:
        """No session could be opened, for `sentence`'s reason (a proxy or CA file that cannot be
        used): shown as the service unreachable, with the sentence, until the next `attach`."""
        self.problem = sentence
        self._render()

    def set_demo(self, demo: bool) -> None:
        """Say DEMO (and offer no demo) while the demo runs."""
        if demo != self.demo:
            self.demo = demo
            self._render()

    def set_icon_style(self, style: Style) -> None:
        if style != self.icon_style:
            self.icon_style = style
            self._render()

    def _on_update(self, snapshot: Snapshot, events: list[Event]) -> None:
        self.snapshot = snapshot
        self.menu.add_events(events)
        self._render()
        for alert in self.notifier.push(events, time.monotonic()):
            self.alert(alert)

    def _flush_held_alerts(self) -> None:
        for alert in self.notifier.due(time.monotonic()):
            self.alert(alert)

    def alert(self, alert: Alert) -> None:
        self.alerts.append(alert)
        kind = QSystemTrayIcon.MessageIcon.Warning if alert.urgent else QSystemTrayIcon.MessageIcon.Information
        if self.icon.isVisible():
            self.icon.showMessage(*desktop_words(alert.title, alert.body, markup=self.markup), kind, 8000)
        if self.window is not None:
            self.window.show_alert(alert)

    # -- rendering ------------------------------------------------------------------------------

    def _render(self) -> None:
        self.state = state_of(self.snapshot) if self.has_credentials else TrayState.SIGNED_OUT
        if self.problem is not None:
            self.state = TrayState.UNREACHABLE
        icon = self._icon(self.state, self.icon_style)
        summary = self.tooltip()
        self.icon.setIcon(icon)
        self.icon.setToolTip(summary)
        signed_in = self.has_credentials and self.snapshot is not None and not self.snapshot.signed_out
        self.menu.show_state(MenuState(self.snapshot, signed_in=signed_in, demo=self.demo))
        if self.window is not None:
            self.window.show_state(icon, summary, self.snapshot)

    def _icon(self, state: TrayState, style: Style) -> QIcon:
        key = (state, style, light_ink(style))
        if key not in self._icons:
            self._icons[key] = tray_icon(*key)
        return self._icons[key]

    def tooltip(self) -> str:
        """The whole state in one line: the icon's tooltip, the menu's first line, the window's summary."""
        parts = [self.tr("vmrtray")]
        if self.demo:
            parts.insert(0, self.tr("DEMO"))
        snap = self.snapshot
        if self.problem is not None:
            parts.append(self.problem)
        elif not self.has_credentials or snap is None:
            parts.append(self.tr("not signed in"))
        elif snap.signed_out and (request := refused_request(snap.error)):
            parts.append(
                self.tr("signed out: the key was rejected twice in a row (refused: {request})").format(request=request)
            )
        elif snap.signed_out:
            parts.append(self.tr("signed out: the key was rejected"))
        elif not snap.ok:
            parts.append(self.tr("service unreachable"))
            if snap.age:
                parts.append(self.tr("showing data from {age} ago").format(age=_age(snap.age)))
        else:
            parts.append(self.tr("{n} of %n room(s) in use", "", len(snap.rooms)).format(n=len(snap.in_use)))
            if snap.recording:
                parts.append(self.tr("{n} recording").format(n=len(snap.recording)))
            if starting := [r for r in snap.rooms if r.busy == Busy.STARTING]:
                parts.append(self.tr("{n} starting recording…").format(n=len(starting)))
            if snap.live:
                parts.append(self.tr("{n} live").format(n=len(snap.live)))
        if snap is not None and snap.paused:
            parts.append(self.tr("updates paused"))
        if self.downloads is not None and (totals := self.downloads())[1]:
            done, size, active = totals
            parts.append(self.tr("downloading %n file(s): {p}%", "", max(active, 1)).format(p=int(100 * done / size)))
        return " · ".join(parts)

    def downloads_changed(self) -> None:
        """The download queue moved: the tooltip says how far."""
        self.icon.setToolTip(self.tooltip())

    def find_action(self, name: str) -> QAction | None:
        """The menu's action named `name` (tests)."""
        return self.menu.find_action(name)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger and self.coordinator is not None:
            self.coordinator.request_refresh()

    def hide(self) -> None:
        self._alert_timer.stop()
        self.icon.hide()
        if self.window is not None:
            self.window.close()


def _age(seconds: float) -> str:
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 5400:
        return f"{int(seconds // 60)} min"
    return f"{seconds / 3600:.1f} h"
