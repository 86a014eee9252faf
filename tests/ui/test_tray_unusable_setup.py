"""The tray with a proxy or CA file that cannot be used: it starts, shows the service as
unreachable with the sentence that names the cause, and says it once (issue 15 review: the
tray exited 1 with an ImportError, ValueError, InvalidURL or SSLError traceback). A SOCKS
proxy, GNOME's socks:// form included, is one it can use."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import trustme

from tests.support.waiting import until
from vmrtray.core import settings as settings_mod
from vmrtray.core.settings import Settings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim
from vmrtray.ui.icons import TrayState
from vmrtray.ui.tray_app import TrayApp

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VMRTRAY_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("VMRTRAY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VMRTRAY_AUTH", DEMO_PUBLIC_KEY)
    return tmp_path


async def _stop(app: TrayApp, running: asyncio.Future[int]) -> None:
    app.quit.set()
    assert await asyncio.wait_for(running, 15) == 0


@pytest.mark.parametrize(
    ("variable", "value"), [("ALL_PROXY", "socks5://127.0.0.1:1080"), ("all_proxy", "socks://127.0.0.1:1080")]
)
async def test_a_socks_proxy_in_the_environment_starts_the_tray(
    qapp: object, sim: Sim, folders: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    settings_mod.save(Settings(server=sim.url, account=DEMO_ACCOUNT, favourites=["100701"]))
    app = TrayApp(lang="en", demo=False)
    running = asyncio.ensure_future(app.run())
    try:
        await until(lambda: app.tray.snapshot is not None and app.tray.snapshot.ok, "polled (loopback: direct)")
    finally:
        await _stop(app, running)


async def test_a_socks_proxy_in_the_settings_starts_the_tray(qapp: object, sim: Sim, folders: Path) -> None:
    settings = Settings(
        server=sim.url, account=DEMO_ACCOUNT, favourites=["100701"], proxy="manual", proxy_url="socks5://127.0.0.1:1"
    )
    settings_mod.save(settings)
    app = TrayApp(lang="en", demo=False)
    running = asyncio.ensure_future(app.run())
    try:
        await until(lambda: app.tray.snapshot is not None and app.tray.snapshot.ok, "polled")
    finally:
        await _stop(app, running)


async def test_an_environment_proxy_that_cannot_be_read_is_shown_not_a_crash(
    qapp: object, sim: Sim, folders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://[::1")
    settings_mod.save(Settings(server=sim.url, account=DEMO_ACCOUNT, favourites=["100701"]))
    app = TrayApp(lang="en", demo=False)
    running = asyncio.ensure_future(app.run())
    try:
        await until(lambda: app.tray.alerts, "told")
        sentence = "HTTP_PROXY (http://[::1) is not a proxy address"
        assert sentence in app.tray.alerts[0].body
        assert app.tray.alerts[0].urgent
        assert sentence in app.tray.icon.toolTip()
        assert app.tray.state == TrayState.UNREACHABLE
        assert not running.done()
    finally:
        await _stop(app, running)


async def test_a_ca_file_that_became_unusable_after_saving_is_said_at_use(
    qapp: object, sim: Sim, folders: Path
) -> None:
    """Saved as PEM, then replaced by a DER file: the same sentence as the settings check's."""
    ca = folders / "company.cer"
    trustme.CA().cert_pem.write_to_path(str(ca))
    settings = Settings(server=sim.url, account=DEMO_ACCOUNT, favourites=["100701"], ca_bundle=str(ca))
    ca.write_bytes(b"0\x82\x01\x0a DER, not PEM")
    app = TrayApp(lang="zh", demo=False)
    running = asyncio.ensure_future(app.run())
    try:
        await until(lambda: app.tray.find_action("sign-in") is not None, "started without settings")
        await app.use(settings, DEMO_PUBLIC_KEY)
        assert app.session is None
        said = app.tray.alerts[-1].body
        assert "PEM" in said
        assert f"openssl x509 -inform der -in {ca}" in said
        assert "CA 文件" in said  # in the tray's language
        assert app.tray.state == TrayState.UNREACHABLE
    finally:
        await _stop(app, running)
