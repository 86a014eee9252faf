"""The client under every fault the simulator makes: the right error, within its timeout."""

from __future__ import annotations

import pytest

from vmrtray.api import ApiError, AuthError, Client, NetworkError, ServerError
from vmrtray.sim import DEMO_PUBLIC_KEY, Sim


@pytest.mark.parametrize(
    ("kind", "error", "words"),
    [
        ("500", ServerError, "HTTP 500"),
        ("502", ServerError, "Bad Gateway"),
        ("html", ServerError, "HTML"),
        ("malformed", ServerError, "not valid JSON"),
        ("empty", ServerError, "empty"),
        ("reset", NetworkError, "reset|broke off"),
    ],
)
async def test_fault_becomes_one_error(sim: Sim, api: Client, kind: str, error: type[Exception], words: str) -> None:
    sim.faults.queue(kind, path="/meeting/getLiveRecStatus")
    with pytest.raises(error, match=words):
        await api.get_live_rec_status("100701")
    # and the next call, with the fault gone, works on the same client
    assert (await api.get_live_rec_status("100701")).conference_key == "100701"


async def test_a_hang_is_a_timeout_within_the_clients_timeout(sim: Sim) -> None:
    sim.faults.queue("hang")
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=0.5) as quick:
        with pytest.raises(NetworkError) as caught:
            await quick.get_meeting_info("100701")
    assert caught.value.timeout is True


async def test_latency_longer_than_the_timeout_times_out(sim: Sim) -> None:
    sim.faults.latency_ms = 1500
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=0.3) as quick:
        with pytest.raises(NetworkError):
            await quick.get_meeting_info("100701")


async def test_latency_and_jitter_within_the_timeout_still_answer(sim: Sim, api: Client) -> None:
    sim.faults.latency_ms, sim.faults.jitter_ms = 30, 20
    assert (await api.get_meeting_info("100701")).started is True


async def test_random_faults_hit_at_their_rate(sim: Sim, api: Client) -> None:
    sim.faults.rate = 0.5
    outcomes = []
    for _ in range(40):
        try:
            await api.get_meeting_info("100701")
            outcomes.append("ok")
        except (ServerError, NetworkError):
            outcomes.append("fault")
    assert 5 < outcomes.count("fault") < 35


async def test_refused_connection_is_a_network_error() -> None:
    async with Client("http://127.0.0.1:9", DEMO_PUBLIC_KEY, timeout=2) as nowhere:
        with pytest.raises(NetworkError) as caught:
            await nowhere.get_meeting_info("100701")
    assert "refused" in caught.value.describe("en")


async def test_keep_alive_reuses_one_connection(sim: Sim, api: Client) -> None:
    for _ in range(20):
        await api.get_meeting_info("100701")
    assert sim.stats.requests["/api/getmeetinginfo"] == 20
    assert len(sim.stats.connections["/api/getmeetinginfo"]) == 1


async def test_redirect_within_the_origin_is_followed_with_the_key(sim: Sim, api: Client, started_room: str) -> None:
    sim.faults.queue("redirect", path="/meeting/openRecord")
    assert await api.open_record(started_room)
    sent = [h for origin, _, path, h in sim.stats.headers if path == "/meeting/openRecord"]
    assert len(sent) == 2
    assert all(h.get("auth") == DEMO_PUBLIC_KEY for h in sent)


async def test_redirect_to_another_host_is_refused_and_the_key_never_leaves(sim: Sim, api: Client) -> None:
    sim.faults.redirect_to = sim.file_url  # another origin: the object store's port
    sim.faults.queue("redirect")
    with pytest.raises(ServerError) as caught:
        await api.get_rooms("demo@demo.myvmr.cn")
    assert "another host" in str(caught.value)
    assert all("auth" not in {k.lower() for k in h} for origin, *_, h in sim.stats.headers if origin == "files")


async def test_code_401_in_the_envelope_is_a_refusal_not_a_rejected_key(sim: Sim, api: Client) -> None:
    """The vendor documents 403 for a rejected key, and only 403 (API_NOTES, "From the vendor's
    other published versions"); a 401 is a gateway's word: never a sign-out."""
    sim.faults.queue("code:401")  # HTTP 200, an envelope saying 401
    with pytest.raises(ApiError) as caught:
        await api.get_rooms("demo@demo.myvmr.cn")
    assert not isinstance(caught.value, AuthError)
    assert caught.value.code == 401
    assert caught.value.endpoint == "/subscribe/getmeeting"


async def test_unknown_account_is_refused_with_the_servers_words(api: Client) -> None:
    with pytest.raises(ApiError) as caught:
        await api.get_rooms("nobody@demo.myvmr.cn")
    assert "nobody@demo.myvmr.cn" in caught.value.describe("en")
