"""The generic poller, with a plain async job standing for the service: when it refreshes,
how it backs off, what it logs, and that its listeners cannot silence one another."""

from __future__ import annotations

import asyncio
import logging
import random

import pytest

from tests.support.waiting import until
from vmrtray.api import AuthError, VmrError
from vmrtray.core.polling import FIRST_BACKOFF, Poller

DEBOUNCE = 0.05  # shorter than the app's, for quicker tests; the rule is the same


class Job:
    """The polled job: counts its runs, fails while `failing` is set, tells the listeners its count."""

    def __init__(
        self, interval: float = 3600.0, *, rng: random.Random | None = None, debounce: float = DEBOUNCE
    ) -> None:
        self.runs = 0
        self.failing: Exception | None = None
        self.poller: Poller[[int]] = Poller("the test's data", self, lambda: interval, debounce=debounce, rng=rng)

    async def __call__(self) -> None:
        self.runs += 1
        if self.failing is not None:
            raise self.failing
        self.poller.notify(self.runs)


async def _a_debounce_later() -> None:
    """A sentinel: another poller is asked to refresh; when it has, a whole debounce window has
    passed since anything was asked of the poller under test, which would have refreshed by then."""
    sentinel = Job()
    told: list[int] = []
    sentinel.poller.add_listener(told.append)
    try:
        await until(lambda: told, "the sentinel's first refresh")
        sentinel.poller.request_refresh()
        await until(lambda: len(told) == 2, "the sentinel's asked refresh")
    finally:
        await sentinel.poller.aclose()


async def test_it_polls_only_while_someone_listens() -> None:
    job = Job(interval=0.01)
    told: list[int] = []
    assert not job.poller.polling
    remove = job.poller.add_listener(told.append)
    second = job.poller.add_listener(lambda _: None)
    await until(lambda: job.runs >= 3, "refreshed on its interval")  # the first add started it
    remove()
    assert job.poller.polling  # someone still listens
    second()
    assert not job.poller.polling
    runs = job.runs
    job.poller.request_refresh()  # nobody listens: asks nothing
    await _a_debounce_later()
    assert job.runs == runs
    remove()  # removing twice is harmless


async def _turns(count: int) -> None:
    """Let the loop turn: time enough for a refresh woken without a debounce to run."""
    for _ in range(count):
        await asyncio.sleep(0)


async def test_requests_within_the_debounce_make_one_refresh() -> None:
    job = Job(debounce=1.0)  # long enough that the spread-out burst below is surely within it
    job.poller.add_listener(lambda _: None)
    try:
        await until(lambda: job.runs == 1, "the first refresh")
        for _ in range(5):  # spread out: a poller without a debounce would refresh between them
            job.poller.request_refresh()
            await _turns(20)
        assert job.runs == 1
        await until(lambda: job.runs >= 2, "the asked refresh")
        job.poller.request_refresh()  # a later one, after the window: the burst made one refresh before it
        await until(lambda: job.runs >= 3, "the later refresh")
        assert job.runs == 3
    finally:
        await job.poller.aclose()


async def test_a_listener_that_raises_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    job = Job(interval=0.01)
    first: list[int] = []
    last: list[int] = []

    def broken(_: int) -> None:
        raise RuntimeError("a listener's bug")

    job.poller.add_listener(first.append)
    job.poller.add_listener(broken)
    job.poller.add_listener(last.append)
    try:
        await until(lambda: len(last) >= 2, "the listener after the broken one told, twice")
    finally:
        await job.poller.aclose()
    assert first[:2] == last[:2] == [1, 2]
    assert "a listener of the test's data failed" in caplog.text
    assert job.poller.failures == 0  # a listener's bug is not the job's failure


async def test_a_failure_is_logged_once_and_the_recovery_once(caplog: pytest.LogCaptureFixture) -> None:
    job = Job()
    caplog.set_level(logging.INFO, logger="vmrtray.core.polling")
    job.failing = VmrError("the service is down")
    for _ in range(4):
        await job.poller.refresh()
    assert job.poller.failures == 4
    job.failing = None
    for _ in range(3):
        await job.poller.refresh()
    said = [r.getMessage() for r in caplog.records if r.name == "vmrtray.core.polling"]
    assert said == [
        "could not refresh the test's data: the service is down",
        "refreshed the test's data again after 4 failed refreshes",
    ]


