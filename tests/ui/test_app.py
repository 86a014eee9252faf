"""The whole app in demo mode: it starts, polls the in-app simulator, and quits cleanly."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.waiting import until
from tests.ui.conftest import demo_app, open_window
from vmrtray.api import BookingRequest
from vmrtray.core import autostart
from vmrtray.core import settings as settings_mod
from vmrtray.core.catalog import Catalog
from vmrtray.core.pending import PendingBookings
from vmrtray.core.settings import Settings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim
from vmrtray.ui import asyncutil
from vmrtray.ui.icons import TrayState
from vmrtray.ui.recordings_window import RecordingsWindow
from vmrtray.ui.tray_app import TrayApp


async def test_demo_starts_and_quits_cleanly(qapp: object, monkeypatch: object) -> None:
    before = {k: os.environ.get(k) for k in ("VMRTRAY_CONFIG_DIR", "VMRTRAY_DATA_DIR")}
    app = TrayApp(lang="en", demo=True)
    running = asyncio.ensure_future(app.run())
    try:
        await until(
            lambda: (
                app.tray.snapshot is not None and bool(app.tray.snapshot.rooms) and app.tray.snapshot.rooms[0].available
            ),
            "the demo polls",
        )
        assert app.tray.icon.toolTip().startswith("DEMO")
        assert app.tray.state in (TrayState.IN_USE, TrayState.IDLE, TrayState.LIVE, TrayState.RECORDING)
        assert app.demo is not None
        folder = app.demo.folder.name
        assert os.path.isdir(folder)
        app.wake.woke.emit()  # back from sleep or a locked screen
        assert app.coordinator is not None
        assert app.coordinator._quiet_until > 0  # refreshing now, alerts held back a moment
        app.tray.find_action("quit").trigger()  # type: ignore[union-attr]
        assert await asyncio.wait_for(running, 15) == 0
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert not os.path.exists(folder)  # the demo's settings and data are gone
    assert app.coordinator is None
    assert app.client is None
    assert not asyncutil._running  # no task left behind


async def test_without_settings_the_tray_offers_sign_in(qapp: object, tmp_path: object, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VMRTRAY_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("VMRTRAY_DATA_DIR", str(tmp_path))
    app = TrayApp(lang="en", demo=False)
    running = asyncio.ensure_future(app.run())
    await until(lambda: app.tray.find_action("sign-in") is not None, "sign in offered")
    assert app.tray.state == TrayState.SIGNED_OUT
    app.quit.set()
    assert await asyncio.wait_for(running, 15) == 0


async def test_start_at_login_follows_the_setting(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    app = TrayApp(lang="en", demo=False)
    await app.sync_autostart(Settings(start_at_login=True))
    assert autostart.is_enabled()
    await app.sync_autostart(Settings(start_at_login=False))
    assert not autostart.is_enabled()
    app.tray.hide()


async def test_the_demo_has_recordings_to_look_at(qapp: object) -> None:
    async with demo_app() as app:
        window = await open_window(app, "recordings", RecordingsWindow)
        await until(lambda: len(window.model.rows) == 3 and all(r.files for r in window.model.rows), "listed")
        assert sorted(r.room for r in window.model.rows) == ["100701", "100704", "100706"]
        assert all(window.model.state_text(r) == "in the cloud" for r in window.model.rows)


async def test_a_booking_a_crash_left_is_settled_and_told_at_start(
    qapp: object, sim: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VMRTRAY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("VMRTRAY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VMRTRAY_AUTH", DEMO_PUBLIC_KEY)
    settings_mod.save(Settings(server=sim.url, account=DEMO_ACCOUNT, favourites=["100701"]))
    start = (datetime.now().astimezone() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    request = BookingRequest(account=DEMO_ACCOUNT, theme="Left by a crash", start=start, end=start + timedelta(hours=1))
    PendingBookings(tmp_path / "data", sim.url, DEMO_ACCOUNT).add(request, datetime.now().astimezone())
    app = TrayApp(lang="en", demo=False)
    running = asyncio.ensure_future(app.run())
    try:
        await until(lambda: any("Left by a crash" in a.title for a in app.tray.alerts), "told")
        assert [b.theme for b in sim.state.tenants[DEMO_PUBLIC_KEY].bookings.values()] == ["Left by a crash"]
    finally:
        app.quit.set()
        assert await asyncio.wait_for(running, 15) == 0
    # answered: kept as settled until its start (a retry of the same request finds it), never sent again
    assert [e["state"] for e in PendingBookings(tmp_path / "data", sim.url, DEMO_ACCOUNT).entries()] == ["settled"]


async def test_trying_the_demo_after_a_real_session_leaves_the_users_recordings_alone(
    qapp: object, sim: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VMRTRAY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("VMRTRAY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VMRTRAY_AUTH", DEMO_PUBLIC_KEY)
    settings_mod.save(Settings(server=sim.url, account=DEMO_ACCOUNT, favourites=["100701"]))
    app = TrayApp(lang="en", demo=False)
    running = asyncio.ensure_future(app.run())
    try:
        await until(lambda: app.session is not None and app.catalog is not None, "the user's own session")
        await app.start_demo()
        assert app.demo is not None
        assert app.settings.download_dir is not None
        assert Path(app.settings.download_dir).is_relative_to(app.demo.path)  # not ~/Downloads/vmrtray
        await until(lambda: app.catalog is not None and len(app.catalog.entries()) == 3, "the demo's recordings")
    finally:
        app.quit.set()
        assert await asyncio.wait_for(running, 15) == 0
    assert Catalog(tmp_path / "data" / "catalog.sqlite3").entries() == []  # the user's catalog: as it was


async def test_a_stopped_recordings_files_are_asked_for_until_listed_and_told_ready(
    qapp: object, sim: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: after a stop the service lists nothing while it makes the files; the tray asks
    again and says when they are ready, instead of leaving it at "no files"."""
    monkeypatch.setenv("VMRTRAY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("VMRTRAY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VMRTRAY_AUTH", DEMO_PUBLIC_KEY)
    settings_mod.save(Settings(server=sim.url, account=DEMO_ACCOUNT, favourites=["100701"]))
    clock = [1_800_000_000.0]
    sim.state.clock = lambda: clock[0]
    sim.state.files_delay = 600  # made and uploaded for ten minutes of the service's clock
    tenant = sim.state.tenants[DEMO_PUBLIC_KEY]
    app = TrayApp(lang="en", demo=False)
    running = asyncio.ensure_future(app.run())
    try:
        await until(lambda: app.session is not None and app.coordinator is not None, "signed in")
        assert app.session is not None
        assert app.coordinator is not None
        app.session.making.first_check = 0.0
        record_id = sim.state.open_record(tenant, "100701")  # someone records in the room
        await app.coordinator.refresh()
        sim.state.close_record(tenant, "100701")
        await app.coordinator.refresh()  # seen stopped: its files are asked for from now on
        await until(lambda: sim.stats.requests["/meeting/getRecords"] > 0, "asked for its files")
        assert not any("is ready" in a.title for a in app.tray.alerts)  # still being made
        clock[0] += 600
        await app.session.making.check_now(record_id)
        await until(lambda: any("is ready: 1 file" in a.title for a in app.tray.alerts), "told ready")
    finally:
        app.quit.set()
        assert await asyncio.wait_for(running, 15) == 0
