"""Guards against PySide6 6.12.0 on Python 3.11, which kills a long-running qasync app.

That release drops a reference to `True` on every `Signal.disconnect()`; qasync disconnects
per socket, so the count of `True` falls until the interpreter aborts with
`Fatal Python error: bool_dealloc`.
"""

from __future__ import annotations

import sys
from importlib.metadata import version

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal()


def _slot() -> None:
    pass


def test_disconnect_does_not_leak_references_to_true() -> None:
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(50):
        emitter.fired.connect(_slot)
        emitter.fired.disconnect(_slot)
    after = sys.getrefcount(True)
    # Unrelated code may take or drop a stray reference; the bug drops one per disconnect.
    assert after >= before - 5, f"True lost {before - after} references over 50 disconnects"


def test_installed_pyside_is_not_the_broken_release() -> None:
    installed = tuple(int(part) for part in version("PySide6-Essentials").split(".")[:3])
    if sys.version_info < (3, 12):
        assert installed < (6, 12, 0)
    assert installed != (6, 12, 0)
