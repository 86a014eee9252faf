"""The simulated object store: Range, signed expiring links, and its fault knobs."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from vmrtray.api import Client
from vmrtray.sim import Sim, file_content

SIZE = 300_000


async def _link(sim: Sim, api: Client) -> tuple[str, str]:
    room = sim.state.set_meeting("100701", started=True)
    room.file_size = SIZE
    record_id = await api.open_record("100701")
    await api.close_record("100701")
    (file,) = await api.get_records(record_id)
    return file.down_url, sim.state.recordings[record_id].files[0].file_id


async def test_whole_file_and_ranges(sim: Sim, api: Client) -> None:
    url, file_id = await _link(sim, api)
    async with httpx.AsyncClient() as http:
        whole = await http.get(url)
        middle = await http.get(url, headers={"Range": "bytes=1000-1999"})
        tail = await http.get(url, headers={"Range": "bytes=-500"})
        open_ended = await http.get(url, headers={"Range": f"bytes={SIZE - 10}-"})
        beyond = await http.get(url, headers={"Range": f"bytes={SIZE}-"})
    assert whole.status_code == 200
    assert (
        hashlib.sha256(whole.content).hexdigest()
        == sim.recording_info(next(iter(sim.state.recordings)))["files"][0]["sha256"]
    )
    assert (middle.status_code, middle.content) == (206, whole.content[1000:2000])
    assert middle.headers["content-range"] == f"bytes 1000-1999/{SIZE}"
    assert tail.content == whole.content[-500:]
    assert open_ended.content == file_content(file_id, SIZE, SIZE - 10)
    assert beyond.status_code == 416


async def test_range_off_sends_the_whole_file(sim: Sim, api: Client) -> None:
    url, _ = await _link(sim, api)
    sim.files.range_enabled = False
    async with httpx.AsyncClient() as http:
        answer = await http.get(url, headers={"Range": "bytes=1000-1999"})
    assert answer.status_code == 200
    assert len(answer.content) == SIZE
    assert "accept-ranges" not in answer.headers


async def test_an_expired_or_forged_link_is_403(sim: Sim, api: Client) -> None:
    sim.files.ttl = -1
    url, _ = await _link(sim, api)
    async with httpx.AsyncClient() as http:
        expired = await http.get(url)
        forged = await http.get(url.split("?")[0] + "?sign=bm9wZQ==")
    assert expired.status_code == 403
    assert "expired" in expired.text
    assert forged.status_code == 403


async def test_a_deleted_recording_is_gone_from_the_store(sim: Sim, api: Client) -> None:
    url, _ = await _link(sim, api)
    await api.delete_record_file(next(iter(sim.state.recordings)))
    async with httpx.AsyncClient() as http:
        assert (await http.get(url)).status_code == 404


async def test_reset_after_cuts_the_next_response_only(sim: Sim, api: Client) -> None:
    url, _ = await _link(sim, api)
    sim.files.reset_after = 50_000
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.TransportError):
            await http.get(url)
        assert len((await http.get(url)).content) == SIZE


async def test_rate_limited_bytes_still_arrive_intact(sim: Sim, api: Client) -> None:
    # How much the limit slows a connection is measured in bench/, not asserted here.
    url, file_id = await _link(sim, api)
    sim.files.rate_limit = 2_000_000
    async with httpx.AsyncClient() as http:
        answer = await http.get(url)
    assert answer.content == file_content(file_id, SIZE)
    assert sim.stats.file_bytes == SIZE


async def test_the_store_counts_connections_and_keeps_headers(sim: Sim, api: Client) -> None:
    url, _ = await _link(sim, api)
    async with httpx.AsyncClient() as http:
        for _ in range(3):
            await http.get(url, headers={"X-Probe": "1"})
    assert sim.stats.requests["files"] == 3
    assert len(sim.stats.connections["files"]) == 1
    assert all(h.get("X-Probe") == "1" for origin, *_, h in sim.stats.headers if origin == "files")


async def test_a_replaced_object_has_new_bytes_and_validators(sim: Sim, api: Client) -> None:
    url, file_id = await _link(sim, api)
    sim.files.checksum = "right"
    sim.files.change_after = 100_000  # the next answer is cut there, then the object is replaced
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.TransportError):
            await http.get(url)
        new = await http.get(url)
    (sim_file,) = next(iter(sim.state.recordings.values())).files
    assert sim.files.key_of(sim_file) != file_id
    assert new.content == file_content(sim.files.key_of(sim_file), SIZE) != file_content(file_id, SIZE)
    assert new.headers["etag"] == sim.files.validators(sim_file)[0]


async def test_if_range_gets_the_whole_new_object_once_it_changed(sim: Sim, api: Client) -> None:
    url, _ = await _link(sim, api)
    async with httpx.AsyncClient() as http:
        first = await http.get(url, headers={"Range": "bytes=0-9"})
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        same = await http.get(url, headers={"Range": "bytes=10-19", "If-Range": etag})
        by_date = await http.get(url, headers={"Range": "bytes=10-19", "If-Range": modified})
        sim.files.replace(next(iter(sim.state.recordings.values())).files[0])
        changed = await http.get(url, headers={"Range": "bytes=10-19", "If-Range": etag})
        sim.files.if_range = False  # a store that ignores If-Range
        ignored = await http.get(url, headers={"Range": "bytes=10-19", "If-Range": etag})
    assert (same.status_code, by_date.status_code) == (206, 206)
    assert changed.status_code == 200
    assert len(changed.content) == SIZE
    assert changed.headers["etag"] != etag
    assert changed.headers["last-modified"] != modified
    assert (ignored.status_code, len(ignored.content)) == (206, 10)
