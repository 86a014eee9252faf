"""Download when ready, in the tray (issue 14, point 3): the service lists a stopped
recording's files 5 s after the stop; the tray says it is ready, and downloads it at once when
the setting wants that recording, and not otherwise. A quit while the files are made goes on
at the next start."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.support.waiting import until
from tests.ui.conftest import open_window
from vmrtray.core import settings as settings_mod
from vmrtray.core.download_queue import State
from vmrtray.core.settings import AutoFetch, Settings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim
from vmrtray.ui.recordings_window import RecordingsWindow
from vmrtray.ui.tray_app import TrayApp

ROOM = "100701"
FILES_DELAY = 5.0  # seconds of the service's clock between the stop and the listing


@pytest.fixture
def clock(sim: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The service's clock, moved by the test; a signed-in user whose favourite is ROOM."""
    monkeypatch.setenv("VMRTRAY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("VMRTRAY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VMRTRAY_AUTH", DEMO_PUBLIC_KEY)
    now = [1_800_000_000.0]
    sim.state.clock = lambda: now[0]
    room = sim.state.set_meeting(ROOM, started=True)
    room.file_size, room.files_delay = 700_000, FILES_DELAY
    return now


def _save(sim: Sim, tmp_path: Path, policy: AutoFetch) -> None:
    settings_mod.save(
        Settings(
            server=sim.url,
            account=DEMO_ACCOUNT,
            favourites=[ROOM],
            download_dir=str(tmp_path / "downloads"),
            download_when_ready=policy,
        )
    )


@asynccontextmanager
async def _tray() -> AsyncIterator[TrayApp]:
    """The real app (not the demo), signed in from the saved settings, quit cleanly at the end."""
    app = TrayApp(lang="en", demo=False)
    running = asyncio.ensure_future(app.run())
    try:
        await until(lambda: app.session is not None and app.coordinator is not None, "signed in")
        assert app.session is not None
        app.session.making.first_check = 0.0  # asked at once after the stop (15 s in use)
        yield app
    finally:
        app.quit.set()
        assert await asyncio.wait_for(running, 15) == 0


def _asked(sim: Sim) -> int:
    return int(sim.stats.requests.get("/meeting/getRecords", 0))


def _ready_told(app: TrayApp) -> bool:
    return any("is ready: 1 file" in alert.title for alert in app.tray.alerts)


async def _record_and_stop(app: TrayApp, sim: Sim, *, here: bool) -> str:
    """A recording of ROOM, started and stopped by this app or by someone else; its files
    asked for once, before the service has made them."""
    coordinator = app.coordinator
    assert coordinator is not None
    asked = _asked(sim)
    if here:
        started = await coordinator.start_recording(ROOM)
        assert started.ok
        assert started.record_id
        record_id = started.record_id
        assert (await coordinator.stop_recording(ROOM)).ok
    else:
        tenant = sim.state.tenants[DEMO_PUBLIC_KEY]
        record_id = sim.state.open_record(tenant, ROOM)
        await coordinator.refresh()
        sim.state.close_record(tenant, ROOM)
        await coordinator.refresh()  # seen stopped
    await until(lambda: _asked(sim) > asked, "its files asked for")
    assert not _ready_told(app)  # still being made
    return record_id


async def _downloaded(app: TrayApp, sim: Sim, record_id: str) -> None:
    assert app.session is not None
    queue = app.session.queue
    await until(
        lambda: bool(queue.transfers) and all(t.state == State.DONE for t in queue.transfers.values()), "downloaded"
    )
    (transfer,) = queue.transfers.values()
    assert transfer.record_id == record_id
    expected = sim.recording_info(record_id)["files"][0]["sha256"]
    assert hashlib.sha256(transfer.target.read_bytes()).hexdigest() == expected


@pytest.mark.parametrize(
    ("policy", "here", "fetched"),
    [
        (AutoFetch.FAVOURITES, False, True),  # someone else's recording of a favourite room
        (AutoFetch.MINE, True, True),
        (AutoFetch.MINE, False, False),  # not started here
        (AutoFetch.OFF, True, False),
    ],
)
async def test_a_recording_listed_5_s_after_its_stop_is_told_ready_and_downloaded_as_the_setting_says(
    qapp: object, sim: Sim, tmp_path: Path, clock: list[float], policy: AutoFetch, here: bool, fetched: bool
) -> None:
    _save(sim, tmp_path, policy)
    async with _tray() as app:
        assert app.session is not None
        record_id = await _record_and_stop(app, sim, here=here)
        clock[0] += FILES_DELAY  # the files are made
        await app.session.making.check_now(record_id)
        await until(lambda: _ready_told(app), "told ready")
        if fetched:
            await _downloaded(app, sim, record_id)
        else:
            assert await app.session.autofetch.catch_up() == []  # the setting does not want it
            assert app.session.queue.transfers == {}
            assert not (tmp_path / "downloads").exists() or not any((tmp_path / "downloads").iterdir())


async def test_a_quit_while_the_files_are_made_goes_on_at_the_next_start(
    qapp: object, sim: Sim, tmp_path: Path, clock: list[float]
) -> None:
    _save(sim, tmp_path, AutoFetch.FAVOURITES)
    async with _tray() as app:
        record_id = await _record_and_stop(app, sim, here=False)
    clock[0] += FILES_DELAY  # made while the app was not running
    async with _tray() as app:
        assert app.session is not None
        window = await open_window(app, "recordings", RecordingsWindow)
        await until(lambda: window.model.rowCount() == 1, "the recording listed")
        assert window.model.row(0).being_made  # the catalog kept it
        window.table.selectRow(0)
        window.buttons["check"].click()
        await until(lambda: _ready_told(app), "told ready")
        await _downloaded(app, sim, record_id)
        await until(lambda: window.model.row(0).files == 1, "the window shows it listed")
