"""The app's window registry: one window of each name, raised when open, the session's closed at sign-out."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from vmrtray.ui.windows import Windows


class Built:
    """Counts the windows a name's builder made."""

    def __init__(self) -> None:
        self.made: list[QWidget] = []

    def __call__(self) -> QWidget:
        window = QWidget()
        self.made.append(window)
        return window


def test_an_open_window_is_raised_not_built_again(qapp: object) -> None:
    windows, build = Windows(), Built()
    first = windows.open("book", build)
    assert first is not None
    assert first.isVisible()
    assert windows.open("book", build) is None  # raised
    assert build.made == [first]
    first.close()
    second = windows.open("book", build)  # closed by the user: a new one
    assert second is not None
    assert second is not first
    assert windows["book"] is second
    windows.close_all()


def test_sign_out_closes_the_session_windows_and_keeps_settings(qapp: object) -> None:
    windows = Windows()
    book = windows.open("book", Built())
    settings = windows.open("settings", Built(), of_session=False)
    assert book is not None
    assert settings is not None
    windows.close_session()
    assert not book.isVisible()
    assert settings.isVisible()
    assert list(windows) == ["settings"]
    assert windows.get("settings", QWidget) is settings
    assert windows.get("book", QWidget) is None
    windows.close_all()
    assert not settings.isVisible()
    assert not windows
