"""A recording is named from the moment this app learns of it, not only once its files are
listed: the Recordings window's row of one still being made says which room it was."""

from __future__ import annotations

import asyncio
from pathlib import Path

from vmrtray.api import Client
from vmrtray.core import recording
from vmrtray.core.catalog import Catalog, Source
from vmrtray.core.coordinator import Coordinator
from vmrtray.core.making import catalog_stopped
from vmrtray.sim import Sim


async def test_a_recording_started_here_is_named_while_it_is_being_made(sim: Sim, api: Client, tmp_path: Path) -> None:
    sim.state.files_delay = 3600  # the files are still being made throughout
    sim.state.set_meeting("100701", started=True)
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    coordinator = Coordinator(
        api,
        ["100701"],
        interval_active=30,
        interval_idle=30,
        record_sink=recording.catalog_sink(catalog),
        record_stopped=catalog_stopped(catalog),
    )
    try:
        await coordinator.refresh()
        started = await coordinator.start_recording("100701")
        assert started.ok
        assert started.record_id
        stopped = await coordinator.stop_recording("100701")
        assert stopped.ok
        entry = next(e for e in await asyncio.to_thread(catalog.entries) if e.record_id == started.record_id)
        assert entry.being_made
        assert entry.room_name == sim.state.find_room("100701")[1].name  # type: ignore[index]
    finally:
        await coordinator.aclose()


async def test_a_name_stored_raw_before_is_shown_plain(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    await asyncio.to_thread(catalog.add, "rec-1", room="100701", source=Source.SEEN)
    await asyncio.to_thread(catalog.set_room_name, "rec-1", "Board\x1b]0;owned\x07 room\u202e\nnext")
    (entry,) = await asyncio.to_thread(catalog.entries)
    assert entry.room_name is not None
    assert entry.room_name.isprintable()
    assert "Board" in entry.room_name
    assert "room" in entry.room_name
