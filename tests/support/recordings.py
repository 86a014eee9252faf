"""A finished recording in the simulator, of a size and a number of files the test picks."""

from __future__ import annotations

from vmrtray.api import Client
from vmrtray.sim import Sim

SIZE = 3 * 1024 * 1024 + 12345  # not a multiple of the store's block or the write chunk


async def make_recording(sim: Sim, api: Client, size: int = SIZE, parts: int = 1) -> str:
    """Record room 100701 (started) start to stop; its recordId, with `parts` files of `size` bytes each."""
    room = sim.state.set_meeting("100701", started=True)
    room.file_size, room.files_per_recording = size, parts
    record_id = await api.open_record("100701")
    await api.close_record("100701")
    return record_id
