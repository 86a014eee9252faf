"""The service's pace as the simulator plays it (API_NOTES.md, "What is known of the
service's pace"): how long a started recording says `record: false` while its recorder
joins, how long after a stop `getRecords` lists the files, how long a signed link stays
valid.

Tests get INSTANT unless they set a knob (a recording starts at once, its files are listed
at once), so a test of something else never waits for the service; the demos (`vmrtray
--demo`, `vmrctl --demo`, `vmrctl sim --pace demo`) get DEMO, so what a user tries first
behaves as the real service does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .files import LINK_TTL

if TYPE_CHECKING:
    from .server import Sim


@dataclass(frozen=True)
class Pace:
    start_delay: float  # seconds a started recording says `record: false` before `true`
    files_delay: float  # seconds after a stop before `getRecords` lists the files
    link_ttl: float  # seconds a link stays valid from when `getRecords` signed it


#: A recording starts the instant it is asked and its files are listed the instant it stops.
INSTANT = Pace(start_delay=0.0, files_delay=0.0, link_ttl=LINK_TTL)
#: The demos': a recorder joins in 3 s, the files are listed 20 s after the stop, links last 7 days.
DEMO = Pace(start_delay=3.0, files_delay=20.0, link_ttl=LINK_TTL)
PACES = {"instant": INSTANT, "demo": DEMO}


def set_pace(sim: Sim, pace: Pace) -> None:
    """The whole service's pace (a room's own start_delay / files_delay still override it)."""
    sim.state.start_delay = pace.start_delay
    sim.state.files_delay = pace.files_delay
    sim.files.ttl = pace.link_ttl
