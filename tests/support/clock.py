"""A clock the test moves: the simulator's (`sim.state.clock`), a watch's, the catalog's.

The service's pace (a recording starting late, files made minutes after, links signed for a
week) is tested by moving this clock, never by waiting for it.
"""

from __future__ import annotations

#: Where a moved clock starts unless told: a fixed moment (2027-01-15), not the test's own time.
EPOCH = 1_800_000_000.0


class Clock:
    """Seconds since the epoch, as `time.time` gives them; `now` is set or moved by the test."""

    def __init__(self, now: float = EPOCH) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
