"""Tray icons for each state, drawn at every size so they stay crisp, on any panel.

The glyph is a meeting-room screen; the state is its colour and a badge: grey and struck
through when signed out, neutral when all rooms are idle, green when a favourite is in
use, a red dot while recording, a blue wave when live, an amber warning triangle when the
service is unreachable. Every shape has a light halo so it reads on dark and light panels.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

if TYPE_CHECKING:
    from vmrtray.core.events import RoomState, Snapshot

SIZES = (16, 22, 24, 32, 48, 64)


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


_SCREEN = {
    TrayState.STARTING: QColor("#8a8f98"),
    TrayState.SIGNED_OUT: QColor("#8a8f98"),
    TrayState.IDLE: QColor("#3b6ea5"),
    TrayState.IN_USE: QColor("#1f9d55"),
    TrayState.RECORDING: QColor("#1f9d55"),
    TrayState.LIVE: QColor("#1f9d55"),
    TrayState.UNREACHABLE: QColor("#8a8f98"),
}
HALO = QColor(255, 255, 255, 230)
INK = QColor("#1d1f23")


def tray_icon(state: TrayState) -> QIcon:
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(_draw(state, size))
    return icon


def _draw(state: TrayState, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    _screen(painter, s, _SCREEN[state])
    if state == TrayState.SIGNED_OUT:
        _slash(painter, s)
    elif state == TrayState.RECORDING:
        _dot(painter, s, QColor("#e02424"))
    elif state == TrayState.LIVE:
        _wave(painter, s)
    elif state == TrayState.UNREACHABLE:
        _warning(painter, s)
    painter.end()
    return pixmap


def _screen(painter: QPainter, s: float, colour: QColor) -> None:
    body = QRectF(s * 0.06, s * 0.14, s * 0.88, s * 0.58)
    path = QPainterPath()
    path.addRoundedRect(body, s * 0.1, s * 0.1)
    painter.setPen(QPen(HALO, max(1.0, s / 16)))
    painter.setBrush(colour)
    painter.drawPath(path)
    stand = QRectF(s * 0.36, s * 0.74, s * 0.28, s * 0.12)
    painter.drawRoundedRect(stand, s * 0.04, s * 0.04)
    # two heads on the screen: people in a meeting
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255, 235))
    for cx in (0.36, 0.64):
        painter.drawEllipse(QPointF(s * cx, s * 0.36), s * 0.08, s * 0.08)
        painter.drawRoundedRect(QRectF(s * (cx - 0.12), s * 0.47, s * 0.24, s * 0.16), s * 0.06, s * 0.06)


def _badge_circle(painter: QPainter, s: float) -> tuple[QPointF, float]:
    return QPointF(s * 0.76, s * 0.76), s * 0.22


def _dot(painter: QPainter, s: float, colour: QColor) -> None:
    centre, radius = _badge_circle(painter, s)
    painter.setPen(QPen(HALO, max(1.0, s / 14)))
    painter.setBrush(colour)
    painter.drawEllipse(centre, radius, radius)


def _wave(painter: QPainter, s: float) -> None:
    _dot(painter, s, QColor("#2563eb"))
    centre, radius = _badge_circle(painter, s)
    painter.setPen(QPen(QColor("white"), max(1.0, s / 20)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(centre, radius * 0.45, radius * 0.45)


def _warning(painter: QPainter, s: float) -> None:
    triangle = QPolygonF([QPointF(s * 0.76, s * 0.5), QPointF(s * 0.99, s * 0.97), QPointF(s * 0.53, s * 0.97)])
    painter.setPen(QPen(HALO, max(1.0, s / 16)))
    painter.setBrush(QColor("#f59e0b"))
    painter.drawPolygon(triangle)
    painter.setPen(QPen(INK, max(1.0, s / 14)))
    painter.drawLine(QPointF(s * 0.76, s * 0.65), QPointF(s * 0.76, s * 0.82))
    painter.drawPoint(QPointF(s * 0.76, s * 0.9))


def _slash(painter: QPainter, s: float) -> None:
    painter.setPen(QPen(HALO, max(2.0, s / 7)))
    painter.drawLine(QPointF(s * 0.12, s * 0.9), QPointF(s * 0.88, s * 0.1))
    painter.setPen(QPen(INK, max(1.0, s / 14)))
    painter.drawLine(QPointF(s * 0.12, s * 0.9), QPointF(s * 0.88, s * 0.1))
