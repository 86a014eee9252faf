"""Qt tests: a qasync loop for async tests, an offscreen QApplication, gc after each test."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from tests.support.waiting import until
from vmrtray.api import Lang
from vmrtray.ui import i18n
from vmrtray.ui.tray_app import TrayApp

W = TypeVar("W")


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Callable[[], Any]]:
    """Async tests under tests/ui run on qasync's loop, inside the Qt event loop."""

    def qt_loop() -> asyncio.AbstractEventLoop:
        app = QApplication.instance() or QApplication([])
        # as in the app: closing a window must not quit Qt (and stop the loop under the test)
        app.setQuitOnLastWindowClosed(False)  # type: ignore[attr-defined]
        return qasync.QEventLoop(app)  # type: ignore[no-any-return]

    return {"qasync": qt_loop}


@pytest.fixture(scope="session", autouse=True)
def _english(qapp: QApplication) -> Iterator[None]:
    """The app as it starts in English: the plural forms of vmrtray_en.qm loaded."""
    translators = i18n.install(qapp, "en")
    assert translators, f"no English translation built in {i18n.qm_dir()}: run pip install -e . (hatch_build.py)"
    yield
    i18n.uninstall(qapp, translators)


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    """The app as it starts in Chinese: vmrtray's and Qt's zh_CN translations loaded."""
    translators = i18n.install(qapp, "zh")
    yield
    i18n.uninstall(qapp, translators)


@pytest.fixture(autouse=True)
def _collect_after_each_qt_test() -> Iterator[None]:
    # Measured here: without it, Qt objects freed in a random order at teardown segfaulted.
    yield
    gc.collect()


@contextlib.asynccontextmanager
async def demo_app(lang: Lang = "en") -> AsyncIterator[TrayApp]:
    """The whole app on `--demo`, quit at the end (and checked to quit cleanly)."""
    app = TrayApp(lang=lang, demo=True)
    running = asyncio.ensure_future(app.run())
    try:
        yield app
    finally:
        app.quit.set()
        assert await asyncio.wait_for(running, 15) == 0


async def open_window(app: TrayApp, name: str, kind: type[W]) -> W:
    """Pick `name` in the tray's menu, as a user does, and return the window it opened."""
    await until(lambda: app.tray.find_action(name) is not None, f"{name} in the menu")
    action = app.tray.find_action(name)
    assert action is not None
    action.trigger()
    window = app.windows[name]
    assert isinstance(window, kind)
    return window
