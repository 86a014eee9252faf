"""The app's windows and dialogs, by name: one of each at a time.

Asking for an open one raises it; otherwise it is built and shown. The ones that hold the
signed-in session (its client, queue or agenda) are closed at sign-out; Settings outlives
a session (saving it starts the next one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


class Windows:
    def __init__(self) -> None:
        self._open: dict[str, QWidget] = {}
        self._of_session: set[str] = set()

    def open(self, name: str, build: Callable[[], W], *, of_session: bool = True) -> W | None:
        """Raise the window `name` if it is open (and return None); else show the one `build`
        makes and return it. `of_session`: it holds the session's parts and closes at sign-out."""
        shown = self._open.get(name)
        if shown is not None and shown.isVisible():
            shown.raise_()
            shown.activateWindow()
            return None
        window = build()
        self._open[name] = window
        if of_session:
            self._of_session.add(name)
        else:
            self._of_session.discard(name)
        window.show()
        return window

    def get(self, name: str, kind: type[W]) -> W | None:
        """The window `name`, if one was shown and is a `kind`."""
        window = self._open.get(name)
        return window if isinstance(window, kind) else None

    def __getitem__(self, name: str) -> QWidget:
        return self._open[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._open)

    def __len__(self) -> int:
        return len(self._open)

    def close_session(self) -> None:
        """Close every window that holds the session about to close."""
        for name in list(self._of_session):
            self._open.pop(name).close()
        self._of_session.clear()

    def close_all(self) -> None:
        for window in self._open.values():
            window.close()
        self._open.clear()
        self._of_session.clear()
