"""How the tray words a room's state: its one-line summary, its details, the record and live actions, its invitation.

The menu and the fallback window both say it this way; nothing here draws or acts.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QCoreApplication

from vmrtray.api import Lang, Room
from vmrtray.core.events import Busy, RoomState
from vmrtray.core.untrusted import plain


class RecordChoice(NamedTuple):
    """The record action's words, and whether it can be used now (else the words say why)."""

    words: str
    usable: bool


class RoomWords:
    def __init__(self, lang: Lang = "en") -> None:
        self.lang = lang

    def tr(self, text: str, disambiguation: str = "", n: int = -1) -> str:
        """Qt's translation in this class's context (lupdate names the context after the class)."""
        return QCoreApplication.translate("RoomWords", text, disambiguation, n)

    def summary(self, room: RoomState) -> str:
        """One line: the room's title in the menu and its line in the fallback window."""
        if not room.available:
            return self.tr("unavailable")
        if not room.started:
            return self.tr("idle")
        bits = [self.tr("in use"), self.tr("%n people", "", room.participants)]
        if room.recording:
            bits.append(self.tr("REC"))
        elif room.busy == Busy.STARTING:
            bits.append(self.tr("starting recording…"))
        if room.live_busy is not None:
            starting = room.live_busy == Busy.STARTING
            bits.append(self.tr("starting live stream…") if starting else self.tr("stopping live stream…"))
        elif room.live:
            bits.append(self.tr("LIVE"))
        if room.locked:
            bits.append(self.tr("locked"))
        return " · ".join(bits)

    def details(self, room: RoomState) -> list[str]:
        """The lines at the top of the room's submenu."""
        if not room.available:
            return [self.tr("Unavailable: {why}").format(why=self.error(room))]
        if not room.started:
            return [self.tr("Idle: no meeting is running")]
        lines = [self.tr("In use: %n participant(s)", "", room.participants)]
        lines.append(self.tr("Locked") if room.locked else self.tr("Not locked"))
        if room.recording:
            lines.append(
                self.tr("Recording (started by this app)")
                if room.ours
                else self.tr("Recording (started by someone else)")
            )
        elif room.busy == Busy.STARTING:
            lines.append(self.tr("Starting recording: waiting for the service to say it records"))
        elif room.failed_reason:
            lines.append(self.tr("Recording failed: {why}").format(why=room.failed_reason))
        if room.live:
            lines.append(self.tr("Streaming live"))
        elif room.live_url:
            lines.append(self.tr("Live stream started: waiting for the service to say it streams"))
        return lines

    def error(self, room: RoomState) -> str:
        """Why the last refresh had no answer for the room ("" when it had one)."""
        return plain(room.error.describe(self.lang)) if room.error else ""

    def record_choice(self, room: RoomState) -> RecordChoice:
        """Not usable while a toggle is under way. While a start is unconfirmed the service may
        have no recording to stop yet (what closeRecord does to a recorder still joining is not
        known; a refused stop would leave the start going on), and a second start would be
        refused; "starting" ends within core's bound (core.coordinator.START_GIVE_UP)."""
        if room.busy is not None:
            starting = room.busy == Busy.STARTING
            return RecordChoice(self.tr("Starting recording…") if starting else self.tr("Stopping recording…"), False)
        if room.recording:
            return RecordChoice(self.tr("Stop recording"), True)
        if not room.available:
            return RecordChoice(self.tr("Start recording — the room is unavailable"), False)
        if not room.started:
            return RecordChoice(self.tr("Start recording — the meeting has not started"), False)
        if not room.may_record:
            return RecordChoice(self.tr("Start recording — this room may not be recorded"), False)
        return RecordChoice(self.tr("Start recording"), True)

    def live_choice(self, room: RoomState) -> RecordChoice | None:
        """The live action, or None where none is offered: the meeting is not on, or the server
        has no live endpoints (the caller does not ask then). A start the service accepted but
        has not confirmed can be stopped (a second start would be refused as already on)."""
        if room.live_busy is not None:
            starting = room.live_busy == Busy.STARTING
            return RecordChoice(
                self.tr("Starting live stream…") if starting else self.tr("Stopping live stream…"), False
            )
        if not room.available:
            return None
        if room.live or room.live_url:
            return RecordChoice(self.tr("Stop live stream"), True)
        if not room.started:
            return None
        if not room.may_live:
            return RecordChoice(self.tr("Start live stream — this meeting may not be streamed"), False)
        return RecordChoice(self.tr("Start live stream"), True)

    def invitation(self, room: RoomState, known: Room | None, *, host: bool = False) -> str:
        """The text to paste to a guest; `known` is the account's entry for the room (address, passwords).
        Every word from the service in it is made plain (core.untrusted): it is pasted into mail
        and chats, where a control or a bidi override would do what it does there."""
        lines = [self.tr("Join the meeting in {name}").format(name=plain(room.name) or room.room)]
        lines.append(self.tr("Meeting number: {n}").format(n=plain(room.room)))
        if known is not None and (alias := plain(known.alias)):
            lines.append(self.tr("Address: {a}").format(a=alias))
        guest = plain(room.guest_pwd or (known.guest_pin if known else ""))
        lines.append(self.tr("Guest password: {p}").format(p=guest) if guest else self.tr("No guest password"))
        if host and known is not None and (host_pin := plain(known.host_pin)):
            lines.append(self.tr("Host password: {p}").format(p=host_pin))
        return "\n".join(lines)
