"""The tray icons: every state its own picture, in colour and in a monochrome ink that
follows the panel's light or dark scheme, sharp on HiDPI screens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtSvg import QSvgRenderer

from vmrtray.ui.icons import TrayState, app_icon, icon_dir, svg, tray_icon
from vmrtray.ui.tray import Tray


def image(state: TrayState, style: str = "colour", dark: bool = False, size: int = 22) -> QImage:
    return tray_icon(state, style, dark).pixmap(QSize(size, size)).toImage()  # type: ignore[arg-type]


def lightness(picture: QImage) -> float:
    """The mean lightness (0 to 1) of the pixels the icon covers."""
    values = [
        picture.pixelColor(x, y).lightnessF()
        for x in range(picture.width())
        for y in range(picture.height())
        if picture.pixelColor(x, y).alpha() > 200
    ]
    return sum(values) / len(values)


@pytest.mark.parametrize("style", ["colour", "mono"])
def test_every_state_has_its_own_picture(qapp: object, style: str) -> None:
    for state in TrayState:
        assert QSvgRenderer(svg(state, style)).isValid(), state  # type: ignore[arg-type]
    pictures = {state: image(state, style) for state in TrayState}
    for a in TrayState:
        for b in TrayState:
            if a < b:
                assert pictures[a] != pictures[b], f"{a} and {b} look the same in {style}"


def test_the_monochrome_ink_contrasts_with_the_panel(qapp: object) -> None:
    for state in TrayState:
        assert lightness(image(state, "mono", dark=False)) < 0.3, state  # dark ink on a light panel
        assert lightness(image(state, "mono", dark=True)) > 0.8, state  # light ink on a dark panel


def test_hidpi_screens_get_twice_the_pixels_not_a_blown_up_picture(qapp: object) -> None:
    icon = tray_icon(TrayState.RECORDING)
    sharp = icon.pixmap(QSize(22, 22), 2.0)
    assert (sharp.width(), sharp.height()) == (44, 44)
    assert sharp.toImage() != icon.pixmap(QSize(22, 22), 1.0).toImage().scaled(44, 44)
    assert not app_icon().isNull()
    assert (icon_dir() / "vmrtray.svg").is_file()


@pytest.fixture
def palette(qapp: QGuiApplication) -> Iterator[None]:
    before = QGuiApplication.palette()
    yield
    QGuiApplication.setPalette(before)


def test_a_monochrome_tray_icon_follows_the_panel_turning_dark(qapp: object, palette: None) -> None:
    tray = Tray()
    tray.set_icon_style("mono")
    assert lightness(tray.icon.icon().pixmap(QSize(22, 22)).toImage()) < 0.3
    # Offscreen Qt has no colour scheme to switch (colorScheme() stays Unknown and
    # setColorScheme is ignored): the desktop turns dark through the palette, and the
    # signal is sent as a desktop's platform theme sends it.
    QGuiApplication.setPalette(QPalette(QColor("#202124")))
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Unknown)
    assert lightness(tray.icon.icon().pixmap(QSize(22, 22)).toImage()) > 0.8
    tray.set_icon_style("colour")
    assert tray.icon.icon().pixmap(QSize(22, 22)).toImage() == image(TrayState.SIGNED_OUT)
