"""The tray icon, its menu, tooltip and alerts, all drawn from the coordinator's snapshots.

The tray never polls: it listens to the coordinator and renders what it publishes. Every
action is in the right-click menu (some desktops deliver no left click to tray icons).
Where the desktop has no tray, the same menu and state live in a small window.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QIcon
from PySide6.QtWidgets import QLabel, QMenu, QPushButton, QSystemTrayIcon, QVBoxLayout, QWidget

from vmrtray.api import Lang, Room
from vmrtray.core.coordinator import Coordinator, RecordOutcome
from vmrtray.core.events import Event, RoomState, Snapshot
from vmrtray.core.notifications import Alert, Notifier

from .asyncutil import spawn
from .icons import Style, TrayState, light_ink, room_state, state_of, tray_icon

RECENT = 20
ALERT_CHECK_MS = 5000


class Tray(QObject):
    """Owns the icon (or the fallback window) and the menu; emits what the app must do."""

    quit_requested = Signal()
    settings_requested = Signal()
    book_requested = Signal()
    bookings_requested = Signal()
    recordings_requested = Signal()
    logs_requested = Signal()
    demo_requested = Signal()

    def __init__(
        self,
        *,
        lang: Lang = "en",
        demo: bool = False,
        notifier: Notifier | None = None,
        icon: QSystemTrayIcon | None = None,
    ) -> None:
        super().__init__()
        self.lang = lang
        self.demo = demo
        self.notifier = notifier or Notifier(lang=lang)
        self.snapshot: Snapshot | None = None
        self.coordinator: Coordinator | None = None
        self.directory: Mapping[str, Room] = {}
        # Bytes done, bytes in all, files active of the download queue, when there is one.
        self.downloads: Callable[[], tuple[int, int, int]] | None = None
        self.recent: deque[tuple[datetime, Event]] = deque(maxlen=RECENT)
        self.alerts: list[Alert] = []  # every alert shown, newest last (tests and the window read it)
        self.has_credentials = False
        self.state = TrayState.SIGNED_OUT
        self._remove_listener: Callable[[], None] | None = None
        self.icon_style: Style = "colour"
        self._icons: dict[tuple[TrayState, Style, bool], QIcon] = {}
        self._dirty = False
        self._shape: tuple[object, ...] | None = None
        self._header: QAction | None = None
        self._recent: QMenu | None = None
        self._entries: dict[str, _RoomEntry] = {}
        self._pause: QAction | None = None
        self._recent_shown = -1
        self._recent_top: tuple[datetime, Event] | None = None
        self.menu = QMenu()
        self.menu.setToolTipsVisible(True)
        self.menu.aboutToShow.connect(self.rebuild_menu)
        self.menu.aboutToHide.connect(self._rebuild_if_dirty)
        self.icon = icon or QSystemTrayIcon()  # the launcher may have put one on screen already
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
            self.window = FallbackWindow(self)
            self.window.show()
        self._alert_timer.start()

    def attach(self, coordinator: Coordinator | None, *, has_credentials: bool = True) -> None:
        """Follow `coordinator` (None: signed out, nothing to follow)."""
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None
        self.coordinator = coordinator
        self.has_credentials = has_credentials
        self.snapshot = coordinator.snapshot if coordinator else None
        if coordinator is not None:
            self._remove_listener = coordinator.add_listener(self._on_update)
        self._render()

    def detach(self) -> None:
        self.attach(None, has_credentials=self.has_credentials)

    def _on_update(self, snapshot: Snapshot, events: list[Event]) -> None:
        self.snapshot = snapshot
        now = datetime.now()
        for event in events:
            self.recent.appendleft((now, event))
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
            self.icon.showMessage(alert.title, alert.body, kind, 8000)
        if self.window is not None:
            self.window.show_alert(alert)

    # -- rendering ------------------------------------------------------------------------------

    def _render(self) -> None:
        self.state = state_of(self.snapshot) if self.has_credentials else TrayState.SIGNED_OUT
        self.icon.setIcon(self._icon(self.state, self.icon_style))
        self.icon.setToolTip(self.tooltip())
        if self.menu.isVisible():
            self._dirty = True
        else:
            self.rebuild_menu()
        if self.window is not None:
            self.window.refresh()

    def _icon(self, state: TrayState, style: Style = "colour") -> QIcon:
        """The tray's icon in `style`; the menu's room icons stay in colour."""
        key = (state, style, light_ink(style))
        if key not in self._icons:
            self._icons[key] = tray_icon(*key)
        return self._icons[key]

    def set_icon_style(self, style: Style) -> None:
        if style != self.icon_style:
            self.icon_style = style
            self._render()

    def tooltip(self) -> str:
        parts = [self.tr("vmrtray")]
        if self.demo:
            parts.insert(0, self.tr("DEMO"))
        snap = self.snapshot
        if not self.has_credentials or snap is None:
            parts.append(self.tr("not signed in"))
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

    def _rebuild_if_dirty(self) -> None:
        if self._dirty:
            self._dirty = False
            QTimer.singleShot(0, self.rebuild_menu)

    def _structure(self) -> tuple[object, ...]:
        """What decides the menu's shape; when it is unchanged, entries are updated in place."""
        snap = self.snapshot
        if not self.has_credentials or snap is None or snap.signed_out:
            return ("signed-out", self.demo)
        error = snap.error.describe(self.lang) if (not snap.ok and snap.error) else ""
        return ("signed-in", error, tuple(r.room for r in snap.rooms), self.coordinator is not None)

    def rebuild_menu(self) -> None:
        """Bring the menu up to date: in place when its shape is the same, else anew."""
        shape = self._structure()
        if shape != self._shape:
            self._build(shape)
        if self._header is not None:
            self._header.setText(self.tooltip())
        if self.snapshot is not None:
            for room in self.snapshot.rooms:
                entry = self._entries.get(room.room)
                if entry is not None:
                    entry.update(room)
            if self._pause is not None:
                self._pause.setChecked(self.snapshot.paused)
        top = self.recent[0] if self.recent else None
        if self._recent_shown != len(self.recent) or self._recent_top is not top:
            self._fill_recent()

    def _build(self, shape: tuple[object, ...]) -> None:
        menu = self.menu
        menu.clear()
        self._shape = shape
        self._entries = {}
        self._pause = None
        self._header = self._info(menu, "")
        snap = self.snapshot
        if shape[0] == "signed-out" or snap is None:
            menu.addSeparator()
            self._action(menu, self.tr("Sign in…"), "sign-in", self.settings_requested.emit)
            if not self.demo:
                self._action(menu, self.tr("Try the demo"), "demo", self.demo_requested.emit)
        else:
            if shape[1]:
                self._info(menu, f"⚠ {shape[1]}")
            menu.addSeparator()
            for room in snap.rooms:
                self._entries[room.room] = _RoomEntry(self, menu, room.room)
            if not snap.rooms:
                self._info(menu, self.tr("No favourite rooms yet: pick them in Settings…"))
        menu.addSeparator()
        self._recent = menu.addMenu(self.tr("Recent"))
        self._recent.menuAction().setObjectName("recent")
        self._recent_shown, self._recent_top = -1, None
        if self.coordinator is not None and shape[0] == "signed-in":
            self._action(menu, self.tr("Refresh now"), "refresh", self.coordinator.request_refresh)
            self._pause = self._action(menu, self.tr("Pause updates"), "pause", self._toggle_pause)
            self._pause.setCheckable(True)
            menu.addSeparator()
            self._action(menu, self.tr("Book a meeting…"), "book", self.book_requested.emit)
            self._action(menu, self.tr("My bookings…"), "bookings", self.bookings_requested.emit)
            self._action(menu, self.tr("Recordings…"), "recordings", self.recordings_requested.emit)
        menu.addSeparator()
        self._action(menu, self.tr("Settings…"), "settings", self.settings_requested.emit)
        self._action(menu, self.tr("Open log folder"), "logs", self.logs_requested.emit)
        self._action(menu, self.tr("Quit"), "quit", self.quit_requested.emit)

    def _fill_recent(self) -> None:
        if self._recent is None:
            return
        self._recent.clear()
        if not self.recent:
            self._info(self._recent, self.tr("Nothing has happened yet"))
        for when, event in self.recent:
            self._info(self._recent, f"{when:%H:%M}  {event.describe(self.lang)}")
        self._recent_shown = len(self.recent)
        self._recent_top = self.recent[0] if self.recent else None

    def _room_summary(self, room: RoomState) -> str:
        if not room.available:
            return self.tr("unavailable")
        if not room.started:
            return self.tr("idle")
        bits = [self.tr("in use"), self.tr("%n people", "", room.participants)]
        if room.recording:
            bits.append(self.tr("REC"))
        if room.live:
            bits.append(self.tr("LIVE"))
        if room.locked:
            bits.append(self.tr("locked"))
        return " · ".join(bits)

    def _room_details(self, room: RoomState) -> list[str]:
        if not room.available:
            return [self.tr("Unavailable: {why}").format(why=room.error.describe(self.lang) if room.error else "")]
        if not room.started:
            return [self.tr("Idle: no meeting is running")]
        lines = [self.tr("In use: %n participant(s)", "", room.participants)]
        lines.append(self.tr("Locked") if room.locked else self.tr("Not locked"))
        if room.recording:
            lines.append(
                self.tr("Recording (started by this app)")
                if room.ours
                else self.tr("Recording (started by someone else)")
            )
        elif room.failed_reason:
            lines.append(self.tr("Recording failed: {why}").format(why=room.failed_reason))
        if room.live:
            lines.append(self.tr("Streaming live"))
        return lines

    def record_choice(self, room: RoomState) -> tuple[str, bool]:
        """The record action's words and whether it can be used now (else the words say why)."""
        if room.busy:
            return (
                self.tr("Starting recording…") if room.busy == "starting" else self.tr("Stopping recording…")
            ), False
        if room.recording:
            return self.tr("Stop recording"), True
        if not room.available:
            return self.tr("Start recording — the room is unavailable"), False
        if not room.started:
            return self.tr("Start recording — the meeting has not started"), False
        if not room.may_record:
            return self.tr("Start recording — this room may not be recorded"), False
        return self.tr("Start recording"), True

    def _info(self, menu: QMenu, text: str) -> QAction:
        action = menu.addAction(text)
        action.setEnabled(False)
        return action

    def _action(self, menu: QMenu, text: str, name: str, slot: Callable[[], object]) -> QAction:
        action = menu.addAction(text)
        action.setObjectName(name)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def find_action(self, name: str) -> QAction | None:
        """The menu's action named `name` (tests, and the fallback window)."""
        return _find(self.menu, name)

    # -- actions --------------------------------------------------------------------------------

    def toggle_recording(self, room: str) -> None:
        if self.coordinator is None or self.snapshot is None:
            return
        state = self.snapshot.room(room)
        if state is None:
            return
        coordinator = self.coordinator
        call = coordinator.stop_recording if state.recording else coordinator.start_recording
        spawn(self._report(call(room)))

    async def _report(self, outcome: Coroutine[Any, Any, RecordOutcome]) -> None:
        done = await outcome
        room = self.snapshot.room(done.room) if self.snapshot else None
        self.alert(Alert(room.label if room else done.room, done.describe(self.lang), urgent=not done.ok))

    def _toggle_pause(self) -> None:
        if self.coordinator is not None and self.snapshot is not None:
            self.coordinator.set_paused(not self.snapshot.paused)

    def _copy_invitation(self, room: RoomState, host: bool = False) -> None:
        QGuiApplication.clipboard().setText(self.invitation(room, host=host))

    def invitation(self, room: RoomState, host: bool = False) -> str:
        known = self.directory.get(room.room)
        lines = [self.tr("Join the meeting in {name}").format(name=room.name or room.room)]
        lines.append(self.tr("Meeting number: {n}").format(n=room.room))
        if known is not None and known.alias:
            lines.append(self.tr("Address: {a}").format(a=known.alias))
        guest = room.guest_pwd or (known.guest_pin if known else "")
        lines.append(self.tr("Guest password: {p}").format(p=guest) if guest else self.tr("No guest password"))
        if host and known is not None and known.host_pin:
            lines.append(self.tr("Host password: {p}").format(p=known.host_pin))
        return "\n".join(lines)

    def _open(self, url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger and self.coordinator is not None:
            self.coordinator.request_refresh()

    def hide(self) -> None:
        self._alert_timer.stop()
        self.icon.hide()
        if self.window is not None:
            self.window.close()


class _RoomEntry:
    """One favourite in the menu: its submenu, and the one-click toggle right under it."""

    def __init__(self, tray: Tray, menu: QMenu, room: str) -> None:
        self.tray = tray
        self.state: RoomState | None = None
        self.described = ""
        self.sub = menu.addMenu(room)
        self.sub.setToolTipsVisible(True)
        self.sub.menuAction().setObjectName(f"room:{room}")
        self.quick = tray._action(menu, "", f"record-quick:{room}", lambda: tray.toggle_recording(room))
        self.quick.setVisible(False)

    def update(self, room: RoomState) -> None:
        """Redraw this room, and only when something a user could see has changed."""
        described = room.error.describe(self.tray.lang) if room.error else ""
        if room == self.state and described == self.described:
            return
        self.state, self.described = room, described
        tray, sub = self.tray, self.sub
        sub.setTitle(f"{room.label} — {tray._room_summary(room)}")
        sub.setIcon(tray._icon(room_state(room)))
        sub.clear()
        for line in tray._room_details(room):
            tray._info(sub, line)
        sub.addSeparator()
        words, usable = tray.record_choice(room)
        record = tray._action(sub, words, f"record:{room.room}", lambda: tray.toggle_recording(room.room))
        record.setEnabled(usable)
        tray._action(
            sub,
            QCoreApplication.translate("Tray", "Copy guest invitation"),
            f"invite:{room.room}",
            lambda: tray._copy_invitation(room),
        )
        tray._action(
            sub,
            QCoreApplication.translate("Tray", "Copy invitation with host password"),
            f"invite-host:{room.room}",
            lambda: tray._copy_invitation(room, host=True),
        )
        if room.live and room.rtmp_url:
            url = room.rtmp_url
            tray._action(
                sub,
                QCoreApplication.translate("Tray", "Open live stream"),
                f"live:{room.room}",
                lambda: tray._open(url),
            )
        # the one-click toggle, right under the room, without opening its submenu
        self.quick.setText(f"    {words} ({room.name or room.room})")
        self.quick.setVisible(room.started and usable)


class FallbackWindow(QWidget):
    """Where the desktop has no system tray: the same state and the same menu, in a window."""

    def __init__(self, tray: Tray) -> None:
        super().__init__()
        self.tray = tray
        self.setWindowTitle(self.tr("vmrtray"))
        layout = QVBoxLayout(self)
        notice = QLabel(self.tr("This desktop has no system tray, so vmrtray shows itself in this window."))
        notice.setWordWrap(True)
        self.summary = QLabel()
        self.rooms = QLabel()
        self.last_alert = QLabel()
        self.last_alert.setWordWrap(True)
        button = QPushButton(self.tr("Menu"))
        button.setMenu(tray.menu)
        for widget in (notice, self.summary, self.rooms, self.last_alert, button):
            layout.addWidget(widget)
        self.refresh()

    def refresh(self) -> None:
        self.setWindowIcon(self.tray.icon.icon())
        self.summary.setText(self.tray.tooltip())
        snap = self.tray.snapshot
        rooms = snap.rooms if snap else ()
        self.rooms.setText("\n".join(f"{r.label} — {self.tray._room_summary(r)}" for r in rooms))

    def show_alert(self, alert: Alert) -> None:
        self.last_alert.setText(f"{alert.title}: {alert.body}")


def _find(menu: QMenu, name: str) -> QAction | None:
    for action in menu.actions():
        if not action.isVisible():
            continue
        if action.objectName() == name:
            return action
        sub = action.menu()
        if isinstance(sub, QMenu):
            found = _find(sub, name)
            if found is not None:
                return found
    return None


def _age(seconds: float) -> str:
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 5400:
        return f"{int(seconds // 60)} min"
    return f"{seconds / 3600:.1f} h"
