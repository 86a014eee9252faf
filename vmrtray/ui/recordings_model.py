"""The recordings table: a thin Qt model over the catalog's entries and the queue's transfers.

Columns are declared as data. A reload (the catalog read again) resets the model; a
transfer's progress only changes its row's State cell (`dataChanged`). Filtering and
sorting happen here, over precomputed keys, so 100,000 rows stay quick: a filter or a sort
replaces the list of visible rows, one reset, no per-row Python callbacks.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from vmrtray.core.catalog import CatalogEntry
from vmrtray.core.download_queue import State, Transfer
from vmrtray.core.units import size_text

Index = QModelIndex | QPersistentModelIndex


Row = CatalogEntry  # one recording as the table shows it


def _start_text(row: Row) -> str:
    return f"{datetime.fromtimestamp(row.start_epoch):%Y-%m-%d %H:%M}" if row.start_epoch is not None else ""


def _day_start(day: date) -> int:
    return int(datetime.combine(day, time()).timestamp())


def _given_up(row: Row) -> bool:
    """Stopped, never listed, and no longer asked for (core.making's Unlisted): most likely deleted."""
    return not row.files and not row.deleted and row.stopped_at is not None and row.next_check is None


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Row], str]
    sort: Callable[[Row], Any]


class RecordingsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []
        self.visible: list[int] = []
        self._shown_at: dict[int, int] | None = None  # row -> where it is shown; made when first asked
        self.transfers: dict[str, list[Transfer]] = {}
        self._where: dict[str, int] = {}  # record_id -> row in self.rows
        self.being_made: set[str] = set()  # record ids of the rows whose files are still asked for
        self._filter: tuple[str, str | None, date | None, date | None] = ("", None, None, None)
        self._order: list[int] = []
        self._keys: list[str] = []
        self._searched: tuple[str, object] | None = None
        self._sort: tuple[int, Qt.SortOrder] = (2, Qt.SortOrder.DescendingOrder)
        self.columns = (
            Column(self.tr("Room"), lambda r: r.room or "", lambda r: r.room or ""),
            Column(self.tr("Room name"), lambda r: r.room_name or "", lambda r: r.room_name or ""),
            Column(self.tr("Start"), _start_text, lambda r: r.start_epoch or 0),
            Column(self.tr("Duration"), lambda r: _duration(r.seconds), lambda r: r.seconds or 0),
            Column(self.tr("Size"), lambda r: size_text(r.total_size) if r.files else "", lambda r: r.total_size),
            Column(self.tr("State"), self.state_text, self.state_text),
        )

    # -- data in --------------------------------------------------------------------------------

    def set_entries(self, entries: Sequence[CatalogEntry]) -> None:
        """A reload: every row anew (the catalog gives them newest first), filter and order kept."""
        self.beginResetModel()
        self.rows = list(entries)
        self._keys = [row.search for row in self.rows]
        self._where = {row.record_id: n for n, row in enumerate(self.rows)}
        self.being_made = {row.record_id for row in self.rows if row.being_made}
        self._order = self._sorted()
        self._searched = None
        self.visible, self._shown_at = self._select(), None
        self.endResetModel()

    def set_transfers(self, transfers: Mapping[tuple[str, int], Transfer]) -> None:
        self.transfers = {}
        for transfer in transfers.values():
            self.transfers.setdefault(transfer.record_id, []).append(transfer)

    def transfer_changed(self, transfer: Transfer) -> None:
        """Progress or a new state: only that row's State cell changes."""
        files = self.transfers.setdefault(transfer.record_id, [])
        if transfer not in files:
            files.append(transfer)
        self._repaint_state(transfer.record_id)

    def schedule_changed(self, due: Mapping[str, int]) -> bool:
        """The recordings being made and when each is asked for next (record_id -> epoch second):
        only their State cells change. False when the set itself changed (one listed, given up
        or newly stopped): then the catalog is to be read again."""
        if set(due) != self.being_made:
            return False
        for record_id, at in due.items():
            n = self._where[record_id]
            if self.rows[n].next_check != at:
                self.rows[n] = self.rows[n]._replace(next_check=at)
                self._repaint_state(record_id)
        return True

    def _repaint_state(self, record_id: str) -> None:
        row = self._where.get(record_id)
        if self._shown_at is None:  # once per reload or filter, not per progress tick
            self._shown_at = {n: shown for shown, n in enumerate(self.visible)}
        shown = self._shown_at.get(row) if row is not None else None
        if shown is None:
            return
        cell = self.index(shown, len(self.columns) - 1)
        self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.DisplayRole])

    # -- filtering and sorting ------------------------------------------------------------------

    def set_filter(
        self, text: str = "", room: str | None = None, since: date | None = None, until: date | None = None
    ) -> None:
        self._filter = (text, room, since, until)
        self._reselect()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if (column, order) == self._sort:
            return
        self._sort = (column, order)
        self._order = self._sorted()
        self._searched = None
        self._reselect()

    def _reselect(self) -> None:
        self.beginResetModel()
        self.visible, self._shown_at = self._select(), None
        self.endResetModel()

    def _sorted(self) -> list[int]:
        column, order = self._sort
        if (column, order) == (2, Qt.SortOrder.DescendingOrder):
            return list(range(len(self.rows)))  # the catalog's own order
        key = self.columns[column].sort
        rows = self.rows
        return sorted(range(len(rows)), key=lambda n: key(rows[n]), reverse=order == Qt.SortOrder.DescendingOrder)

    def _select(self) -> list[int]:
        """The rows passing the filter, in the current order; typing on narrows the last result."""
        text, room, since, until = self._filter
        words = text.casefold().split()
        rest = (room, since, until)
        narrowing = self._searched is not None and self._searched[1] == rest and text.startswith(self._searched[0])
        candidates = self.visible if narrowing else self._order
        self._searched = (text, rest)
        rows, keys = self.rows, self._keys
        for word in words:  # a loop per word, not a generator per row: 100,000 rows in ~10 ms
            candidates = [n for n in candidates if word in keys[n]]
        if room is not None:
            candidates = [n for n in candidates if rows[n].room == room]
        if since is not None or until is not None:
            low = _day_start(since) if since else -(2**62)
            high = _day_start(until + timedelta(days=1)) if until else 2**62
            candidates = [n for n in candidates if low <= (rows[n].start_epoch or 0) < high]
        return list(candidates)

    # -- what Qt asks ---------------------------------------------------------------------------

    def row(self, shown: int) -> Row:
        return self.rows[self.visible[shown]]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[index.column()].text(self.row(index.row()))
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == len(self.columns) - 1:
            return self._tooltip(self.row(index.row()))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    # -- the State column -----------------------------------------------------------------------

    def state_text(self, row: Row) -> str:
        entry = row
        live = self.transfers.get(entry.record_id, [])
        moving = [t for t in live if t.state == State.DOWNLOADING]
        if moving:
            done, size = sum(t.done for t in live), sum(t.size for t in live) or 1
            speed = sum(t.speed for t in moving)
            text = self.tr("downloading {p}% at {s}/s").format(p=int(100 * done / size), s=size_text(speed))
            if speed > 0:
                text += self.tr(", {t} left").format(t=_duration(int((size - done) / speed)))
            return text
        states: set[str] = {str(t.state) for t in live} or set(entry.states)
        finished = bool(live) and states == {State.DONE} and len(live) >= entry.files
        for state, words in (
            # the tray and vmrctl share the download folder: the other's download is waited for, not failed
            (State.ELSEWHERE, self.tr("downloading in another process")),
            (State.QUEUED, self.tr("queued")),
            (State.PAUSED, self.tr("paused")),
            (State.FAILED, self.tr("failed")),
        ):
            if state in states:
                return words
        if finished or (entry.files and entry.downloaded == entry.files):
            return self.tr("downloaded") + (self.tr(" (deleted from the cloud)") if entry.deleted else "")
        if entry.deleted:
            return self.tr("deleted")
        if entry.being_made:
            return self._being_made_text(entry.next_check or 0)
        if _given_up(entry):
            return self.tr("not listed — probably deleted")
        return self.tr("in the cloud") if entry.files else self.tr("in the cloud (files not listed yet)")

    def _being_made_text(self, next_check: int) -> str:
        if next_check <= clock.time():
            return self.tr("being made — checking now")
        return self.tr("being made — next check {time}").format(time=f"{datetime.fromtimestamp(next_check):%H:%M}")

    def _tooltip(self, row: Row) -> str | None:
        if row.being_made:
            return self.tr("The service lists the files once it has made them; asked again, less often, for 48 hours.")
        if _given_up(row):
            return self.tr("The service still listed no files 48 hours after the recording stopped.")
        return self._errors(row)

    def _errors(self, row: Row) -> str | None:
        reasons = [t.error for t in self.transfers.get(row.record_id, []) if t.error]
        return "\n".join(reasons) if reasons else None

    def selected_ids(self, shown_rows: Sequence[int]) -> list[str]:
        return [self.row(n).record_id for n in shown_rows]
