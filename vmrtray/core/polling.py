"""One loop for every periodic job of core, running only while someone listens.

In the manner of Home Assistant's DataUpdateCoordinator. Its owner (the room coordinator,
the agenda) gives it a job, `update`, that asks the service, tells the listeners what it
found (`notify`) and raises the `VmrError` when it could not. The poller decides when the
job runs:

- only while someone listens: the first `add_listener` starts the loop, which refreshes at
  once; removing the last stops it. `add_listener` returns the callable that removes that
  listener. Listeners are isolated: one that raises is logged, the others are still told.
- every `interval()` seconds, read again after each refresh so that it may follow the data,
  or soon after `request_refresh()`: several requests within `debounce` seconds make one.
- after a failure, sooner: a backoff with jitter that never waits past one normal interval,
  so a recovery is seen within one. The failure is logged once when it starts, and the
  recovery once.
- a rejected key (`AuthError`) stops the loop until `credentials_renewed()` — but only when
  the refresh after it is rejected too (`SIGN_OUT_AFTER` rejected refreshes with no success
  between). A single refusal (a gateway's 403 page, a service's bad moment) is a failure like
  any other: logged once, the next refresh at the failure backoff (a second or two, so a
  wrong key is still said within seconds), and a success clears it. A refresh that failed
  otherwise (the network) says nothing of the key: it neither counts nor clears.
- while `paused`, the listeners stay and the job does not run.
- `watch`, if given, is awaited between refreshes at least as often as it asks (it returns
  the seconds until it wants to run again): a job that watches the clock rather than the
  service (reminders falling due, the machine waking) shares this loop.

No exception from the job ends the loop: one that is not a `VmrError` is logged with its
traceback and counted as a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from collections.abc import Awaitable, Callable
from typing import Generic, ParamSpec

from vmrtray.api import AuthError, VmrError

from .listeners import Listeners

log = logging.getLogger(__name__)

P = ParamSpec("P")

DEBOUNCE = 0.3  # seconds in which requested refreshes make one
FIRST_BACKOFF = 2.0  # seconds before the first retry (less if the interval is shorter), doubling from there
MAX_DOUBLINGS = 30  # the backoff reaches the interval long before; this only keeps 2**n a float
SIGN_OUT_AFTER = 2  # refreshes rejected in a row (no success between) that stop the loop

Job = Callable[[], Awaitable[object]]
Watch = Callable[[], Awaitable[float]]


def _current_task() -> asyncio.Task[object] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no loop running: called from plain code
        return None


class Poller(Generic[P]):
    """Runs `update` while listened to; listeners take `P` (whatever the owner `notify`s)."""

    def __init__(
        self,
        what: str,
        update: Job,
        interval: Callable[[], float],
        *,
        watch: Watch | None = None,
        debounce: float = DEBOUNCE,
        rng: random.Random | None = None,
        signed_out: Callable[[AuthError], None] | None = None,
    ) -> None:
        """`signed_out` hears the rejection that stopped the loop (the owner says so), whoever
        counted it: the loop, a refresh of the owner's own, `note_rejected`."""
        self.what = what  # named in the log: "could not refresh <what>"
        self.debounce = debounce
        self.failures = 0  # refreshes failed in a row
        self.rejections = 0  # refreshes (or actions, `note_rejected`) rejected with no success between
        self.rejected = False  # the key was rejected: no polling until credentials_renewed()
        self.paused = False
        self._update, self._interval, self._watch = update, interval, watch
        self._signed_out = signed_out
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        self._listeners: Listeners[P] = Listeners(what, self._listened)
        self._wake = asyncio.Event()
        self._debounced: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def polling(self) -> bool:
        """The loop runs (someone listens and the key was not rejected)."""
        return self._task is not None

    # -- listeners: the loop runs while there is at least one ------------------------------------

    def add_listener(self, listener: Callable[P, None]) -> Callable[[], None]:
        return self._listeners.add(listener)

    def notify(self, *args: P.args, **kwargs: P.kwargs) -> None:
        self._listeners.notify(*args, **kwargs)

    def _listened(self, count: int) -> None:
        if count:
            self._start()
        else:
            self._stop()

    def _start(self) -> None:
        if self._task is None and len(self._listeners) and not self.rejected:
            self._wake.clear()  # it refreshes at once anyway
            self._task = asyncio.create_task(self._run(), name=f"vmrtray-poll {self.what}")

    def _stop(self) -> asyncio.Task[None] | None:
        """No more polling: the loop is cancelled, or, if this runs inside it, ends by itself."""
        task, self._task = self._task, None
        if task is not None and task is not _current_task():
            task.cancel()
        if self._debounced is not None:
            self._debounced.cancel()
            self._debounced = None
        return task

    async def aclose(self) -> None:
        """Stop polling, forget the listeners and wait until the loop has really ended."""
        task = self._task
        self._listeners.clear()
        self._stop()
        if task is not None and task is not _current_task():
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- control ---------------------------------------------------------------------------------

    def request_refresh(self) -> None:
        """A refresh soon: several requests within the debounce window make one. None while nobody listens."""
        if self._task is not None and self._debounced is None:
            self._debounced = asyncio.get_running_loop().call_later(self.debounce, self._debounce_ended)

    def _debounce_ended(self) -> None:
        self._debounced = None
        self._wake.set()

    def wake(self) -> None:
        """Refresh now, without the debounce (the machine woke, polling was resumed)."""
        self._wake.set()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if not paused:
            self._wake.set()

    def credentials_renewed(self) -> None:
        """New credentials after a rejected key: polling starts again, with a refresh now."""
        self.rejected = False
        self.failures = self.rejections = 0
        self._wake.set()
        self._start()

    @property
    def signs_out(self) -> bool:
        """A rejection now would be the one that stops polling (the owner says "signed out" then)."""
        return self.rejections + 1 >= SIGN_OUT_AFTER

    def note_rejected(self, error: AuthError) -> bool:
        """The service rejected the key outside a refresh (a toggle the user clicked): counted
        as a rejected refresh would be. True if it stopped polling (the second in a row)."""
        return self._rejected(error)

    def _rejected(self, error: AuthError) -> bool:
        self.rejections += 1
        if self.rejections < SIGN_OUT_AFTER:
            self._failed(error)
            return False
        endpoint = getattr(error, "endpoint", "") or "a request"
        log.warning(
            "the service rejected the key again (%s): no refreshing %s until new credentials", endpoint, self.what
        )
        self.rejected = True
        self._stop()
        if self._signed_out is not None:
            try:
                self._signed_out(error)
            except Exception:  # the owner's words failed: the loop has stopped all the same
                log.exception("telling that %s stopped on a rejected key failed", self.what)
        return True

    # -- one refresh -----------------------------------------------------------------------------

    async def refresh(self) -> None:
        """Run the job once, now; its failure, recovery or rejected key counts as the loop's would.

        A refresh that begins answers every request made before it (a window opened, and so
        listening, that also asks for a refresh gets one, not two); one made meanwhile asks
        for another.
        """
        if self._debounced is not None:
            self._debounced.cancel()
            self._debounced = None
        self._wake.clear()
        try:
            await self._update()
        except AuthError as error:  # the first is a failure; the second in a row stops the loop
            self._rejected(error)
        except Exception as error:  # the service's failure, or a bug in one refresh: polling goes on
            self._failed(error)
        else:
            if self.failures:
                log.warning("refreshed %s again after %d failed refreshes", self.what, self.failures)
            self.failures = self.rejections = 0
            if self.rejected:  # a refresh of its own (a window's) worked: the key is good again
                log.warning("the service accepts the key again: refreshing %s", self.what)
                self.rejected = False
                self._start()

    def _failed(self, error: Exception) -> None:
        if self.failures == 0:
            unexpected = None if isinstance(error, VmrError) else error
            log.warning("could not refresh %s: %s", self.what, error, exc_info=unexpected)
        self.failures += 1

    def next_delay(self) -> float | None:
        """Seconds to the next refresh: the interval, or less after a failure; None while paused."""
        if self.paused:
            return None
        normal = self._interval()
        if self.failures == 0:
            return normal
        doublings = min(self.failures - 1, MAX_DOUBLINGS)
        backoff = min(normal, min(FIRST_BACKOFF, normal) * 2.0**doublings)
        return backoff * self._rng.uniform(0.5, 1.0)

    # -- the loop --------------------------------------------------------------------------------

    async def _run(self) -> None:
        me = asyncio.current_task()
        while self._task is me:
            if not self.paused:
                await self.refresh()
            if self._task is not me:
                return  # the last listener left, or the key was rejected
            await self._wait(self.next_delay())

    async def _wait(self, delay: float | None) -> None:
        """Until `delay` seconds pass (None: until woken) or a refresh is asked for; `watch` meanwhile."""
        loop = asyncio.get_running_loop()
        end = math.inf if delay is None else loop.time() + delay
        while (left := end - loop.time()) > 0:
            if await self._sleep(min(left, await self._watched())):
                return

    async def _watched(self) -> float:
        """Run `watch`; the seconds it may sleep before running it again."""
        if self._watch is None:
            return math.inf
        try:
            return await self._watch()
        except Exception:
            log.exception("watching between refreshes of %s failed", self.what)
            return math.inf  # until the next refresh

    async def _sleep(self, seconds: float) -> bool:
        """True if woken (by a request, perhaps one made meanwhile) before `seconds` passed."""
        try:
            await asyncio.wait_for(self._wake.wait(), None if math.isinf(seconds) else max(0.0, seconds))
        except TimeoutError:
            return False
        self._wake.clear()
        return True