async def test_a_job_that_breaks_is_a_failure_not_the_end(caplog: pytest.LogCaptureFixture) -> None:
    job = Job(interval=0.01)
    job.failing = KeyError("a bug")
    told: list[int] = []
    job.poller.add_listener(told.append)
    try:
        await until(lambda: job.poller.failures >= 2, "failed twice, still polling")
        job.failing = None
        await until(lambda: told, "refreshed after the bug went")
    finally:
        await job.poller.aclose()
    assert caplog.text.count("KeyError") == 1  # the traceback once, when the failure began


async def test_a_refresh_that_works_again_after_a_rejected_key_resumes_polling() -> None:
    """A direct refresh (a window's own) that succeeds proves the key good: polling goes on."""
    job = Job(interval=0.01)
    job.failing = AuthError("wrong key")
    told: list[int] = []
    job.poller.add_listener(told.append)
    try:
        await until(lambda: not job.poller.polling, "polling stopped")
        job.failing = None
        await job.poller.refresh()
        assert not job.poller.rejected
        await until(lambda: len(told) >= 3, "polling again on its interval")
        assert job.poller.polling
    finally:
        await job.poller.aclose()


async def test_a_rejected_key_stops_polling_until_new_credentials() -> None:
    job = Job(interval=0.01)
    job.failing = AuthError("wrong key")
    told: list[int] = []
    job.poller.add_listener(told.append)
    try:
        await until(lambda: not job.poller.polling, "polling stopped")
        assert job.runs == 2  # the rejection repeated on the next refresh: then it stops
        assert job.poller.rejected
        job.poller.request_refresh()
        job.poller.add_listener(lambda _: None)  # a new listener does not start it either
        assert not job.poller.polling
        await _a_debounce_later()
        assert job.runs == 2
        job.failing = None
        job.poller.credentials_renewed()
        await until(lambda: len(told) >= 2, "polling again")
        assert job.poller.polling
    finally:
        await job.poller.aclose()


@pytest.mark.parametrize("interval", [60.0, 10.0, 1.0])
async def test_backoff_has_jitter_and_never_waits_past_one_interval(interval: float) -> None:
    job = Job(interval, rng=random.Random(12))
    same = random.Random(12)  # the jitter the poller will draw, in the same order
    job.failing = VmrError("down")
    delays = []
    for failures in range(1, 1101):  # hours offline: 2**failures must not overflow
        await job.poller.refresh()
        delay = job.poller.next_delay()
        expected = min(interval, min(FIRST_BACKOFF, interval) * 2.0 ** min(failures - 1, 30)) * same.uniform(0.5, 1)
        assert delay == pytest.approx(expected)
        delays.append(delay)
    assert all(d is not None and interval / 2 <= d <= interval for d in delays[12:])  # at most one interval
    assert delays[0] is not None
    assert delays[0] <= min(FIRST_BACKOFF, interval)  # it does back off
    assert len({round(d, 6) for d in delays if d is not None}) > len(delays) // 2  # jittered, not one figure
    job.failing = None
    await job.poller.refresh()
    assert job.poller.next_delay() == interval  # recovered: the normal interval again
    job.poller.set_paused(True)
    assert job.poller.next_delay() is None  # until resumed


class Script:
    """A job whose refreshes fail as `outcomes` says, one entry each (None: it works), then work."""

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.runs = 0
        self.poller: Poller[[int]] = Poller("the test's data", self, lambda: 0.01, debounce=DEBOUNCE)

    async def __call__(self) -> None:
        self.runs += 1
        failing = self.outcomes.pop(0) if self.outcomes else None
        if failing is not None:
            raise failing
        self.poller.notify(self.runs)


async def test_one_rejection_is_a_failure_and_polling_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    """A single refused answer (a gateway's 403, a bad moment) does not sign out: the next
    refresh comes at the failure backoff, and a success between two rejections clears them."""
    job = Script(AuthError("once"), None, AuthError("once more"), None)
    told: list[int] = []
    job.poller.add_listener(told.append)
    try:
        await until(lambda: len(told) >= 3, "polling on after each single rejection")
        assert job.poller.polling
        assert not job.poller.rejected
        assert job.poller.rejections == 0
        refused = [r for r in caplog.records if "could not refresh" in r.getMessage()]
        assert len(refused) == 2  # each one logged once, as a failure
    finally:
        await job.poller.aclose()


async def test_a_network_failure_between_two_rejections_neither_clears_nor_counts() -> None:
    """Only a success says the key is good again: 403, no answer, 403 signs out."""
    job = Script(AuthError("once"), VmrError("no answer"), AuthError("again"))
    job.poller.add_listener(lambda _: None)
    try:
        await until(lambda: not job.poller.polling, "polling stopped")
        assert job.runs == 3
        assert job.poller.rejected
    finally:
        await job.poller.aclose()
