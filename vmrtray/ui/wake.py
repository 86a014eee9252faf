"""Back from sleep or a locked screen: a refresh now, and no flood of alerts.

Linux desktops say so on D-Bus: logind's `PrepareForSleep(false)` on the system bus, the
screen saver's `ActiveChanged(false)` on the session bus (freedesktop and GNOME names).
The coordinator also notices a wake by itself (the wall clock jumps ahead of the
monotonic one); this catches the screen unlock, which moves no clock.
"""

from __future__ import annotations

from PySide6.QtCore import SLOT, QObject, Signal, Slot
from PySide6.QtDBus import QDBusConnection

SCREEN_SAVERS = (
    ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
)


class WakeWatcher(QObject):
    woke = Signal()

    def __init__(self, session: QDBusConnection | None = None, system: QDBusConnection | None = None) -> None:
        super().__init__()
        self.listening: list[str] = []
        session = session if session is not None else QDBusConnection.sessionBus()
        system = system if system is not None else QDBusConnection.systemBus()
        # PySide6 6.11's stubs type the slot as bytes, but the binding accepts only the str
        # that SLOT() returns (it rejects bytes): hence the two type: ignore below.
        if system.isConnected() and system.connect(  # type: ignore[call-overload]
            "",
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            self,
            SLOT("_sleeping(bool)"),
        ):
            self.listening.append("logind")
        if session.isConnected():
            for path, interface in SCREEN_SAVERS:
                slot = SLOT("_screen_saver(bool)")
                if session.connect("", path, interface, "ActiveChanged", self, slot):  # type: ignore[call-overload]
                    self.listening.append(interface)

    @Slot(bool)
    def _sleeping(self, going_to_sleep: bool) -> None:
        if not going_to_sleep:
            self.woke.emit()

    @Slot(bool)
    def _screen_saver(self, active: bool) -> None:
        if not active:
            self.woke.emit()
