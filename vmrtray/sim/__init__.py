"""The simulated service: API origin, object-storage origin, control API. Imports no vmrtray layer."""

from .faults import KINDS as FAULT_KINDS
from .files import content as file_content
from .files import sha256_of
from .pace import DEMO as DEMO_PACE
from .pace import INSTANT as INSTANT_PACE
from .pace import PACES, Pace, set_pace
from .server import Sim, serve_forever
from .state import SimFailure, SimState, service_now
from .stats import Stats
from .world import (
    DEMO_ACCOUNT,
    DEMO_API_ID,
    DEMO_API_KEY,
    DEMO_DEDICATED_ACCOUNT,
    DEMO_DEDICATED_KEY,
    DEMO_PUBLIC_KEY,
    DemoWorld,
)

__all__ = [
    "DEMO_ACCOUNT",
    "DEMO_API_ID",
    "DEMO_API_KEY",
    "DEMO_DEDICATED_ACCOUNT",
    "DEMO_DEDICATED_KEY",
    "DEMO_PACE",
    "DEMO_PUBLIC_KEY",
    "FAULT_KINDS",
    "INSTANT_PACE",
    "PACES",
    "DemoWorld",
    "Pace",
    "Sim",
    "SimFailure",
    "SimState",
    "Stats",
    "file_content",
    "serve_forever",
    "service_now",
    "set_pace",
    "sha256_of",
]
