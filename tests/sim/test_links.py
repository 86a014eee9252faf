"""The simulated store's signed links: signed when `getRecords` is asked, valid `ttl` seconds
(7 days by default, as the real service's), refused once past it — a Range in the middle of
a download as much as a whole file — with the store's own XML."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.support.recordings import make_recording
from vmrtray.api import Client
from vmrtray.sim import Sim

WEEK = 7 * 24 * 3600


def _fields(url: str) -> dict[str, str]:
    token = parse_qs(urlsplit(url).query)["sign"][0]
    return dict(p.split("=", 1) for p in base64.b64decode(token).decode().split("&"))


async def test_a_link_is_signed_when_asked_and_valid_seven_days(sim: Sim, api: Client) -> None:
    now = [1_800_000_000.0]
    sim.files.clock = lambda: now[0]
    record_id = await make_recording(sim, api)
    (first,) = await api.get_records(record_id)
    now[0] += 60
    (again,) = await api.get_records(record_id)
    signed = _fields(first.down_url)
    assert (int(signed["t"]), int(signed["e"])) == (1_800_000_000, 1_800_000_000 + WEEK)
    assert int(_fields(again.down_url)["t"]) == 1_800_000_060  # signed afresh at each getRecords

    async with httpx.AsyncClient() as http:
        now[0] = 1_800_000_000 + WEEK - 1
        assert (await http.get(first.down_url, headers={"Range": "bytes=1000-1999"})).status_code == 206
        now[0] += 2
        refused = await http.get(first.down_url, headers={"Range": "bytes=1000-"})
        still = await http.get(again.down_url, headers={"Range": "bytes=1000-"})
    assert refused.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in refused.text
    assert refused.headers["content-type"].startswith("application/xml")
    assert still.status_code == 206
    assert sim.stats.links_expired == 1
