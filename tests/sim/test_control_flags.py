"""The control API's yes/no knobs take yes or no: the text "false" turns a knob off (bool()
of it turned it on), and what is neither is refused, the knob left as it was."""

from __future__ import annotations

import httpx

from vmrtray.sim import Sim


async def test_a_yes_no_knob_takes_words_and_refuses_anything_else(sim: Sim) -> None:
    async with httpx.AsyncClient() as http:
        off = await http.post(f"{sim.url}/_sim/service", json={"live_endpoints": "false"})
        assert off.json()["live_endpoints"] is False
        refused = await http.post(f"{sim.url}/_sim/service", json={"live_endpoints": "maybe", "start_delay": 5})
        assert refused.status_code == 400
        assert "live_endpoints" in refused.json()["error"]
        assert sim.state.live_endpoints is False  # left as it was
        assert sim.state.start_delay == 0  # nothing of a refused body is taken
        assert (await http.post(f"{sim.url}/_sim/quirks", json={"trailing_commas": "no"})).status_code == 200
        assert sim.quirks.trailing_commas is False
        assert (await http.post(f"{sim.url}/_sim/quirks", json={"trailing_commas": [1]})).status_code == 400
