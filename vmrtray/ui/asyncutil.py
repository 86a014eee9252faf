"""Starting coroutines from Qt slots on the one qasync loop, without losing them."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)
_running: set[asyncio.Task[Any]] = set()


def spawn(work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Run `work` on the loop; keep a reference until it ends; log what it raises."""
    task = asyncio.ensure_future(work)
    _running.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("a background task failed", exc_info=task.exception())


def freeze_startup_heap() -> None:
    """Exempt what start-up built from the cyclic garbage collector.

    A tray runs for weeks; a full collection walks every live object (Qt wrappers, modules,
    model schemas) and stalled the loop 30-80 ms when it landed mid-refresh (bench/tray.py).
    `gc.freeze` moves all of it to a permanent generation, so later full collections walk
    only what was made since.
    """
    gc.collect()
    gc.freeze()


async def cancel_all() -> None:
    """At quit: end whatever is still running, so nothing is left behind."""
    tasks = list(_running)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
