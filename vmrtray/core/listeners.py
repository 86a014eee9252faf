"""Who listens to a core object, each told in turn and none able to silence the others.

Every core object that publishes (the poller and so the coordinator and the agenda, the
download queue) keeps its listeners here. `add` returns the callable that removes that one
listener (calling it twice is harmless); `notify` tells them all, and one that raises is
logged while the rest are still told. `on_count` hears how many listen after each add or
remove: the poller runs only while that is more than none.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Generic, ParamSpec

log = logging.getLogger(__name__)

P = ParamSpec("P")


class Listeners(Generic[P]):
    def __init__(self, what: str, on_count: Callable[[int], None] | None = None) -> None:
        self.what = what  # named in the log when a listener fails
        self._on_count = on_count
        self._listeners: dict[int, Callable[P, None]] = {}  # in the order they were added
        self._ids = itertools.count()

    def __len__(self) -> int:
        return len(self._listeners)

    def add(self, listener: Callable[P, None]) -> Callable[[], None]:
        """Listen; the callable returned stops this listener (the same one added twice is two)."""
        key = next(self._ids)
        self._listeners[key] = listener
        self._counted()

        def remove() -> None:
            if self._listeners.pop(key, None) is not None:
                self._counted()

        return remove

    def clear(self) -> None:
        if self._listeners:
            self._listeners.clear()
            self._counted()

    def notify(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Tell every listener; one that raises is logged and the others are still told."""
        for listener in list(self._listeners.values()):
            try:
                listener(*args, **kwargs)
            except Exception:
                log.exception("a listener of %s failed", self.what)

    def _counted(self) -> None:
        if self._on_count is not None:
            self._on_count(len(self._listeners))
