"""What broke on the way is an enum with words in both languages, not an English phrase."""

from __future__ import annotations

import re

import pytest

from vmrtray.api import Broke, Client, NetworkError
from vmrtray.sim import DEMO_PUBLIC_KEY, Sim

ENGLISH = re.compile(r"[A-Za-z]{3,}")
NAMED = {Broke.OTHER, Broke.TLS_UNTRUSTED}  # OTHER says the error's name; TLS names "TLS" and "CA"


@pytest.mark.parametrize("reason", list(Broke))
def test_each_reason_is_said_in_chinese_without_english(reason: Broke) -> None:
    error = NetworkError(reason, timeout=reason is Broke.DEADLINE, seconds=20, name="SomeError")
    said = error.describe("zh")
    assert said.strip()
    assert "\n" not in said
    if reason not in NAMED:
        assert not ENGLISH.search(said), said
    assert error.why("en") in error.describe("en")


async def test_the_clients_own_deadline_is_said_with_its_seconds_in_both_languages(sim: Sim) -> None:
    sim.faults.queue("hang")
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=0.5) as api:
        with pytest.raises(NetworkError) as caught:
            await api.get_meeting_info("100701")
    assert caught.value.reason is Broke.DEADLINE
    assert "within 0.5 s" in caught.value.describe("en")
    assert "0.5 秒内" in caught.value.describe("zh")


async def test_a_refused_connection_is_refused(sim: Sim) -> None:
    async with Client("http://127.0.0.1:9", DEMO_PUBLIC_KEY, timeout=5) as api:
        with pytest.raises(NetworkError) as caught:
            await api.get_meeting_info("100701")
    assert caught.value.reason is Broke.REFUSED
