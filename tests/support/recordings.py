"""A finished recording in the simulator, of a size and a number of files the test picks;
look-alike recordings; what the store served of a recording."""

from __future__ import annotations

from datetime import timedelta

from vmrtray.api import Client
from vmrtray.sim import Sim
from vmrtray.sim.state import service_now

SIZE = 3 * 1024 * 1024 + 12345  # not a multiple of the store's block or the write chunk


async def make_recording(sim: Sim, api: Client, size: int = SIZE, parts: int = 1) -> str:
    """Record room 100701 (started) start to stop; its recordId, with `parts` files of `size` bytes each."""
    room = sim.state.set_meeting("100701", started=True)
    room.file_size, room.files_per_recording = size, parts
    record_id = await api.open_record("100701")
    await api.close_record("100701")
    return record_id


def look_alikes(sim: Sim, *sizes: int) -> list[str]:
    """Recordings of room 100701 that started in the same second, one file each of the size given.

    Of one size they get the same file name and size, and different bytes: the look-alikes
    of issue 13. Their recordIds, in order.
    """
    found = sim.state.find_room("100701")
    assert found is not None
    tenant, room = found
    started = service_now() - timedelta(hours=1)
    return [sim.state.past_recording(tenant, room.sipkey, started, 10, size) for size in sizes]


def fetched(sim: Sim, record_id: str) -> int:
    """How many requests reached the object store for the files of `record_id`."""
    paths = {f["path"] for f in sim.recording_info(record_id)["files"]}
    return sum(1 for origin, _, path, _ in sim.stats.headers if origin == "files" and path in paths)


def sha256s(sim: Sim, record_id: str) -> list[str]:
    """The sha256 of each file of `record_id` as the store holds it."""
    return [f["sha256"] for f in sim.recording_info(record_id)["files"]]
