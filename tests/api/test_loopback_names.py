"""Only this computer's own addresses, and the name localhost itself, are taken for this
computer (plain http allowed, no proxy): `*.localhost` resolves wherever the system's
resolver says, and `vmrctl --server http://evil.localhost:18799` sent the key in clear to
the 192.0.2.2 a DNS server answered for it."""

from __future__ import annotations

import pytest

from vmrtray.api import Client, InsecureServerError
from vmrtray.api.client import in_clear_over_network, is_loopback
from vmrtray.sim import DEMO_PUBLIC_KEY


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("evil.localhost", False),
        ("localhost.", False),
        ("localhost.example", False),
        ("a.b.localhost", False),
        ("192.0.2.2", False),
        ("::ffff:192.0.2.2", False),
    ],
)
def test_only_loopback_addresses_and_localhost_itself_are_this_computer(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_plain_http_server_under_localhost_is_refused_as_any_other_host() -> None:
    """`*.localhost` resolves wherever the system's resolver (DNS) says: the key went in clear
    to 192.0.2.2 for http://evil.localhost:18799."""
    with pytest.raises(InsecureServerError):
        Client("http://evil.localhost:18799", DEMO_PUBLIC_KEY)
    assert in_clear_over_network("http://evil.localhost:18799")
    assert not in_clear_over_network("http://localhost:18799")
    Client("http://evil.localhost:18799", DEMO_PUBLIC_KEY, allow_http=True)  # the user's explicit choice
