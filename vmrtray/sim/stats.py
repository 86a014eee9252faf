"""What reached the simulated service, and the one way it tears a connection down.

A leaf: both origins (`routes`/`faults` on the API side, `files` on the object store)
count into `Stats` and cut connections with `abort_with_reset`.
"""

from __future__ import annotations

import socket
import struct
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Stats:
    """What reached the service: requests and TCP connections per path, and their headers."""

    requests: Counter[str] = field(default_factory=Counter)
    connections: dict[str, set[tuple[Any, ...]]] = field(default_factory=lambda: defaultdict(set))
    headers: deque[tuple[str, str, str, dict[str, str]]] = field(default_factory=lambda: deque(maxlen=5000))
    bodies: deque[tuple[str, Any]] = field(default_factory=lambda: deque(maxlen=1000))  # (path, parsed JSON)
    file_bytes: int = 0
    #: Bytes the object store sent, per object path (a file fetched twice has twice its size).
    bytes_by_path: Counter[str] = field(default_factory=Counter)
    links_expired: int = 0  # requests the object store refused because their link had expired

    def served(self, path: str, count: int) -> None:
        """The object store sent `count` more bytes of the object at `path`."""
        self.file_bytes += count
        self.bytes_by_path[path] += count

    def note(self, origin: str, request: web.Request) -> None:
        key = request.path if origin == "api" else "files"
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.requests[key] += 1
        self.connections[key].add((origin, peer))
        self.connections["*"].add((origin, peer))
        self.headers.append((origin, request.method, request.path, dict(request.headers)))

    def reset(self) -> None:
        self.requests.clear()
        self.connections.clear()
        self.headers.clear()
        self.bodies.clear()
        self.file_bytes = 0
        self.bytes_by_path.clear()
        self.links_expired = 0

    def api_connections(self) -> int:
        return len({c for c in self.connections["*"] if c[0] == "api"})

    def summary(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "connections": {k: len(v) for k, v in self.connections.items()},
            "file_bytes": self.file_bytes,
            "bytes_by_path": dict(self.bytes_by_path),
            "links_expired": self.links_expired,
            "file_ranges": [h.get("Range") for origin, _, _, h in self.headers if origin == "files"],
        }


def abort_with_reset(request: web.Request) -> None:
    """Tear the request's connection down with a TCP RST (SO_LINGER 0), not a clean FIN."""
    sock = request.transport.get_extra_info("socket") if request.transport else None
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    if request.transport is not None:
        request.transport.abort()
