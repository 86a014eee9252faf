"""What the tray shows of the service's words (issue 15, point 3): My bookings, the booking
dialog's invitation, the tray menu, a room's invitation and the Recordings window's status
never show a control character (ESC, BEL, CR/LF) or a bidi override from the service, a menu
never eats an `&`, and a label never takes the service's text for markup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest_asyncio
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu, QMessageBox

from vmrtray.api import Client, Room
from vmrtray.core.agenda import Agenda
from vmrtray.core.catalog import Catalog
from vmrtray.core.contacts import ContactCache
from vmrtray.core.download_queue import DownloadQueue
from vmrtray.core.downloads import new_file_session
from vmrtray.core.events import RoomState, Snapshot
from vmrtray.core.settings import Settings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim
from vmrtray.ui.booking_dialog import BookingDialog, _to_qt
from vmrtray.ui.bookings_window import BookingsWindow
from vmrtray.ui.recordings_window import RecordingsWindow
from vmrtray.ui.room_words import RoomWords
from vmrtray.ui.tray_menu import MenuState, TrayMenu

ESC_TITLE = "\x1b]0;owned\x07"
CLEAR = "\x1b[2J"
RLO = "\u202e"
BAD = {chr(c) for c in range(0x20)} | {chr(c) for c in range(0x7F, 0xA0)} | set("\u202a\u202b\u202c\u202d\u202e")


def _clean(text: str, *, lines: bool = False) -> bool:
    return not (set(text) & (BAD - ({"\n"} if lines else set())))


@pytest_asyncio.fixture
async def booked(sim: Sim, api: Client, qapp: object, tmp_path: Path) -> AsyncIterator[BookingDialog]:
    """A booking made through the dialog, then made hostile in the service's own records."""
    settings = Settings(server=sim.url, account=DEMO_ACCOUNT)
    dialog = BookingDialog(api, settings, ContactCache(tmp_path, sim.url, DEMO_ACCOUNT))
    await dialog.load()
    dialog.theme.setText("Retro")
    start = (datetime.now().astimezone() + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    dialog.start.setDateTime(_to_qt(start))
    assert await dialog.submit() is not None, dialog.status.text()
    (made,) = sim.state.tenants[DEMO_PUBLIC_KEY].bookings.values()
    made.theme = f"<b>Retro</b>{ESC_TITLE}{RLO}gpj.exe"
    made.introduction = f"Agenda{CLEAR}\r\nline two{RLO}\x85three"
    made.guest_pwd = f"43{CLEAR}21"
    yield dialog
    dialog.close()


async def test_my_bookings_shows_no_control_or_bidi_from_a_booking(api: Client, booked: BookingDialog) -> None:
    agenda = Agenda(api, DEMO_ACCOUNT)
    await agenda.refresh()
    window = BookingsWindow(agenda, booked.settings)
    window.show()
    try:
        theme = window.model.data(window.model.index(0, 1))
        assert theme == "<b>Retro</b>]0;ownedgpj.exe"
        for column in range(window.model.columnCount()):
            assert _clean(window.model.data(window.model.index(0, column)))
        details = window.details.toPlainText()
        assert _clean(details, lines=True), repr(details)
        assert "Guest password: 43[2J21" in details
        assert details.endswith("Agenda[2J\nline two\nthree")
        window.copy_invitation()
        assert QGuiApplication.clipboard().text() == details
        box = window.ask_cancel()
        assert isinstance(box, QMessageBox)
        assert box.textFormat() == Qt.TextFormat.PlainText  # "<b>" is words, not markup
        assert _clean(box.text())
        assert "<b>Retro</b>" in box.text()
        box.reject()
        assert window.status.textFormat() == Qt.TextFormat.PlainText
    finally:
        window.close()


async def test_the_dialogs_labels_take_no_markup(booked: BookingDialog) -> None:
    assert booked.result_title.textFormat() == Qt.TextFormat.PlainText
    assert booked.status.textFormat() == Qt.TextFormat.PlainText
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in booked.form.errors.values())


def _menu_texts(menu: QMenu) -> list[str]:
    texts = []
    for action in menu.actions():
        texts.append(action.text())
        if isinstance(sub := action.menu(), QMenu):
            texts.extend(_menu_texts(sub))
    return texts


async def test_the_tray_menu_shows_the_services_words_plain_and_keeps_an_ampersand(qapp: object) -> None:
    words = RoomWords("en")
    menu = TrayMenu(words, header=lambda: "", alert=lambda _: None)
    room = RoomState(
        room="100701",
        name=f"R&D{ESC_TITLE}{RLO}",
        available=True,
        started=True,
        participants=2,
        failed_reason=f"disk{CLEAR}\nfull",
        guest_pwd=f"12{CLEAR}34{RLO}",
    )
    menu.show_state(MenuState(snapshot=Snapshot(rooms=(room,)), signed_in=True))
    texts = _menu_texts(menu)
    assert all(_clean(text) for text in texts), texts
    assert any(text.startswith("R&&D]0;owned (100701) — ") for text in texts), texts  # shown as "R&D…"
    assert "Recording failed: disk[2J full" in texts
    invitation = words.invitation(room, Room(pid=1, sipkey="100701", alias=f"a{RLO}b", hostPin="9\r\n9"), host=True)
    assert _clean(invitation, lines=True), repr(invitation)
    assert "Guest password: 12[2J34" in invitation.split("\n")
    assert "Host password: 9 9" in invitation.split("\n")
    menu.deleteLater()


async def test_the_recordings_window_says_the_services_words_plain(
    sim: Sim, api: Client, qapp: object, tmp_path: Path
) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        queue = DownloadQueue(api, catalog, http, lambda: tmp_path / "downloads", segments=1, tick=0.01)
        window = RecordingsWindow(catalog, queue)
        try:
            window.say(f"Recording failed: <b>disk</b>{CLEAR}\r\n{RLO}full")
            assert window.status.text() == "Recording failed: <b>disk</b>[2J full"
            assert window.status.textFormat() == Qt.TextFormat.PlainText
        finally:
            window.close()
            await queue.aclose()
    catalog.close()
