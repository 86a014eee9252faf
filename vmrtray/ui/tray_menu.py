"""The tray's menu: every favourite with its state and actions, what happened lately, the app's commands.

Every action is here (some desktops deliver no left click to tray icons); where the desktop
has no tray, the fallback window's Menu button opens this same menu. The menu is rebuilt
only when its shape changes; otherwise only the rooms whose state changed are redrawn
(rebuilding a 200-room menu costs 20-45 ms, updating in place 0.5 ms).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QIcon
from PySide6.QtWidgets import QMenu

from vmrtray.core.coordinator import Coordinator, RecordOutcome
from vmrtray.core.directory import RoomDirectory
from vmrtray.core.events import Event, RoomState, Snapshot
from vmrtray.core.live import LiveOutcome
from vmrtray.core.notifications import Alert
from vmrtray.core.untrusted import plain

from .asyncutil import spawn
from .icons import TrayState, room_state, tray_icon
from .room_words import RoomWords

RECENT = 20


@dataclass(frozen=True)
class MenuState:
    """What the menu shows, as the tray last saw it."""

    snapshot: Snapshot | None = None
    signed_in: bool = False  # credentials, and a key the service has not rejected
    demo: bool = False


class TrayMenu(QMenu):
    """Emits what the app must open; acts on the coordinator it follows for the rest."""

    quit_requested = Signal()
    settings_requested = Signal()
    book_requested = Signal()
    bookings_requested = Signal()
    recordings_requested = Signal()
    logs_requested = Signal()
    demo_requested = Signal()

    def __init__(self, words: RoomWords, *, header: Callable[[], str], alert: Callable[[Alert], None]) -> None:
        """`header`: the words of the menu's first line (the tray's summary); `alert`: where a
        record or live toggle's outcome is said."""
        super().__init__()
        self.words = words
        self._header_text, self._say = header, alert
        self.setToolTipsVisible(True)
        self.coordinator: Coordinator | None = None
        self.directory: RoomDirectory | None = None
        self.state = MenuState()
        self.recent: deque[tuple[datetime, Event]] = deque(maxlen=RECENT)
        self._icons: dict[TrayState, QIcon] = {}
        self._dirty = False
        self._shape: tuple[object, ...] | None = None
        self._header: QAction | None = None
        self._recent: QMenu | None = None
        self._entries: dict[str, RoomEntry] = {}
        self._pause: QAction | None = None
        self._recent_shown = -1
        self._recent_top: tuple[datetime, Event] | None = None
        self.aboutToShow.connect(self.refresh)
        self.aboutToHide.connect(self._rebuild_if_dirty)

    # -- what it follows ---------------------------------------------------------------------

    def follow(self, coordinator: Coordinator | None, directory: RoomDirectory | None) -> None:
        """Act on `coordinator` and word invitations from `directory` (None: signed out)."""
        self.coordinator, self.directory = coordinator, directory

    def show_state(self, state: MenuState) -> None:
        """Show `state`: now, or once the menu closes if it is open (it must not change under the pointer)."""
        self.state = state
        if self.isVisible():
            self._dirty = True
        else:
            self.refresh()

    def add_events(self, events: Sequence[Event]) -> None:
        now = datetime.now()
        for event in events:
            self.recent.appendleft((now, event))

    def _rebuild_if_dirty(self) -> None:
        if self._dirty:
            self._dirty = False
            QTimer.singleShot(0, self.refresh)

    # -- building ------------------------------------------------------------------------------

    def _structure(self) -> tuple[object, ...]:
        """What decides the menu's shape; when it is unchanged, entries are updated in place."""
        snap = self.state.snapshot
        if not self.state.signed_in or snap is None:
            return ("signed-out", self.state.demo)
        error = snap.error.describe(self.words.lang) if (not snap.ok and snap.error) else ""
        return ("signed-in", error, tuple(r.room for r in snap.rooms), self.coordinator is not None)

    def refresh(self) -> None:
        """Bring the menu up to date: in place when its shape is the same, else anew."""
        shape = self._structure()
        if shape != self._shape:
            self._build(shape)
        if self._header is not None:
            self._header.setText(self._header_text())
        snapshot = self.state.snapshot
        if snapshot is not None:
            for room in snapshot.rooms:
                entry = self._entries.get(room.room)
                if entry is not None:
                    entry.update(room, live=not snapshot.no_live)
            if self._pause is not None:
                self._pause.setChecked(snapshot.paused)
        top = self.recent[0] if self.recent else None
        if self._recent_shown != len(self.recent) or self._recent_top is not top:
            self._fill_recent()

    def _build(self, shape: tuple[object, ...]) -> None:
        self.clear()
        self._shape = shape
        self._entries = {}
        self._pause = None
        self._header = add_info(self, "")
        snap = self.state.snapshot
        if shape[0] == "signed-out" or snap is None:
            self.addSeparator()
            add_action(self, self.tr("Sign in…"), "sign-in", self.settings_requested.emit)
            if not self.state.demo:
                add_action(self, self.tr("Try the demo"), "demo", self.demo_requested.emit)
        else:
            if shape[1]:
                add_info(self, f"⚠ {menu_words(str(shape[1]))}")
            self.addSeparator()
            for room in snap.rooms:
                self._entries[room.room] = RoomEntry(self, room.room)
            if not snap.rooms:
                add_info(self, self.tr("No favourite rooms yet: pick them in Settings…"))
        self.addSeparator()
        self._recent = self.addMenu(self.tr("Recent"))
        self._recent.menuAction().setObjectName("recent")
        self._recent_shown, self._recent_top = -1, None
        if self.coordinator is not None and shape[0] == "signed-in":
            add_action(self, self.tr("Refresh now"), "refresh", self.coordinator.request_refresh)
            self._pause = add_action(self, self.tr("Pause updates"), "pause", self.toggle_pause)
            self._pause.setCheckable(True)
            self.addSeparator()
            add_action(self, self.tr("Book a meeting…"), "book", self.book_requested.emit)
            add_action(self, self.tr("My bookings…"), "bookings", self.bookings_requested.emit)
            add_action(self, self.tr("Recordings…"), "recordings", self.recordings_requested.emit)
        self.addSeparator()
        add_action(self, self.tr("Settings…"), "settings", self.settings_requested.emit)
        add_action(self, self.tr("Open log folder"), "logs", self.logs_requested.emit)
        add_action(self, self.tr("Quit"), "quit", self.quit_requested.emit)

    def _fill_recent(self) -> None:
        if self._recent is None:
            return
        self._recent.clear()
        if not self.recent:
            add_info(self._recent, self.tr("Nothing has happened yet"))
        for when, event in self.recent:
            add_info(self._recent, f"{when:%H:%M}  {menu_words(event.describe(self.words.lang))}")
        self._recent_shown = len(self.recent)
        self._recent_top = self.recent[0] if self.recent else None

    def room_icon(self, room: RoomState) -> QIcon:
        """The room's icon, always in colour (the style setting is for the tray's own icon)."""
        state = room_state(room)
        if state not in self._icons:
            self._icons[state] = tray_icon(state, "colour", False)
        return self._icons[state]

    def find_action(self, name: str) -> QAction | None:
        """The visible action named `name` here or in a submenu (tests, and the fallback window)."""
        return _find(self, name)

    # -- actions --------------------------------------------------------------------------------

    def toggle_recording(self, room: str) -> None:
        snapshot = self.state.snapshot
        if self.coordinator is None or snapshot is None:
            return
        state = snapshot.room(room)
        if state is None:
            return
        coordinator = self.coordinator
        call = coordinator.stop_recording if state.recording else coordinator.start_recording
        spawn(self._report(call(room)))

    async def _report(self, outcome: Coroutine[Any, Any, RecordOutcome]) -> None:
        """Say the toggle's outcome, unless core tells it as an event (a start the service
        accepted: started, failed or not confirmed, once, when it is known)."""
        done = await outcome
        if done.watched:
            return
        room = self.state.snapshot.room(done.room) if self.state.snapshot else None
        self._say(Alert(room.label if room else done.room, done.describe(self.words.lang), urgent=not done.ok))

    def toggle_live(self, room: str) -> None:
        """Start or stop the room's live stream (a start accepted but not confirmed is stopped)."""
        snapshot = self.state.snapshot
        state = snapshot.room(room) if snapshot is not None else None
        if self.coordinator is None or state is None:
            return
        coordinator = self.coordinator
        call = coordinator.stop_live if state.live or state.live_url else coordinator.start_live
        spawn(self._report_live(call(room)))

    async def _report_live(self, outcome: Coroutine[Any, Any, LiveOutcome]) -> None:
        """Say a live toggle's outcome: urgent when it failed; "not confirmed yet" is no failure
        (the service accepted it; the polling tells when the stream is on)."""
        done = await outcome
        room = self.state.snapshot.room(done.room) if self.state.snapshot else None
        urgent = not done.ok and not done.unconfirmed
        self._say(Alert(room.label if room else done.room, done.describe(self.words.lang), urgent=urgent))

    def copy_watch_address(self, url: str) -> None:
        QGuiApplication.clipboard().setText(url)

    def toggle_pause(self) -> None:
        snapshot = self.state.snapshot
        if self.coordinator is not None and snapshot is not None:
            self.coordinator.set_paused(not snapshot.paused)

    def copy_invitation(self, room: RoomState, *, host: bool = False) -> None:
        known = self.directory.known.get(room.room) if self.directory is not None else None
        QGuiApplication.clipboard().setText(self.words.invitation(room, known, host=host))

    def open_stream(self, room: RoomState, url: str) -> None:
        """Hand the stream's address (checked in api.models: rtmp(s) or http(s)) to the
        desktop's player; where no program opens it, copy it and say so."""
        if QDesktopServices.openUrl(QUrl(url)):
            return
        QGuiApplication.clipboard().setText(url)
        self._say(Alert(room.label, self.tr("No program here opens the live stream's address: it was copied instead.")))


