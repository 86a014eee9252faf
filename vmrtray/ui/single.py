"""One vmrtray per user: a second launch asks the first to show itself, and exits.

On Linux and macOS a Unix socket in the user's runtime folder, watched by a
QSocketNotifier: QtCore only, where QLocalServer would load QtNetwork and, through it,
Kerberos (2.5 MB of the tray's memory, bench/tray.py). On Windows QLocalServer's named pipe.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QSocketNotifier, Signal


class SingleInstance(QObject):
    """`claim()` is True for the first launch; later ones make it emit `activated`."""

    activated = Signal()

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self._server: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._pipe: QObject | None = None  # Windows: the QLocalServer

    @property
    def path(self) -> Path:
        runtime = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()  # the first is the user's own (0700)
        return Path(runtime) / f"{self.name}.sock"

    def claim(self) -> bool:
        if sys.platform == "win32" or not hasattr(socket, "AF_UNIX"):
            return self._claim_pipe()
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as other:
            other.settimeout(0.5)
            other.connect(str(self.path))
            other.sendall(b"show\n")
            return False  # the first one is there and has been told
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a stale socket left by a crash: nobody answered on it
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(str(self.path))
            server.listen(4)
        except OSError:
            server.close()
            return False
        server.setblocking(False)
        self._server = server
        self._notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._knocked)
        return True

    def _knocked(self) -> None:
        if self._server is None:
            return
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while True:
                connection, _ = self._server.accept()
                connection.close()  # any knock means: show yourself
                self.activated.emit()

    def release(self) -> None:
        """At quit: stop listening and remove the socket (a crash leaves it; `claim` copes)."""
        if self._notifier is not None:
            self._notifier.setEnabled(False)
        if self._server is not None:
            self._server.close()
            self._server = None
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def _claim_pipe(self) -> bool:
        from PySide6.QtNetwork import QLocalServer, QLocalSocket

        other = QLocalSocket()
        other.connectToServer(self.name)
        if other.waitForConnected(500):
            other.write(b"show\n")
            other.waitForBytesWritten(500)
            other.disconnectFromServer()
            return False
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.newConnection.connect(lambda: self._pipe_knocked(server))
        self._pipe = server
        return server.listen(self.name)

    def _pipe_knocked(self, server: QObject) -> None:
        while server.hasPendingConnections():  # type: ignore[attr-defined]
            connection = server.nextPendingConnection()  # type: ignore[attr-defined]
            connection.disconnected.connect(connection.deleteLater)
            self.activated.emit()
