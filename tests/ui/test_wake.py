"""Back from a locked screen: the D-Bus signal reaches the watcher (on a private bus)."""

from __future__ import annotations

import asyncio

from PySide6.QtDBus import QDBusConnection, QDBusMessage

from tests.support.dbus import session_bus
from tests.support.waiting import until
from vmrtray.ui.wake import WakeWatcher


async def test_the_screen_unlocking_is_a_wake(qapp: object) -> None:
    with session_bus() as address:
        listener = QDBusConnection.connectToBus(address, "wake-listener")
        watcher = WakeWatcher(session=listener, system=QDBusConnection("no-system-bus"))
        assert "org.freedesktop.ScreenSaver" in watcher.listening
        woke: list[bool] = []
        watcher.woke.connect(lambda: woke.append(True))
        sender = QDBusConnection.connectToBus(address, "wake-sender")
        for active in (True, False):  # locking is no wake; unlocking is
            signal = QDBusMessage.createSignal(
                "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver", "ActiveChanged"
            )
            signal.setArguments([active])
            assert sender.send(signal)
        await until(lambda: bool(woke), "the watcher woke")
        await asyncio.sleep(0)
        assert woke == [True]
        QDBusConnection.disconnectFromBus("wake-listener")
        QDBusConnection.disconnectFromBus("wake-sender")