class RoomEntry:
    """One favourite in the menu: its submenu, and the one-click toggle right under it."""

    def __init__(self, menu: TrayMenu, room: str) -> None:
        self.menu = menu
        self.state: RoomState | None = None
        self.described = ""
        self.live = True
        self.sub = menu.addMenu(room)
        self.sub.setToolTipsVisible(True)
        self.sub.menuAction().setObjectName(f"room:{room}")
        self.quick = add_action(menu, "", f"record-quick:{room}", lambda: menu.toggle_recording(room))
        self.quick.setVisible(False)

    def update(self, room: RoomState, *, live: bool = True) -> None:
        """Redraw this room, and only when something a user could see has changed; `live`: the
        server may have live streaming (False once it answered that it has no live endpoints)."""
        menu, words, sub = self.menu, self.menu.words, self.sub
        described = words.error(room)
        if room == self.state and described == self.described and live == self.live:
            return
        self.state, self.described, self.live = room, described, live
        sub.setTitle(f"{menu_words(room.label)} — {words.summary(room)}")
        sub.setIcon(menu.room_icon(room))
        sub.clear()
        for line in words.details(room):
            add_info(sub, menu_words(line))
        sub.addSeparator()
        choice = words.record_choice(room)
        record = add_action(sub, choice.words, f"record:{room.room}", lambda: menu.toggle_recording(room.room))
        record.setEnabled(choice.usable)
        streaming = words.live_choice(room) if live else None
        if streaming is not None:
            toggle = add_action(sub, streaming.words, f"live-toggle:{room.room}", lambda: menu.toggle_live(room.room))
            toggle.setEnabled(streaming.usable)
        # the context named: lupdate would name it after `menu`, the expression before `.tr`
        add_action(
            sub,
            QCoreApplication.translate("TrayMenu", "Copy guest invitation"),
            f"invite:{room.room}",
            lambda: menu.copy_invitation(room),
        )
        add_action(
            sub,
            QCoreApplication.translate("TrayMenu", "Copy invitation with host password"),
            f"invite-host:{room.room}",
            lambda: menu.copy_invitation(room, host=True),
        )
        if live and room.live_url:
            watch = room.live_url
            copy = QCoreApplication.translate("TrayMenu", "Copy watch address")
            add_action(sub, copy, f"live-copy:{room.room}", lambda: menu.copy_watch_address(watch))
        if room.live and room.rtmp_url:  # the stream itself, for a player: also for a stream someone else started
            url = room.rtmp_url
            stream = QCoreApplication.translate("TrayMenu", "Open live stream")
            add_action(sub, stream, f"live:{room.room}", lambda: menu.open_stream(room, url))
        # the one-click toggle, right under the room, without opening its submenu
        # (shown, not usable, while it starts: the click was seen and the answer is awaited)
        self.quick.setText(f"    {choice.words} ({menu_words(room.name or room.room)})")
        self.quick.setEnabled(choice.usable)
        self.quick.setVisible(room.started and (choice.usable or room.busy is not None))


def menu_words(text: str) -> str:
    """Words from the service (a room's name, a failedReason, an error) as a menu shows them:
    made plain (core.untrusted: no control, bidi override or line break), and every `&` doubled
    (a single one would underline the next letter as a shortcut key and vanish)."""
    return plain(text).replace("&", "&&")


def add_info(menu: QMenu, text: str) -> QAction:
    """A line of words in `menu`, not clickable."""
    action = menu.addAction(text)
    action.setEnabled(False)
    return action


def add_action(menu: QMenu, text: str, name: str, slot: Callable[[], object]) -> QAction:
    """An action in `menu`, named for tests and the fallback window, calling `slot`."""
    action = menu.addAction(text)
    action.setObjectName(name)
    action.triggered.connect(lambda _checked=False: slot())
    return action


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
