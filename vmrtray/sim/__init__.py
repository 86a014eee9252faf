"""The simulated service: API origin, object-storage origin, control API. Imports no vmrtray layer."""

from .faults import KINDS as FAULT_KINDS
from .files import content as file_content
from .files import sha256_of
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
    "DEMO_PUBLIC_KEY",
    "FAULT_KINDS",
    "DemoWorld",
    "Sim",
    "SimFailure",
    "SimState",
    "Stats",
    "file_content",
    "serve_forever",
    "service_now",
    "sha256_of",
]
