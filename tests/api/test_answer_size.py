"""How much of an answer is read (issue 15, point 2: nothing heavy on the event loop)."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import Serve
from vmrtray.api import Client, ServerError
from vmrtray.sim import DEMO_ACCOUNT


async def test_an_answer_about_one_thing_is_read_up_to_256_kib_a_list_up_to_8_mib(
    served: tuple[Client, Serve],
) -> None:
    """Decoding holds the tray's loop: getmeetinginfo, polled every few seconds, answered 8 MiB of
    nested groups held it 1.6 s (bench/json_tolerance.py). An answer about one room is a few
    hundred bytes; one over 256 KiB is a server failure, while a list (the rooms) may be larger."""
    api, serve = served
    filler = "x" * (300 * 1024)
    serve((200, "application/json", json.dumps({"code": 200, "msg": "success", "filler": filler})))
    with pytest.raises(ServerError, match="the answer is larger than 256 KiB"):
        await api.get_meeting_info("100701")
    rooms = [{"pid": n, "sipkey": str(100000 + n), "pDesc": filler[:1000]} for n in range(400)]
    serve((200, "application/json", json.dumps({"code": 200, "data": rooms, "state": 1})))
    assert len(await api.get_rooms(DEMO_ACCOUNT)) == 400
