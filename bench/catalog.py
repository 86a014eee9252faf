"""The recordings window over a large catalog: opening it, and filtering as one types.

    python bench/catalog.py [--recordings 100000]

A catalog is filled with that many recordings (one file each, a few dozen rooms, a year of
dates). Offscreen, in this one run:
- open: a new window reads the catalog, fills its table and is painted (median of runs),
  target <= 300 ms;
- keystroke: one more character in the filter box and the table repainted (worst and
  median over typed searches), target <= 50 ms;
each also against the plain Qt way measured alongside: a QStandardItemModel filled with the
same rows (open) and a QSortFilterProxyModel over it (keystroke).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtCore import QSortFilterProxyModel, Qt  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QLineEdit, QTableView, QVBoxLayout, QWidget  # noqa: E402

from bench.qtmeasure import ms, painted  # noqa: E402
from vmrtray.core.catalog import Catalog, CatalogEntry  # noqa: E402
from vmrtray.core.download_queue import DownloadQueue  # noqa: E402
from vmrtray.core.downloads import new_file_session  # noqa: E402
from vmrtray.ui.recordings_window import RecordingsWindow  # noqa: E402

SEARCHES = ("1007", "研发", "a3f", "100712 会")


def fill(catalog: Catalog, count: int) -> None:
    began = datetime(2025, 12, 1, tzinfo=UTC)
    rooms = [(str(100701 + n), f"会议室{n + 1}") for n in range(40)]
    recordings, files = [], []
    for n in range(count):
        record_id = uuid.UUID(int=n * 7919 + 12345).hex
        room, name = rooms[n % len(rooms)]
        start = began + timedelta(minutes=5 * n)
        recordings.append((record_id, room, "seen", start.isoformat(), 0, name))
        stop = (start + timedelta(minutes=30 + n % 90)).isoformat()
        files.append((record_id, 0, room, start.isoformat(), stop, 10_000_000 + n, "http://x/y", start.isoformat()))
    db = catalog._db
    with catalog._lock:
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO recordings (record_id, room, source, first_seen, deleted, room_name)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            recordings,
        )
        db.executemany(
            "INSERT INTO files (record_id, idx, conference_key, start_time, stop_time, file_size, down_url, fetched_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            files,
        )
        db.execute("COMMIT")


async def measure(catalog: Catalog, folder: Path, runs: int) -> tuple[list[float], list[float], list[float]]:
    """Per run: until the newest rows are painted, and until all rows are in; then keystrokes."""
    opens: list[float] = []
    loads: list[float] = []
    async with new_file_session() as http:
        queue = DownloadQueue(None, catalog, http, lambda: folder)  # type: ignore[arg-type]  # no API here
        for _ in range(runs):
            began = time.perf_counter()
            window = RecordingsWindow(catalog, queue)
            shown = asyncio.Event()
            window.model.modelReset.connect(shown.set)
            loading = asyncio.ensure_future(window.reload())
            await shown.wait()  # the newest rows are in the model
            painted(window)
            opens.append((time.perf_counter() - began) * 1000)
            await loading
            painted(window)
            loads.append((time.perf_counter() - began) * 1000)
            window.close()
            window.deleteLater()
            QApplication.processEvents()
        window = RecordingsWindow(catalog, queue)
        await window.reload()
        painted(window)
        keys = []
        for text in SEARCHES:
            window.search.clear()
            QApplication.processEvents()
            for n in range(1, len(text) + 1):
                keys.append(ms(lambda n=n, text=text: (window.search.setText(text[:n]), window.repaint())))
        window.close()
    return opens, loads, keys


def plain(entries: list[CatalogEntry], runs: int) -> tuple[list[float], list[float]]:
    opens = []
    holder = None
    for _ in range(runs):
        began = time.perf_counter()
        model = QStandardItemModel()
        for e in entries:
            cells = (e.room or "", e.room_name or "", e.start_time or "", str(e.total_size), "in the cloud")
            model.appendRow([QStandardItem(text) for text in cells])
        proxy = QSortFilterProxyModel()
        proxy.setSourceModel(model)
        proxy.setFilterKeyColumn(-1)
        proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        holder = QWidget()
        search, view = QLineEdit(), QTableView()
        view.setModel(proxy)
        view.verticalHeader().setDefaultSectionSize(22)
        search.textChanged.connect(proxy.setFilterFixedString)
        layout = QVBoxLayout(holder)
        layout.addWidget(search)
        layout.addWidget(view)
        painted(holder)
        opens.append((time.perf_counter() - began) * 1000)
    keys = []
    assert holder is not None
    search = holder.findChild(QLineEdit)
    for text in SEARCHES:
        search.clear()
        QApplication.processEvents()
        for n in range(1, len(text) + 1):
            keys.append(ms(lambda n=n, text=text: (search.setText(text[:n]), holder.repaint())))
    return opens, keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(["vmrtray-bench"])
    app.setQuitOnLastWindowClosed(False)  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as folder:
        catalog = Catalog(Path(folder) / "catalog.sqlite3")
        began = time.perf_counter()
        fill(catalog, args.recordings)
        filled = time.perf_counter() - began
        opens, loads, keys = qasync.run(measure(catalog, Path(folder), args.runs))
        began = time.perf_counter()
        entries = catalog.entries()
        read_ms = (time.perf_counter() - began) * 1000
        plain_opens, plain_keys = plain(entries, max(1, args.runs // 2))
        catalog.close()
    open_ms, plain_open = statistics.median(opens), statistics.median(plain_opens)
    worst, plain_worst = max(keys), max(plain_keys)
    print(
        f"catalog              {args.recordings} recordings (filled in {filled:.1f} s; reading them: {read_ms:.0f} ms)"
    )
    print(
        f"window opens         {open_ms:6.0f} ms (the newest 500 painted)   all {args.recordings} in:"
        f" {statistics.median(loads):6.0f} ms   plain QStandardItemModel {plain_open:6.0f} ms"
        f"   ratio {open_ms / plain_open:.2f}   (target <= 300 ms, median of {args.runs})"
    )
    print(
        f"keystroke filter     worst {worst:5.1f} ms, median {statistics.median(keys):5.1f} ms   plain proxy worst"
        f" {plain_worst:5.1f} ms, median {statistics.median(plain_keys):5.1f} ms   ratio {worst / plain_worst:.2f}"
        f"   (target <= 50 ms, {len(keys)} keystrokes)"
    )
    print("targets met" if open_ms <= 300 and worst <= 50 else "TARGETS MISSED")
    del app


if __name__ == "__main__":
    main()
