"""The Chinese UI leaves no English behind: every string of every window, walked widget by
widget with the zh_CN translations loaded, after driving each window through its states."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)

from tests.support.waiting import until
from tests.ui.conftest import demo_app, open_window
from vmrtray.ui.booking_dialog import BookingDialog, _to_qt
from vmrtray.ui.bookings_window import BookingsWindow
from vmrtray.ui.recordings_window import RecordingsWindow

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "vmrtray_zh_CN.ts"

#: Words that stay as they are in Chinese: names, protocols, units, file types.
PROPER = {
    "vmrtray",
    "vmrctl",
    "API",
    "ID",
    "KEY",
    "ics",
    "http",
    "https",
    "CA",
    "PEM",
    "Demo",
    "Co",
    "Alice",
    "English",
    "UTC",
    "MB",
    "KB",
    "GB",
    "KiB",
    "MiB",
    "GiB",
    "TiB",
    "B",
}
#: What is data rather than words of the UI: addresses, accounts, paths, zones, ids.
DATA = re.compile(
    r"https?://\S+|rtmp://\S+|\S+@\S+|(?:/[^\s/]+)+/?|\b[A-Z][a-z]+/[A-Za-z_]+\b|\b[0-9a-f]{16,}\b|\b\w+\.mp4\b"
)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str, data: set[str]) -> list[str]:
    for known in sorted(data, key=len, reverse=True):
        text = text.replace(known, " ")
    return [w for w in LATIN_WORD.findall(DATA.sub(" ", text)) if w not in PROPER]


def model_texts(view: QAbstractItemView) -> Iterator[str]:
    """The header and the first 50 rows' text and tooltips of a list or table view."""
    model = view.model()
    if model is None:
        return
    header = getattr(view, "horizontalHeader", None)
    columns = header().count() if header is not None else 1
    for section in range(columns if header is not None else 0):
        yield str(model.headerData(section, Qt.Orientation.Horizontal) or "")
    for row in range(50):
        if not model.index(row, 0).isValid():
            break
        for column in range(columns):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(model.index(row, column), role)
                if isinstance(value, str):
                    yield value


def action_texts(actions: list[QAction]) -> Iterator[str]:
    for action in actions:
        yield action.text()
        yield action.toolTip() if action.toolTip() != action.text().replace("&", "") else ""
        if (menu := action.menu()) is not None and isinstance(menu, QMenu):
            yield menu.title()
            yield from action_texts(menu.actions())


