"""The participant picker with 5,000 contacts: opening, and filtering as one types.

    python bench/contacts.py [--contacts 5000]

The simulator runs as its own process with that many contacts. The list is fetched once
(pages of 500) into the on-disk cache; then, offscreen, measured in this one run:
- open: a new booking dialog loads the cached list and is shown and painted (median of
  runs), target <= 300 ms;
- keystroke: the search box gets one more character and the list is repainted (the worst
  and the median over several typed searches), target <= 30 ms;
each also as a ratio to the plain Qt way measured alongside: a QListWidget filled with the
same rows (open) and a QSortFilterProxyModel over a QStringListModel (keystroke).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtCore import QSortFilterProxyModel, QStringListModel, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QLineEdit, QListView, QListWidget, QVBoxLayout, QWidget  # noqa: E402

from bench.qtmeasure import ms, painted  # noqa: E402
from bench.simproc import start_sim  # noqa: E402
from vmrtray.api import Client  # noqa: E402
from vmrtray.core.contacts import ContactCache, Person  # noqa: E402
from vmrtray.core.settings import Settings  # noqa: E402
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY  # noqa: E402
from vmrtray.ui.booking_dialog import BookingDialog  # noqa: E402

SEARCHES = ("张伟", "user12", "王 芳", "9150", "li")


async def measure_open(api: Client, settings: Settings, folder: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        dialog = BookingDialog(api, settings, ContactCache(folder, settings.server or "", DEMO_ACCOUNT), rooms=[])
        dialog.room.addItem("room", 1)  # rooms are the tray's already; only contacts load here
        await dialog.load()
        painted(dialog)
        times.append((time.perf_counter() - began) * 1000)
        dialog.close()
        dialog.deleteLater()
        QApplication.processEvents()
    return times


def measure_keystrokes(dialog: BookingDialog) -> list[float]:
    times = []
    for text in SEARCHES:
        dialog.picker.search.clear()
        QApplication.processEvents()
        for n in range(1, len(text) + 1):
            times.append(ms(lambda n=n, text=text: (dialog.picker.search.setText(text[:n]), dialog.repaint())))
    return times


def plain_open(people: list[Person], runs: int) -> list[float]:
    times = []
    for _ in range(runs):

        def build() -> None:
            widget = QListWidget()
            widget.addItems([f"{p.name}  ({p.account})" for p in people])
            painted(widget)
            widget.close()

        times.append(ms(build))
    return times


def plain_keystrokes(people: list[Person]) -> list[float]:
    holder = QWidget()
    search, view = QLineEdit(), QListView()
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(QStringListModel([f"{p.name}  ({p.account})" for p in people]))
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    view.setModel(proxy)
    search.textChanged.connect(proxy.setFilterFixedString)
    layout = QVBoxLayout(holder)
    layout.addWidget(search)
    layout.addWidget(view)
    painted(holder)
    times = []
    for text in SEARCHES:
        search.clear()
        QApplication.processEvents()
        for n in range(1, len(text) + 1):
            times.append(ms(lambda n=n, text=text: (search.setText(text[:n]), holder.repaint())))
    holder.close()
    return times


async def run(url: str, contacts: int, runs: int) -> None:
    settings = Settings(server=url, account=DEMO_ACCOUNT)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        async with Client(url, DEMO_PUBLIC_KEY) as api:
            cache = ContactCache(folder, url, DEMO_ACCOUNT)
            began = time.perf_counter()
            people = await cache.refresh(api, DEMO_ACCOUNT)
            fetched = (time.perf_counter() - began) * 1000
            if len(people) != contacts:
                raise SystemExit(f"fetched {len(people)} contacts, expected {contacts}")
            opens = await measure_open(api, settings, folder, runs)
            dialog = BookingDialog(api, settings, ContactCache(folder, url, DEMO_ACCOUNT))
            dialog.room.addItem("room", 1)
            await dialog.load()
            painted(dialog)
            keys = measure_keystrokes(dialog)
            dialog.close()
    plain_opens, plain_keys = plain_open(people, runs), plain_keystrokes(people)
    open_ms, plain_open_ms = statistics.median(opens), statistics.median(plain_opens)
    print(f"contacts             {contacts} (fetched in pages of 500 in {fetched:.0f} ms, then cached)")
    print(
        f"picker opens         {open_ms:6.1f} ms   plain QListWidget {plain_open_ms:6.1f} ms"
        f"   ratio {open_ms / plain_open_ms:.2f}   (target <= 300 ms, median of {runs})"
    )
    worst, median = max(keys), statistics.median(keys)
    plain_worst, plain_median = max(plain_keys), statistics.median(plain_keys)
    print(
        f"keystroke filter     worst {worst:5.1f} ms, median {median:5.1f} ms   plain proxy model worst"
        f" {plain_worst:5.1f} ms, median {plain_median:5.1f} ms   ratio {worst / plain_worst:.2f}"
        f"   (target <= 30 ms, {len(keys)} keystrokes)"
    )
    print("targets met" if open_ms <= 300 and worst <= 30 else "TARGETS MISSED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sim, url = start_sim(6, contacts=args.contacts)
    app = QApplication.instance() or QApplication(["vmrtray-bench"])
    app.setQuitOnLastWindowClosed(False)  # type: ignore[attr-defined]  # as the app does
    try:
        qasync.run(run(url, args.contacts, args.runs))
    finally:
        sim.terminate()
        sim.wait()
    del app


if __name__ == "__main__":
    main()
