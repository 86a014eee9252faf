"""The demo's simulated service has the real service's pace (issue 14): a started recording
says `record: false` for a few seconds, then `true`; a stopped one's files are listed some
seconds later; links are valid for 7 days. The tests' own `Sim()` stays instant.

The service's clocks are the test's (`state.clock`, `files.clock`): time is moved, not waited for.
"""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from vmrtray.api import Client
from vmrtray.core.demo import start_demo
from vmrtray.sim import DEMO_PACE, Sim


async def test_the_demo_starts_recording_late_lists_files_later_and_signs_links_for_a_week(
    dirs: dict[str, Path],
) -> None:
    demo = await start_demo(lively=False)
    try:
        now, wall = [1000.0], [1_800_000_000.0]
        demo.sim.state.clock = lambda: now[0]
        demo.sim.files.clock = lambda: wall[0]
        async with Client(demo.sim.url, demo.key, timeout=5.0) as api:
            record_id = await api.open_record("100701")  # the demo's room in a meeting
            starting = await api.get_live_rec_status("100701")
            now[0] += DEMO_PACE.start_delay
            started = await api.get_live_rec_status("100701")
            await api.close_record("100701")
            being_made = await api.get_records(record_id)
            now[0] += DEMO_PACE.files_delay
            (listed,) = await api.get_records(record_id)
    finally:
        await demo.stop()
    assert (starting.record, starting.record_id) == (False, record_id)
    assert (started.record, started.record_id) == (True, record_id)
    assert being_made == []
    assert (DEMO_PACE.start_delay, DEMO_PACE.files_delay) == (3.0, 20.0)
    token = parse_qs(urlsplit(listed.down_url).query)["sign"][0]
    signed = dict(p.split("=", 1) for p in base64.b64decode(token).decode().split("&"))
    assert int(signed["e"]) - int(signed["t"]) == 7 * 24 * 3600


async def test_a_tests_simulator_stays_instant(sim: Sim, api: Client) -> None:
    sim.state.set_meeting("100701", started=True)
    record_id = await api.open_record("100701")
    assert (await api.get_live_rec_status("100701")).record
    await api.close_record("100701")
    assert len(await api.get_records(record_id)) == 1
