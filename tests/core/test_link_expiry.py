"""Signed links that expire (issue 14): the service signs each file link when `getRecords` is
asked, valid for a while (the real one: 7 days). A download asks for a fresh link when it
starts or resumes, and when the store refuses the one held in the middle of a download it
asks again and goes on from the bytes it has; a link refused again and again fails the
download with one sentence.

The object store's clock is the test's (`sim.files.clock`): time passes as bytes are served
(a slow network, compressed), so a link expires exactly where the test says.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support.recordings import make_recording
from tests.support.waiting import until
from vmrtray.api import Client
from vmrtray.core import recordings, transfer
from vmrtray.core.catalog import Catalog
from vmrtray.core.download_queue import DownloadQueue, State
from vmrtray.core.downloads import DownloadError, new_file_session
from vmrtray.sim import Sim

HOUR = 3600.0
EPOCH = 1_800_000_000.0
RATE = 8 * 1024 * 1024  # bytes per second: the store writes RATE // 20 at a time
#: The network breaks after this many bytes of every answer: a whole number of the store's
#: writes, so the break comes after a paced write has left, and nothing sent is lost.
EVERY = 2 * (RATE // 20)
SIZE = 4 * EVERY + 12_345  # four breaks, the rest in a fifth answer


@pytest_asyncio.fixture
async def queue(api: Client, tmp_path: Path) -> AsyncIterator[DownloadQueue]:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        made = DownloadQueue(api, catalog, http, lambda: tmp_path / "out", limit=1, segments=1, tick=0.01)
        yield made
        await made.aclose()


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    # the test's time only: a broken answer is tried again at once (the attempts are still counted)
    monkeypatch.setattr(transfer, "BACKOFF", 0.001)


def _two_hours_per_break(sim: Sim) -> Callable[[], float]:
    """The store's clock: two hours pass at each break of the network (every EVERY bytes served)."""
    return lambda: EPOCH + 2 * HOUR * (sim.stats.file_bytes // EVERY)


def _asked(sim: Sim) -> int:
    return sim.stats.requests["/meeting/getRecords"]


def _ranges(sim: Sim) -> list[str | None]:
    return [h.get("Range") for origin, *_, h in sim.stats.headers if origin == "files"]


async def test_a_link_expiring_mid_download_is_renewed_and_the_download_goes_on_from_its_bytes(
    sim: Sim, api: Client, queue: DownloadQueue
) -> None:
    """An hour's link on a network that breaks every EVERY bytes, two hours apart: at each
    break the link held has expired; the Range that resumes is refused (403), a fresh link is
    asked for, and the same Range goes on. Four expiries in one download (the code before
    gave up after three renewals, however many bytes came between)."""
    record_id = await make_recording(sim, api, size=SIZE)
    sim.files.ttl = HOUR
    sim.files.clock = _two_hours_per_break(sim)
    sim.files.rate_limit, sim.files.reset_every = RATE, EVERY
    sim.stats.reset()
    (queued,) = await queue.add(record_id)
    await until(lambda: queued.state in (State.DONE, State.FAILED), "the download ended")

    assert (queued.state, queued.error) == (State.DONE, None)
    assert queued.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]
    assert sim.stats.links_expired == 4
    resumes = [f"bytes={n * EVERY}-" for n in range(1, 5)]
    # each resume: refused with the old link, then the same Range with the fresh one
    assert _ranges(sim) == [None, *(r for r in resumes for _ in range(2))]
    (path,) = (f["path"] for f in sim.recording_info(record_id)["files"])
    assert sim.stats.bytes_by_path[path] == SIZE  # no byte fetched twice
    # listed when queued, asked fresh when it started, and once at each expiry
    assert _asked(sim) == 2 + 4


async def test_a_link_refused_again_and_again_fails_in_one_sentence(sim: Sim, api: Client, tmp_path: Path) -> None:
    """Every link the service signs is refused at once (a store that will not take them): two
    fresh links in a row, then one sentence, in English and Chinese; the part is kept."""
    record_id = await make_recording(sim, api, size=SIZE)
    sim.files.ttl = -60  # every link is signed already expired
    sim.stats.reset()
    with pytest.raises(DownloadError) as failed:
        async with new_file_session() as http:
            await recordings.download_all(api, Catalog(tmp_path / "c.sqlite3"), record_id, tmp_path, http=http)
    assert sim.stats.links_expired == 3  # the link listed, and the two fresh ones
    assert _asked(sim) == 1 + 2
    assert failed.value.describe("en") == (
        "the file server refused the download link even after it was signed afresh 2 times (HTTP 403);"
        " the part is kept: try again later"
    )
    assert failed.value.describe("zh") == (
        "文件服务器连续拒绝下载链接（HTTP 403），重新签发 2 次后仍被拒绝；已下载部分保留，请稍后再试"
    )


async def test_a_resume_days_later_asks_for_a_fresh_link_not_the_one_kept(
    sim: Sim, api: Client, queue: DownloadQueue
) -> None:
    """Paused, then resumed eight days later: the link the catalog holds has expired, and is
    never tried — the resume asks `getRecords` for a fresh one and fetches only the rest."""
    record_id = await make_recording(sim, api, size=SIZE)
    now = [EPOCH]
    sim.files.clock = lambda: now[0]
    sim.files.rate_limit = 1024 * 1024
    (queued,) = await queue.add(record_id)
    await until(lambda: queued.done > 0, "the download under way")
    await queue.pause(queued.key)
    kept = queued.target.with_name(queued.target.name + ".part").stat().st_size
    now[0] += 8 * 24 * HOUR
    sim.files.rate_limit = None
    sim.stats.reset()
    await queue.resume(queued.key)
    await until(lambda: queued.state in (State.DONE, State.FAILED), "the download ended")

    assert (queued.state, queued.error) == (State.DONE, None)
    assert queued.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]
    assert sim.stats.links_expired == 0  # the old link was never sent
    assert _asked(sim) == 1  # a fresh one, at the resume
    assert _ranges(sim) == [f"bytes={kept}-"]
