"""Tray icons for each state, from the SVGs in assets/icons, rendered crisp at every size.

The glyph is a meeting-room screen; the state is its colour and a badge: grey and struck
through when signed out, blue when all rooms are idle, green when a favourite is in use, a
red dot while recording, a blue ring when live, an amber triangle when the service is
unreachable; every shape has a light halo so it reads on dark and light panels. The
monochrome set tells the states apart by shape alone (a dark or lit screen, a solid dot,
a ring, a triangle, a stroke) in one ink: dark on a light panel, light on a dark one
(`QStyleHints.colorScheme`), as panels that want symbolic icons expect.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

if TYPE_CHECKING:
    from vmrtray.core.events import RoomState, Snapshot

SIZES = (16, 22, 24, 32, 48, 64)
SCALES = (1, 2)  # and each at twice the pixels, for HiDPI screens
Style = Literal["colour", "mono"]
# The ink of the monochrome icons on a light panel and on a dark one.
INK = {False: "#1d1f23", True: "#f2f2f2"}


class TrayState(StrEnum):
    STARTING = "starting"
    SIGNED_OUT = "signed_out"
    IDLE = "idle"
    IN_USE = "in_use"
    RECORDING = "recording"
    LIVE = "live"
    UNREACHABLE = "unreachable"


def state_of(snapshot: Snapshot | None) -> TrayState:
    """The one state the icon shows, most important first."""
    if snapshot is None or snapshot.signed_out:
        return TrayState.SIGNED_OUT
    if not snapshot.ok:
        return TrayState.UNREACHABLE
    return _busiest(bool(snapshot.recording), bool(snapshot.live), bool(snapshot.in_use), True)


def room_state(room: RoomState) -> TrayState:
    """The state one room's menu icon shows, with the same priorities as the tray's."""
    return _busiest(room.recording, room.live, room.started, room.available)


def _busiest(recording: bool, live: bool, in_use: bool, available: bool) -> TrayState:
    if recording:
        return TrayState.RECORDING
    if live:
        return TrayState.LIVE
    if in_use:
        return TrayState.IN_USE
    return TrayState.IDLE if available else TrayState.UNREACHABLE


def icon_dir() -> Path:
    return Path(str(resources.files("vmrtray.ui") / "assets" / "icons"))


def app_icon() -> QIcon:
    """The application's icon (windows, the desktop entry); Qt's SVG engine keeps it sharp."""
    return QIcon(str(icon_dir() / "vmrtray.svg"))


def dark_panel() -> bool:
    """Whether the desktop is dark: its colour scheme, or where the platform does not say
    (X11 without a desktop portal), the lightness of its palette."""
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hints is not None else Qt.ColorScheme.Unknown
    if scheme != Qt.ColorScheme.Unknown:
        return scheme == Qt.ColorScheme.Dark
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightnessF() < 0.5


def light_ink(style: Style) -> bool:
    """Whether `style` draws in the light ink: monochrome, on a dark panel (colour has no ink)."""
    return style == "mono" and dark_panel()


def tray_icon(state: TrayState, style: Style = "colour", dark: bool = False) -> QIcon:
    """The icon of `state`; `dark` picks the light ink of the monochrome set."""
    renderer = QSvgRenderer(QByteArray(svg(state, style, dark)))
    icon = QIcon()
    for size in SIZES:
        for scale in SCALES:
            pixmap = QPixmap(size * scale, size * scale)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            renderer.render(painter)
            painter.end()
            pixmap.setDevicePixelRatio(scale)
            icon.addPixmap(pixmap)
    return icon


@cache
def svg(state: TrayState, style: Style = "colour", dark: bool = False) -> bytes:
    name = f"tray-{state.value.replace('_', '-')}{'-mono' if style == 'mono' else ''}.svg"
    data = (icon_dir() / name).read_bytes()
    if style == "mono":  # the one ink is the root's `color`, used as currentColor
        data = data.replace(b'color="#000000"', f'color="{INK[dark]}"'.encode(), 1)
    return data
