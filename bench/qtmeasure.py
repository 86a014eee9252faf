"""Timing Qt widgets offscreen, for the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QWidget


def painted(widget: QWidget) -> None:
    """Shown, laid out and painted now."""
    widget.show()
    widget.repaint()
    QApplication.processEvents()


def ms(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000