def widget_texts(top: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every string a user can read on `top` and its children, shown or not."""
    for widget in [top, *top.findChildren(QWidget)]:
        where = f"{type(top).__name__}/{type(widget).__name__}:{widget.objectName()}"
        texts = [widget.windowTitle() if widget.isWindow() else "", widget.toolTip(), widget.accessibleName()]
        texts.append(widget.accessibleDescription())
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        if isinstance(widget, QPlainTextEdit):
            texts.append(widget.placeholderText())
        if isinstance(widget, QGroupBox):
            texts.append(widget.title())
        if isinstance(widget, QComboBox):
            texts.extend(widget.itemText(i) for i in range(widget.count()))
        if isinstance(widget, QAbstractSpinBox) and not isinstance(widget, QDateTimeEdit):
            texts.extend([widget.specialValueText(), widget.property("suffix") or "", widget.property("prefix") or ""])
        if isinstance(widget, QTabBar):
            texts.extend(widget.tabText(i) for i in range(widget.count()))
        if isinstance(widget, QAbstractItemView):
            texts.extend(model_texts(widget))
        texts.extend(action_texts(widget.actions()))
        yield from ((where, t) for t in texts if t)


def untranslated(places: list[tuple[str, str]], data: set[str]) -> list[str]:
    return sorted(
        {f"{where}: {text!r} ({', '.join(words)})" for where, text in places if (words := english_words(text, data))}
    )


async def test_the_chinese_ui_shows_no_english(chinese: None, qapp: QApplication) -> None:
    async with demo_app("zh") as app:
        await until(lambda: app.tray.snapshot is not None and any(r.available for r in app.tray.snapshot.rooms))
        assert app.demo is not None
        assert app.client is not None
        sim, client = app.demo.sim, app.client
        tenant = next(iter(sim.state.tenants.values()))
        data = {sim.url, *(room.name for room in tenant.rooms.values()), tenant.name}
        data |= {name for _, name in tenant.accounts.values()} | {name for _, name, _ in tenant.contacts}

        # a room recording (started here), a room in use, one that may not record
        sim.state.set_meeting("100702", started=True, participants=2)
        await client.open_record("100702")
        assert app.coordinator is not None
        app.coordinator.request_refresh()
        await until(lambda: app.tray.snapshot is not None and bool(app.tray.snapshot.recording), "a room recording")
        places = [("tray", t) for t in action_texts(app.tray.menu.actions())]
        places.append(("tray tooltip", app.tray.icon.toolTip()))
        places += [("alert", a.title + " " + a.body) for a in app.tray.alerts]
        if app.tray.window is not None:
            places += widget_texts(app.tray.window)

        # the booking dialog: every field wrong, then a taken room, then booked
        dialog = await open_window(app, "book", BookingDialog)
        await until(lambda: dialog.picker.model.rowCount() > 0, "contacts loaded")
        dialog.host_pwd.setText("12")
        dialog.book_button.click()
        await until(lambda: bool(dialog.form.error("theme")), "the reasons shown")
        places += widget_texts(dialog)
        start = (datetime.now().astimezone() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
        dialog.host_pwd.setText("")
        dialog.theme.setText("周会")
        dialog.start.setDateTime(_to_qt(start))
        dialog.duration.setCurrentIndex(dialog.duration.findData(60))
        dialog.book_button.click()
        assert dialog.pending is not None
        await dialog.pending
        places += widget_texts(dialog)
        # the same room and time again: taken, with free times offered
        for button in dialog.findChildren(QAbstractButton):
            if button.objectName() == "book-another":
                button.click()
        dialog.theme.setText("周会二")
        dialog.start.setDateTime(_to_qt(start))
        dialog.book_button.click()
        assert dialog.pending is not None
        await dialog.pending
        places += widget_texts(dialog)

        bookings = await open_window(app, "bookings", BookingsWindow)
        await until(lambda: bookings.model.rowCount() > 0, "my bookings listed")
        bookings.table.selectRow(0)
        places += widget_texts(bookings)

        await client.close_record("100702")
        recordings = await open_window(app, "recordings", RecordingsWindow)
        await until(lambda: recordings.model.rowCount() > 0, "the recording listed")
        recordings.table.selectRow(0)
        places += widget_texts(recordings)

        app.tray.find_action("settings").trigger()  # type: ignore[union-attr]
        assert app.dialog is not None
        app.dialog.server.setText("")
        app.dialog.favourites_typed.setText("12x")
        app.dialog.candidate()
        places += widget_texts(app.dialog)
        data |= {app.dialog.favourite_list.item(i).text() for i in range(app.dialog.favourite_list.count())}
        app.dialog.close()

    assert len(places) > 150  # the walk reached the windows' strings
    left = untranslated(places, data)
    assert not left, "left in English:\n" + "\n".join(left)


def test_every_string_in_the_code_has_a_chinese_translation(tmp_path: Path) -> None:
    """lupdate over the sources finds nothing the .ts file lacks or leaves unfinished."""
    copy = tmp_path / TS.name
    copy.write_bytes(TS.read_bytes())
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    sources = sorted(str(p) for p in (ROOT / "vmrtray" / "ui").glob("*.py"))
    subprocess.run([str(lupdate), *sources, "-ts", str(copy), "-no-obsolete", "-locations", "none"], check=True)
    unfinished = [
        m.findtext("source")
        for m in ET.parse(copy).getroot().iter("message")  # noqa: S314 - our own file
        if m.find("translation") is not None and m.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
    ]
    assert not unfinished, f"not translated in {TS.name} (update it: DEVELOPERS.md, Translations): {unfinished}"
