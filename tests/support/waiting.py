"""Waiting for something to happen in an async test: the one `until` every test uses.

The deadline only guards against a hang (a test that would otherwise wait forever); it
is never a measurement. `qtbot.waitUntil` hangs inside async tests, hence this.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

GUARD = 20.0  # seconds; a guard against hanging, not a threshold


async def until(condition: Callable[[], object], what: str = "", seconds: float = GUARD) -> None:
    """Await `condition()` becoming true, polling the loop; AssertionError naming `what` if it never does."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while not condition():
        if loop.time() > end:
            raise AssertionError(f"never happened: {what or condition}")
        await asyncio.sleep(0.01)
