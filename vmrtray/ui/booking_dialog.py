"""Book a meeting from the tray: room, theme, time, people — then the invitation in hand.

Non-modal. Every field is checked before anything is sent (core.bookings.build_request),
the reason shown beside the field. Book is disabled while a request is in flight; a
booking whose answer was lost is looked for before it is sent again (core's Submission),
so retrying never books twice. When the room is taken, what was typed stays and the
nearest free times of that room and other free rooms are offered, one click each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from vmrtray.api import ApiError, Booking, BookingRequest, Client, Lang, NetworkError, Room, VmrError
from vmrtray.core import bookings, localtime, slots
from vmrtray.core.contacts import ContactCache
from vmrtray.core.directory import RoomDirectory
from vmrtray.core.ics import save_ics
from vmrtray.core.invitation import booking_invitation
from vmrtray.core.pending import PendingBookings
from vmrtray.core.settings import Settings
from vmrtray.core.untrusted import plain

from .asyncutil import spawn
from .contact_picker import ContactPicker
from .forms import FieldForm, ask_save_path, button_words, enter_presses, hbox, plain_button, said

DURATIONS = (30, 60, 90)
UNTIL = 0  # the duration box's "until an end time"
TIME_FORMAT = "yyyy-MM-dd HH:mm"
#: The time edits hold wall-clock times (the local zone's, as typed) in a zone without
#: transitions: in the local zone Qt itself moves a time the clocks skip (2031-03-30 02:30 in
#: Berlin became 03:30 as it was picked), and the user would book what they did not pick.
#: core (bookings.local_time) places the wall-clock time in the local zone, or says why not.
WALL = QTimeZone(QTimeZone.Initialization.UTC)


def _wall(value: QDateTime) -> datetime:
    """The edit's wall-clock time, to the minute (naive, the local zone's)."""
    day, clock = value.date(), value.time()
    return datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute())


def _to_qt(moment: datetime) -> QDateTime:
    """`moment`'s local wall-clock time, as the time edits hold it."""
    local = moment.astimezone()
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute), WALL)


