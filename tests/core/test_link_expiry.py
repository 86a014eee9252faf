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
from vmrtray.core.download_queue import DownloadQueue, State, Transfer
from vmrtray.core.downloads import DownloadError, new_file_session
from vmrtray.sim import DEMO_PUBLIC_KEY, Sim

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


async def test_a_key_rejected_when_the_link_is_renewed_waits_for_sign_in_and_the_next_start_resumes(
    sim: Sim, api: Client, queue: DownloadQueue
) -> None:
    """The link expires mid-download and the service rejects the key when a fresh one is asked
    for (it was revoked): the file is not failed but waits for sign-in, in both languages, and
    the next start with a good key resumes it from its bytes — nothing fetched twice. (The
    code before failed it, and a restart never tried it again.)"""
    record_id = await make_recording(sim, api, size=SIZE)
    sim.files.ttl = HOUR
    sim.files.clock = _two_hours_per_break(sim)
    sim.files.rate_limit, sim.files.reset_every = RATE, EVERY
    tenant = sim.state.tenants[DEMO_PUBLIC_KEY]

    def revoke_once_under_way(transfer: Transfer) -> None:
        if transfer.done:  # the first bytes are in: the key is revoked before the link expires
            sim.state.tenants.pop(DEMO_PUBLIC_KEY, None)

    queue.add_listener(revoke_once_under_way)
    queue.backoff = (0.01, 0.01)  # one refusal is tried again (issue 15): the second in a row waits for sign-in
    (queued,) = await queue.add(record_id)
    await until(lambda: _stopped(queued), "the download stopped")
    assert sim.stats.requests["/meeting/getRecords"] >= 3  # the link, then a fresh one refused twice

    assert queued.state == State.PAUSED
    assert queued.error == "waiting for sign-in: the service rejected the key"
    kept = queued.target.with_name(queued.target.name + ".part").stat().st_size
    assert kept == EVERY  # the bytes before the expiry are kept
    await queue.aclose()  # the app quits, signed out
    sim.state.tenants["a-new-good-key"] = tenant
    sim.stats.reset()
    async with Client(sim.url, "a-new-good-key", timeout=5.0) as good, new_file_session() as http:
        again = DownloadQueue(good, queue.catalog, http, lambda: queue.folder(), limit=1, tick=0.01, lang="zh")
        try:
            (resumed,) = await again.restore()  # the next start, signed in again
            await until(lambda: resumed.state in (State.DONE, State.FAILED, State.PAUSED), "the download ended")
        finally:
            await again.aclose()
    assert (resumed.state, resumed.error) == (State.DONE, None)
    assert resumed.sha256 == sim.recording_info(record_id)["files"][0]["sha256"]
    (path,) = (f["path"] for f in sim.recording_info(record_id)["files"])
    assert sim.stats.bytes_by_path[path] == SIZE - kept  # only the rest was fetched


async def test_waiting_for_sign_in_is_said_in_chinese(sim: Sim, api: Client, tmp_path: Path) -> None:
    """The key rejected when the download asks for its link: waiting for sign-in, in Chinese,
    and kept in the catalog as a download the next start resumes."""
    record_id = await make_recording(sim, api, size=SIZE)
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    async with new_file_session() as http:
        queue = DownloadQueue(api, catalog, http, lambda: tmp_path / "out", limit=1, tick=0.01, lang="zh")
        queue.backoff = (0.01, 0.01)
        try:
            (queued,) = await queue.add(record_id)
            sim.state.tenants.pop(DEMO_PUBLIC_KEY)  # revoked before the download asks for its link
            await until(lambda: _stopped(queued), "the download stopped")
        finally:
            await queue.aclose()
    assert (queued.state, queued.error) == (State.PAUSED, "等待登录：服务拒绝了鉴权 KEY")
    assert [row.state for row in catalog.files(record_id)] == [State.QUEUED]  # resumed at the next start


def _stopped(transfer: Transfer) -> bool:
    """Done, failed, or paused for a reason it does not try again by itself."""
    return transfer.state in (State.DONE, State.FAILED) or (transfer.state == State.PAUSED and not transfer.retrying)
