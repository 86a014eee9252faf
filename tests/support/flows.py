"""What a user does end to end, for tests about how it travels (TLS, proxies)."""

from __future__ import annotations

from pathlib import Path

from vmrtray.core import recordings
from vmrtray.core.catalog import Catalog
from vmrtray.core.session import download_client, open_client
from vmrtray.core.settings import Settings
from vmrtray.sim import DEMO_PUBLIC_KEY, Sim


async def status_record_and_download(sim: Sim, settings: Settings, folder: Path) -> None:
    """A room's status, a recording made there, and its file downloaded whole, with these
    settings (server, proxy, trust) — the API calls and the file download both."""
    sim.state.set_meeting("100701", started=True)
    async with open_client(settings, DEMO_PUBLIC_KEY) as api:
        assert (await api.get_meeting_info("100701")).started
        record_id = await api.open_record("100701")
        await api.close_record("100701")
        catalog = Catalog(folder / "catalog.sqlite3")
        async with download_client(settings) as http:
            done = await recordings.download_all(api, catalog, record_id, folder / "files", http=http)
        catalog.close()
    assert done[0].path.stat().st_size == sim.state.recordings[record_id].files[0].size