class BookingDialog(QDialog):
    booked = Signal(object)  # the Booking, once the service has it

    def __init__(
        self,
        client: Client,
        settings: Settings,
        contacts: ContactCache,
        *,
        rooms: Sequence[Room] = (),
        directory: RoomDirectory | None = None,
        lang: Lang = "en",
        journal: PendingBookings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`directory`: the session's rooms, shared with the tray (else one of the dialog's own);
        `journal`: where a booking waits until its answer comes (a crash is settled at the next start)."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Book a meeting"))
        self.client, self.settings, self.contacts, self.lang = client, settings, contacts, lang
        self.journal = journal
        self.account = settings.account or ""
        self.directory = directory or RoomDirectory(client, self.account)
        self.submission: bookings.Submission | None = None
        self.booking: Booking | None = None
        self.pending: asyncio.Task[Booking | None] | None = None  # the submission in flight
        self.pages = QStackedWidget()
        self.pages.addWidget(self._form_page())
        self.pages.addWidget(self._result_page())
        QVBoxLayout(self).addWidget(self.pages)
        enter_presses(self, self.book_button)
        self.pages.currentChanged.connect(
            lambda page: (self.close_button if page else self.book_button).setDefault(True)
        )
        self.set_rooms(rooms)
        self.resize(560, 720)

    # -- the form ----------------------------------------------------------------------------

    def _form_page(self) -> QWidget:
        self.form = form = FieldForm()
        self.room = form.row("room", self.tr("Room"), QComboBox())
        self.theme = form.row("theme", self.tr("Theme"), QLineEdit())
        self.theme.setObjectName("theme")
        self.introduction = form.row("introduction", self.tr("Introduction"), QPlainTextEdit())
        self.introduction.setFixedHeight(56)
        self.introduction.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.start = form.row("start", self.tr("Start"), self._time_edit(bookings.next_half_hour()))
        self.duration = QComboBox()
        for minutes in DURATIONS:
            self.duration.addItem(self.tr("%n minute(s)", "", minutes), minutes)
        self.duration.addItem(self.tr("until…"), UNTIL)
        self.duration.setCurrentIndex(1)
        self.end = self._time_edit(bookings.next_half_hour() + timedelta(hours=1), spare_days=2)
        form.row("end", self.tr("Duration"), hbox(self.duration, self.end))
        self.duration.currentIndexChanged.connect(self._duration_changed)
        self.start.dateTimeChanged.connect(self._duration_changed)
        self.picker = form.row("participants", self.tr("Participants"), ContactPicker())
        self.picker.refresh_requested.connect(lambda: spawn(self.refresh_contacts()))
        self.host_pwd = form.row("host_pwd", self.tr("Host password"), self._password("host_pwd"))
        self.guest_pwd = form.row("guest_pwd", self.tr("Guest password"), self._password("guest_pwd"))
        self.show_passwords = QCheckBox(self.tr("Show passwords"))
        self.show_passwords.toggled.connect(self._echo)
        generate = QPushButton(self.tr("Generate"))
        generate.clicked.connect(self.generate_passwords)
        form.addRow("", hbox(self.show_passwords, generate))
        self.auto_open = QCheckBox(self.tr("Open the meeting automatically at the start"))
        form.addRow("", self.auto_open)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # it may say the service's words
        self.status.setWordWrap(True)
        self.status.setObjectName("status")
        self.proposals = QWidget()
        self.proposals_layout = QVBoxLayout(self.proposals)
        self.proposals.hide()
        self.book_button = QPushButton(self.tr("Book"))
        self.book_button.setObjectName("book")
        self.book_button.setDefault(True)
        self.book_button.clicked.connect(self.send)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.proposals)
        layout.addWidget(self.book_button)
        self._duration_changed()
        return page

    def _time_edit(self, moment: datetime, spare_days: int = 0) -> QDateTimeEdit:
        edit = QDateTimeEdit()
        edit.setTimeZone(WALL)
        # Core refuses a start more than MAX_AHEAD_YEARS ahead with its reason; a year beyond
        # this one more cannot be picked (9999-12-31 23:50 plus an hour overflowed the end); the
        # end may go `spare_days` further (the longest preset duration is a day).
        edit.setMaximumDate(QDate.currentDate().addYears(bookings.MAX_AHEAD_YEARS + 1).addDays(spare_days))
        edit.setDateTime(_to_qt(moment))
        edit.setDisplayFormat(TIME_FORMAT)
        edit.setCalendarPopup(True)
        return edit

    def _password(self, name: str) -> QLineEdit:
        line = QLineEdit()
        line.setObjectName(name)
        line.setEchoMode(QLineEdit.EchoMode.Password)
        line.setPlaceholderText(self.tr("4 to 10 digits, or empty"))
        return line

    def _echo(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.host_pwd.setEchoMode(mode)
        self.guest_pwd.setEchoMode(mode)

    def generate_passwords(self) -> None:
        self.host_pwd.setText(bookings.new_password())
        self.guest_pwd.setText(bookings.new_password())

    def _duration_changed(self) -> None:
        """A preset duration shows its end time; "until…" lets the end be typed."""
        minutes = self.duration.currentData()
        self.end.setEnabled(minutes == UNTIL)
        if minutes != UNTIL:
            try:  # the real end: across a change of the clocks it reads an hour apart
                start = localtime.aware(_wall(self.start.dateTime()))
            except (ValueError, OverflowError, OSError):  # a skipped start: refused at Book
                self.end.setDateTime(self.start.dateTime().addSecs(int(minutes) * 60))
            else:
                self.end.setDateTime(_to_qt(start + timedelta(minutes=int(minutes))))

    def set_rooms(self, rooms: Sequence[Room]) -> None:
        """The rooms to choose from; the one chosen stays chosen if it is still there, else the last booked."""
        chosen = self.room.currentData()
        self.room.clear()
        for room in rooms:
            self.room.addItem(plain(f"{room.p_desc or room.sipkey} ({room.sipkey})"), room.pid)
        keep = self.room.findData(chosen) if chosen is not None else -1
        self.room.setCurrentIndex(keep if keep >= 0 else max(0, self.room.findData(self.settings.last_booked_room)))

    async def load(self) -> None:
        """The rooms and the contacts: the directory's rooms (kept ones while fresh, else asked
        for: the list given at opening is only what was known then), and the cached contacts,
        else the service's."""
        try:
            rooms = await self.directory.rooms()
        except VmrError as error:
            if self.room.count() == 0:  # a list shown already stays, as it was
                self.form.show_errors({"room": said(error.describe(self.lang))}, "room")
        else:
            if [self.room.itemData(i) for i in range(self.room.count())] != [room.pid for room in rooms]:
                self.set_rooms(rooms)
        if await self.contacts.load():
            self.picker.set_people(self.contacts.people)
        else:
            await self.refresh_contacts()

    async def refresh_contacts(self) -> None:
        self.picker.refresh.setEnabled(False)
        try:
            self.picker.set_people(await self.contacts.refresh(self.client, self.account))
        except VmrError as error:
            self.picker.set_status(said(error.describe(self.lang)))
        finally:
            self.picker.refresh.setEnabled(True)

    # -- checking and sending ----------------------------------------------------------------

    def request(self) -> BookingRequest | None:
        """The booking as typed, or None with each bad field's reason shown beside it."""
        self.form.clear_errors()
        minutes = self.duration.currentData()
        times: dict[str, datetime] = {}
        skipped: dict[str, str] = {}
        for field, edit in (("start", self.start), ("end", self.end)):
            if field == "end" and minutes != UNTIL:
                continue
            try:
                times[field] = bookings.local_time(_wall(edit.dateTime()), field, self.lang)
            except bookings.InvalidBooking as invalid:
                skipped.update(invalid.reasons)
        if skipped:
            self.form.show_errors(skipped, "start")
            return None
        try:
            request = bookings.build_request(
                account=self.account,
                theme=self.theme.text(),
                start=times["start"],
                end=times.get("end"),
                minutes=None if minutes == UNTIL else int(minutes),
                introduction=self.introduction.toPlainText().strip(),
                participants=self.picker.chosen(),
                host_pwd=self.host_pwd.text().strip(),
                guest_pwd=self.guest_pwd.text().strip(),
                auto_open=self.auto_open.isChecked(),
                pid=self.room.currentData(),
                lang=self.lang,
            )
        except bookings.InvalidBooking as invalid:
            reasons = {("end" if f == "minutes" else f): why for f, why in invalid.reasons.items()}
            self.form.show_errors(reasons, "theme")
            return None
        if self.room.count() == 0:
            self.form.show_errors(
                {"room": self.tr("no room to book: the account has none, or they did not load")}, "room"
            )
            return None
        return request

    def send(self) -> None:
        """Book (from a click): one submission at a time."""
        if self.pending is None or self.pending.done():
            self.pending = spawn(self.submit())

    async def submit(self) -> Booking | None:
        request = self.request()
        if request is None:
            return None
        self.proposals.hide()
        self.book_button.setEnabled(False)
        self.status.setText(self.tr("Booking…"))
        try:
            booking = await self._send_once(request)
        except ApiError as error:
            await self._refused(error, request)
            return None
        except NetworkError as error:
            self.status.setText(
                self.tr("Not booked: {why} It is not among your bookings; Book again looks once more first.").format(
                    why=said(error.describe(self.lang))
                )
            )
            return None
        except VmrError as error:
            self.status.setText(said(error.describe(self.lang)))
            return None
        finally:
            self.book_button.setEnabled(True)
        self._done(booking)
        return booking

    async def _send_once(self, request: BookingRequest) -> Booking:
        """The same request goes through the same Submission; before a changed one is sent,
        an earlier one whose answer was lost is looked for (it may have been booked)."""
        earlier = self.submission
        if earlier is not None and earlier.request != request:
            if earlier.uncertain and (found := await earlier.find()) is not None:
                return found
            earlier = None
        if earlier is None and self.submission is not None:
            await self.submission.abandon()  # a changed request replaces the one whose answer was lost
        self.submission = earlier or bookings.Submission(self.client, request, journal=self.journal)
        return await self.submission.submit()

    def done(self, result: int) -> None:
        """Closed: a booking whose answer was lost is not sent by a later start (the user
        saw it fail and left; if the service made it, it is among My bookings)."""
        if self.submission is not None and self.submission.uncertain and not self._in_flight():
            spawn(self.submission.abandon())
        super().done(result)

    def _in_flight(self) -> bool:
        return self.pending is not None and not self.pending.done()

    async def _refused(self, error: ApiError, request: BookingRequest) -> None:
        self.status.setText(said(error.describe(self.lang)))
        if error.code != bookings.ROOM_TAKEN:
            return
        room = self.room.currentText()
        when = localtime.span(request.start, request.end)
        self.status.setText(self.tr("{room} is already booked for {when}.").format(room=room, when=when))
        try:
            offer = await slots.alternatives(self.client, self.directory, request.pid, request.start, request.end)
        except VmrError:
            return  # the refusal stands on its own; no proposals
        self._propose(offer, request)

    def _propose(self, offer: slots.Alternatives, request: BookingRequest) -> None:
        layout = self.proposals_layout
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        length = request.end - request.start
        if offer.starts:
            layout.addWidget(QLabel(self.tr("Free times for this room:")))
            layout.addWidget(hbox(*(self._start_button(start, length) for start in offer.starts)))
        if offer.rooms:
            layout.addWidget(QLabel(self.tr("Other rooms free at that time:")))
            layout.addWidget(hbox(*(self._room_button(room) for room in offer.rooms[:4])))
        self.proposals.setVisible(bool(offer.starts or offer.rooms))

    def _start_button(self, start: datetime, length: timedelta) -> QPushButton:
        local = start.astimezone()
        same_day = local.date() == _wall(self.start.dateTime()).date()
        button = plain_button(localtime.shown(local, "%H:%M" if same_day else "%m-%d %H:%M"))
        button.setObjectName(f"propose-start:{local:%Y-%m-%d %H:%M}")

        def take() -> None:
            self.start.setDateTime(_to_qt(local))
            self.end.setDateTime(_to_qt(local + length))
            self.send()

        button.clicked.connect(take)
        return button

    def _room_button(self, room: Room) -> QPushButton:
        button = plain_button(button_words(room.p_desc or room.sipkey))
        button.setObjectName(f"propose-room:{room.pid}")

        def take() -> None:
            self.room.setCurrentIndex(self.room.findData(room.pid))
            self.send()

        button.clicked.connect(take)
        return button

    # -- the result --------------------------------------------------------------------------

    def _result_page(self) -> QWidget:
        self.result_title = QLabel()
        self.result_title.setTextFormat(Qt.TextFormat.PlainText)  # a theme "<b>…" is words, not markup
        self.result_title.setWordWrap(True)
        form = QFormLayout()
        self.result_fields: dict[str, QLineEdit] = {}
        for name, label in (
            ("link", self.tr("Share link")),
            ("number", self.tr("Meeting number")),
            ("host", self.tr("Host password")),
            ("guest", self.tr("Guest password")),
        ):
            field = QLineEdit()
            field.setReadOnly(True)
            copy = QPushButton(self.tr("Copy"))
            copy.setObjectName(f"copy:{name}")
            copy.clicked.connect(lambda _=False, f=field: QGuiApplication.clipboard().setText(f.text()))
            self.result_fields[name] = field
            form.addRow(label, hbox(field, copy))
        invite = QPushButton(self.tr("Copy invitation"))
        invite.setObjectName("copy:invitation")
        invite.clicked.connect(self._copy_invitation)
        calendar = QPushButton(self.tr("Add to calendar…"))
        calendar.setObjectName("ics")
        calendar.clicked.connect(self._choose_ics)
        again = QPushButton(self.tr("Book another"))
        again.setObjectName("book-another")
        again.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        self.close_button = close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.result_title)
        layout.addLayout(form)
        layout.addWidget(hbox(invite, calendar, again, close))
        layout.addStretch()
        return page

    def _done(self, booking: Booking) -> None:
        self.booking = booking
        self.submission = None
        self.status.clear()
        when = localtime.span(booking.start_date, booking.end_date)
        # the service's words, made plain (core.untrusted): no controls, bidi overrides or lines
        theme = plain(booking.theme)
        self.result_title.setText(self.tr("Booked “{theme}”, {when}.").format(theme=theme, when=when))
        self.result_fields["link"].setText(plain(booking.short_address))
        self.result_fields["number"].setText(plain(booking.sipkey or ""))
        self.result_fields["host"].setText(plain(booking.random_host_pwd))
        self.result_fields["guest"].setText(plain(booking.random_visitor_pwd))
        self.result_fields["guest"].setPlaceholderText(self.tr("(none)"))
        self.pages.setCurrentIndex(1)
        self.booked.emit(booking)

    def _copy_invitation(self) -> None:
        if self.booking is not None:
            QGuiApplication.clipboard().setText(booking_invitation(self.booking, lang=self.lang))

    def _choose_ics(self) -> None:
        suggested = Path.home() / f"booking-{self._booking_id()}.ics"
        filter_ = self.tr("Calendar files (*.ics)")
        ask_save_path(self, self.tr("Add to calendar"), suggested, filter_, lambda path: spawn(self.export_ics(path)))

    def _booking_id(self) -> str:
        return self.booking.id if self.booking else "new"

    async def export_ics(self, path: Path) -> bool:
        if self.booking is None:
            return False
        host = self.client.origin_host
        try:
            await asyncio.to_thread(save_ics, path, [self.booking], self.settings.zone, host=host)
        except OSError as exc:
            self.result_title.setText(self.tr("Could not write {path}: {why}").format(path=path, why=exc.strerror))
            return False
        return True
